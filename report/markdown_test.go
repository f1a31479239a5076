package report

import (
	"regexp"
	"strings"
	"testing"

	"github.com/gitdrift/driftctl/drift"
)

func TestMarkdownGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		report *drift.Report
		opts   Options
	}{
		{"markdown.golden.md", sampleReport(), Options{}},
		{"markdown_github.golden.md", githubReport(), Options{}},
		{"markdown_fail_unmanaged.golden.md", githubReport(), Options{FailOn: map[drift.Status]bool{drift.Unmanaged: true}}},
		{"markdown_in_sync.golden.md", inSyncReport(), Options{}},
		{"markdown_empty.golden.md", &drift.Report{}, Options{}},
		{"markdown_hostile.golden.md", hostileReport(), Options{}},
		{"markdown_truncated.golden.md", manyReport(400), Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			golden(t, tt.name, []byte(renderString(t, FormatMarkdown, tt.report, tt.opts)))
		})
	}
}

func TestMarkdownTruncation(t *testing.T) {
	t.Parallel()
	note := regexp.MustCompile(`\*\*(\d+) more resources? not shown\*\*`)
	tests := []struct {
		name      string
		resources int
		truncated bool
	}{
		{"fits", 50, false},
		{"just over", 300, true},
		{"many", 5000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := renderString(t, FormatMarkdown, manyReport(tt.resources), Options{})
			if len(out) > MarkdownLimit {
				t.Errorf("%d bytes, more than MarkdownLimit (%d)", len(out), MarkdownLimit)
			}
			shown := strings.Count(out, "<details>")
			if strings.Count(out, "</details>") != shown {
				t.Errorf("a <details> section is cut: %d opened, %d closed", shown, strings.Count(out, "</details>"))
			}
			m := note.FindStringSubmatch(out)
			if (m != nil) != tt.truncated {
				t.Fatalf("truncation note present = %v, want %v", m != nil, tt.truncated)
			}
			left := 0
			if m != nil {
				left = atoi(t, m[1])
				if !strings.HasSuffix(out, "The JSON or HTML report lists them all.\n") {
					t.Error("the note is not the last line")
				}
			}
			if shown+left != tt.resources {
				t.Errorf("%d shown + %d left out = %d, want %d resources", shown, left, shown+left, tt.resources)
			}
		})
	}
}

// A resource with many drifted attributes shows the first ones and says
// how many more there are.
func TestMarkdownManyAttributes(t *testing.T) {
	t.Parallel()
	r := manyReport(1)
	d := r.Results[0].Diffs[0]
	for range markdownDiffLimit + 10 {
		r.Results[0].Diffs = append(r.Results[0].Diffs, d)
	}
	out := renderString(t, FormatMarkdown, r, Options{})
	if n := strings.Count(out, "| <code>tags.Owner</code> |"); n != markdownDiffLimit-1 {
		t.Errorf("%d rows of tags.Owner, want %d", n, markdownDiffLimit-1)
	}
	if !strings.Contains(out, "| 12 more attributes | | | |\n") {
		t.Errorf("no line for the 12 attributes left out:\n%s", out)
	}
}

// Text from the cloud or the configuration cannot end a table cell, add
// markup, links or mentions.
func TestMarkdownEscapes(t *testing.T) {
	t.Parallel()
	out := renderString(t, FormatMarkdown, hostileReport(), Options{})
	for _, bad := range []string{"<script", "<img", "</table>", "@octocat", "**bold**", "[link]", "](https://evil"} {
		if strings.Contains(out, bad) {
			t.Errorf("hostile text %q is not escaped:\n%s", bad, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| <code>tags") {
			// Attribute, Want, Got, Where: five pipes whatever the values.
			if n := strings.Count(line, "|"); n != 5 {
				t.Errorf("a diff row has %d cell separators, want 5: %s", n, line)
			}
		}
	}
	if !strings.Contains(out, "&#64;octocat") {
		t.Error("the mention is not kept as text")
	}
}

func TestMarkdownText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain text 123", "plain text 123"},
		{"a|b", "a&#124;b"},
		{"`x`", "&#96;x&#96;"},
		{"<b>", "&#60;b&#62;"},
		{"line\nbreak\x1b", `line&#92;nbreak&#92;x1b`},
		{"café", "café"},
	}
	for _, tt := range tests {
		if got := mdText(tt.in); got != tt.want {
			t.Errorf("mdText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
