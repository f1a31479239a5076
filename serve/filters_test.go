package serve

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/drift/filter"
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

// A stack's own .driftignore is read by its scans, and its filter shapes
// what is kept: the metrics count only what is left.
func TestServeStackIgnoreAndFilter(t *testing.T) {
	t.Parallel()
	dir := thingsDir(t)
	if err := os.WriteFile(filepath.Join(dir, ".driftignore"), []byte("# b is gone on purpose\ntest_thing.b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := filter.New("", true, false)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{
		Server: ServerConfig{DataDir: t.TempDir(), MetricsMaxResources: 100},
		Stacks: []*StackConfig{{Name: "s", Source: dir, Schedule: Every(time.Hour), FailOn: failOn, Unmanaged: true, Timeout: time.Minute, Filter: f}},
	}
	base := startServer(t, cfg, &fakeFactory{live: map[string]string{"t-1": "a", "t-9": "by hand"}})
	eventually(t, "the scan", func() bool {
		_, m := get(t, base+"/metrics")
		return strings.Contains(m, `driftctl_scan_success{stack="s"} 1`)
	})
	_, m := get(t, base+"/metrics")
	for _, want := range []string{
		`driftctl_resources{provider="test",stack="s",status="in_sync",type="test_thing"} 1`,
		`driftctl_resources{provider="test",stack="s",status="ignored",type="test_thing"} 1`,
		`driftctl_resources{provider="test",stack="s",status="missing",type="test_thing"} 0`,
		`driftctl_resources{provider="test",stack="s",status="unmanaged",type="test_thing"} 0`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	_, api := get(t, base+"/api/v1/stacks")
	if !strings.Contains(api, ".driftignore:2: test_thing.b") {
		t.Errorf("the API does not give the ignore rule:\n%s", api)
	}
}
