package serve

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitdrift/driftctl/drift"
)

func TestLoadConfigFilters(t *testing.T) {
	t.Parallel()
	path := writeConfig(t, `
stack "prod" {
  source       = "prod"
  driftignore  = "prod.driftignore"
  filter       = "Type=='aws_s3_bucket'"
  only_managed = true
}
`)
	if err := os.WriteFile(filepath.Join(filepath.Dir(path), "prod.driftignore"), []byte("aws_s3_bucket.logs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := LoadConfig(path)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	st := cfg.Stacks[0]
	if st.DriftIgnore != filepath.Join(filepath.Dir(path), "prod.driftignore") {
		t.Errorf("driftignore %q, want it beside the configuration file", st.DriftIgnore)
	}
	keep := func(r drift.Result) bool {
		ok, err := st.Filter.Keep(&r)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if st.Filter == nil || !keep(drift.Result{Address: "aws_s3_bucket.b", Type: "aws_s3_bucket"}) ||
		keep(drift.Result{Type: "aws_s3_bucket", ID: "stray"}) || keep(drift.Result{Address: "aws_vpc.v", Type: "aws_vpc"}) {
		t.Errorf("filter %+v keeps the wrong results", st.Filter)
	}

	tests := []struct {
		name, stack string
		line        int
		want        string
	}{
		{"bad expression", "  filter = \"Type==\"\n", 3, "Invalid filter"},
		{"both only", "  only_managed = true\n  only_unmanaged = true\n", 1, "exclude each other"},
		{"no such driftignore", "  driftignore = \"nope\"\n", 3, "Cannot read driftignore"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, diags := LoadConfig(writeConfig(t, "stack \"prod\" {\n  source = \"prod\"\n"+tt.stack+"}\n"))
			if !diags.HasErrors() || diags[0].Subject == nil || diags[0].Subject.Start.Line != tt.line || !strings.Contains(diags.Error(), tt.want) {
				t.Errorf("diagnostics %v, want %q at line %d", diags, tt.want, tt.line)
			}
		})
	}
}
