package config

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

var markerRe = regexp.MustCompile(`#\s*(ERROR|WARNING):\s*(.+?)\s*$`)

// wantMarkers reads `# ERROR: summary` and `# WARNING: summary` markers:
// each names a diagnostic that must be reported on its line.
func wantMarkers(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for line := 1; sc.Scan(); line++ {
			if m := markerRe.FindStringSubmatch(sc.Text()); m != nil {
				out = append(out, fmt.Sprintf("%s:%d: %s: %s", filepath.Base(f), line, m[1], m[2]))
			}
		}
		fh.Close()
	}
	sort.Strings(out)
	return out
}

func diagLines(diags hcl.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		sev := "ERROR"
		if d.Severity == hcl.DiagWarning {
			sev = "WARNING"
		}
		where := "-:0"
		if d.Subject != nil {
			where = fmt.Sprintf("%s:%d", filepath.Base(d.Subject.Filename), d.Subject.Start.Line)
		}
		out = append(out, fmt.Sprintf("%s: %s: %s", where, sev, d.Summary))
	}
	sort.Strings(out)
	return out
}

// TestInvalidFiles loads and evaluates each directory of
// testdata/invalid-files and compares every diagnostic with the markers.
func TestInvalidFiles(t *testing.T) {
	dirs, err := filepath.Glob("testdata/invalid-files/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no test cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			want := wantMarkers(t, dir)
			if len(want) == 0 {
				t.Fatal("case has no markers")
			}
			m, diags := Load(dir)
			ev, d := NewEvaluator(m, testSchemas(), VarOptions{})
			diags = append(diags, d...)
			_, d = ev.Providers(context.Background())
			diags = append(diags, d...)
			_, d = ev.Resources(context.Background(), accountData(), &fakeResolver{ResolveFn: withID})
			diags = append(diags, d...)
			got := diagLines(diags)
			if diff := cmp.Diff(want, got); diff != "" {
				var details strings.Builder
				for _, d := range diags {
					fmt.Fprintf(&details, "  %s\n", d.Error())
				}
				t.Errorf("diagnostics (-want +got):\n%s\nall:\n%s", diff, details.String())
			}
		})
	}
}
