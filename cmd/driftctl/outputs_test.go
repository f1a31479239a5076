package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitdrift/driftctl/report"
)

func TestParseOutputs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		specs   []string
		want    []output
		wantErr string
	}{
		{"default", nil, []output{{format: report.FormatConsole}}, ""},
		{"every format to a file and one to stdout",
			[]string{"markdown=pr.md", "sarif=out.sarif", "junit=junit.xml", "html=report.html", "json=r.json", "console"},
			[]output{{report.FormatMarkdown, "pr.md"}, {report.FormatSARIF, "out.sarif"}, {report.FormatJUnit, "junit.xml"},
				{report.FormatHTML, "report.html"}, {report.FormatJSON, "r.json"}, {report.FormatConsole, ""}}, ""},
		{"- is stdout", []string{"json=-"}, []output{{report.FormatJSON, ""}}, ""},
		{"a file name with =", []string{"json=a=b.json"}, []output{{report.FormatJSON, "a=b.json"}}, ""},
		{"two to stdout", []string{"console", "json"}, nil, `--output "console" and --output "json" both write to stdout: give one of them a file: -o json=FILE`},
		{"two to stdout, one as -", []string{"markdown", "sarif=-"}, nil, `--output "markdown" and --output "sarif=-" both write to stdout`},
		{"same format twice to stdout", []string{"json", "json"}, nil, `--output "json" and --output "json" both write to stdout`},
		{"two to one file", []string{"sarif=x", "junit=x"}, nil, `--output "sarif=x" and --output "junit=x" both write to the file x: give each its own file`},
		{"unknown format", []string{"yaml"}, nil, `--output "yaml": the formats are console, json, markdown, sarif, junit, html`},
		{"case matters", []string{"JSON"}, nil, `--output "JSON": the formats are`},
		{"no file after =", []string{"html="}, nil, `--output "html=": no file after =`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseOutputs(tt.specs)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(output{})); diff != "" {
				t.Errorf("parseOutputs(%q) (-want +got):\n%s", tt.specs, diff)
			}
		})
	}
}
