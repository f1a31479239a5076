package serve

import (
	"strings"
	"testing"
	"time"

	"github.com/gitdrift/driftctl/config"
)

// A stack whose configuration declares no resource (a wrong directory or
// path looks like that) is a failed scan, unless allow_empty says it is
// meant to be empty.
func TestServeEmptyStackFailsUnlessAllowed(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	cfg := &Config{
		Server: ServerConfig{DataDir: t.TempDir(), MetricsMaxResources: 100},
		Stacks: []*StackConfig{
			{Name: "empty", Source: empty, Schedule: Every(time.Hour), FailOn: failOn, Unmanaged: true, Timeout: time.Minute},
			{Name: "allowed", Source: empty, Schedule: Every(time.Hour), FailOn: failOn, Unmanaged: true, Timeout: time.Minute, AllowEmpty: true},
		},
	}
	base := startServer(t, cfg, &fakeFactory{live: map[string]string{}})
	eventually(t, "both scans", func() bool {
		_, m := get(t, base+"/metrics")
		return strings.Contains(m, `driftctl_scan_success{stack="empty"}`) && strings.Contains(m, `driftctl_scan_success{stack="allowed"}`)
	})
	_, m := get(t, base+"/metrics")
	if !strings.Contains(m, `driftctl_scan_success{stack="empty"} 0`) {
		t.Errorf("the empty stack's scan succeeded:\n%s", metricLine(m, `driftctl_scan_success{stack="empty"}`))
	}
	if !strings.Contains(m, `driftctl_scan_success{stack="allowed"} 1`) {
		t.Errorf("the allowed empty stack's scan failed:\n%s", metricLine(m, `driftctl_scan_success{stack="allowed"}`))
	}
}

func TestLoadConfigLimits(t *testing.T) {
	t.Parallel()
	path := writeConfig(t, `
stack "prod" {
  source          = "prod"
  allow_empty     = true
  max_instances   = 20000
  max_value_bytes = 1048576
}
`)
	cfg, diags := LoadConfig(path)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	st := cfg.Stacks[0]
	if !st.AllowEmpty || st.Limits != (config.Limits{MaxInstances: 20000, MaxValueBytes: 1 << 20}) {
		t.Errorf("allow_empty %v, limits %+v", st.AllowEmpty, st.Limits)
	}

	bad := writeConfig(t, "stack \"prod\" {\n  source = \"prod\"\n  max_instances = 0\n}\n")
	_, diags = LoadConfig(bad)
	if !diags.HasErrors() || diags[0].Subject == nil || diags[0].Subject.Start.Line != 3 {
		t.Fatalf("max_instances = 0: %v", diags)
	}
}

func TestLoadConfigWorkspace(t *testing.T) {
	t.Parallel()
	cfg, diags := LoadConfig(writeConfig(t, "stack \"prod\" {\n  source    = \"prod\"\n  workspace = \"staging\"\n}\n"))
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if got := cfg.Stacks[0].Workspace; got != "staging" {
		t.Errorf("workspace %q", got)
	}
	_, diags = LoadConfig(writeConfig(t, "stack \"prod\" {\n  source    = \"prod\"\n  workspace = \"a/b\"\n}\n"))
	if !diags.HasErrors() || diags[0].Subject == nil || diags[0].Subject.Start.Line != 3 || !strings.Contains(diags.Error(), "Invalid workspace") {
		t.Fatalf("workspace = \"a/b\": %v", diags)
	}
}
