package serve

import (
	"strings"
	"testing"
)

// A driftctl.hcl nested beyond what hcl's parser can recurse into is a
// located error, not a stack overflow that ends the process.
func TestLoadConfigNestingTooDeep(t *testing.T) {
	t.Parallel()
	n := 2000
	path := writeConfig(t, "stack \"prod\" {\n  source = "+strings.Repeat("(", n)+`"prod"`+strings.Repeat(")", n)+"\n}\n")
	_, diags := LoadConfig(path)
	if !diags.HasErrors() {
		t.Fatal("no error")
	}
	d := diags[0]
	if d.Summary != "Configuration nested too deeply" || d.Subject == nil || d.Subject.Filename != path || d.Subject.Start.Line != 2 {
		t.Fatalf("got %s at %v", d.Summary, d.Subject)
	}
}
