package serve

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitdrift/driftctl/drift"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "prod"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "prod.tfstate"), []byte(`{"version":4}`), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "driftctl.hcl")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadConfig(t *testing.T) {
	path := writeConfig(t, `
server {
  listen   = "127.0.0.1:9999"
  data_dir = "data"
  log_format = "json"
  metrics_max_resources = 50
  web_config_file = "web.yml"
  api_values = true
}

stack "prod" {
  source    = "prod"
  state     = ["prod.tfstate", "s3://bucket/key", "envs/**/*.tfstate"]
  vars      = { env = "prod", zones = ["a", "b"] }
  schedule  = "*/10 * * * *"
  fail_on   = ["drifted", "unmanaged"]
  unmanaged = "none"
  timeout   = "2m"
}

stack "dev" {
  source = "prod"
  allow_outside_files = true
  plugin_dirs  = ["plugins", "/opt/tf-plugins"]
  plugin_types = "all"
}
`)
	cfg, diags := LoadConfig(path)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	for _, st := range cfg.Stacks {
		if st.AllowOutsideFiles != (st.Name == "dev") {
			t.Errorf("stack %s: AllowOutsideFiles = %v", st.Name, st.AllowOutsideFiles)
		}
	}
	dir := filepath.Dir(path)
	if cfg.Server.Listen != "127.0.0.1:9999" || cfg.Server.DataDir != filepath.Join(dir, "data") || cfg.Server.LogFormat != "json" || cfg.Server.MetricsMaxResources != 50 ||
		cfg.Server.WebConfigFile != filepath.Join(dir, "web.yml") || !cfg.Server.APIValues {
		t.Errorf("server = %+v", cfg.Server)
	}
	if len(cfg.Stacks) != 2 {
		t.Fatalf("%d stacks, want 2", len(cfg.Stacks))
	}
	prod, dev := cfg.Stacks[0], cfg.Stacks[1]
	// A pattern is relative to the configuration too, and is matched at
	// each scan, not when the configuration loads.
	if prod.Source != filepath.Join(dir, "prod") || !slices.Equal(prod.States, []string{filepath.Join(dir, "prod.tfstate"), "s3://bucket/key", filepath.Join(dir, "envs/**/*.tfstate")}) {
		t.Errorf("prod source/states = %s %v", prod.Source, prod.States)
	}
	var vars []string
	for _, v := range prod.Vars {
		vars = append(vars, v.Value)
	}
	if got := strings.Join(vars, " "); got != `env=prod zones=["a", "b"]` {
		t.Errorf("vars = %s", got)
	}
	at := time.Date(2026, 1, 1, 10, 3, 0, 0, time.UTC)
	if next := prod.Schedule.Next(at); !next.Equal(time.Date(2026, 1, 1, 10, 10, 0, 0, time.UTC)) {
		t.Errorf("cron next = %s", next)
	}
	if !prod.FailOn[drift.Unmanaged] || prod.FailOn[drift.Missing] || prod.Unmanaged || prod.Timeout != 2*time.Minute {
		t.Errorf("prod = %+v", prod)
	}
	if !slices.Equal(dev.PluginDirs, []string{filepath.Join(dir, "plugins"), "/opt/tf-plugins"}) || dev.PluginTypes != "all" || prod.PluginTypes != "" {
		t.Errorf("plugin settings: dev %v %q, prod %q", dev.PluginDirs, dev.PluginTypes, prod.PluginTypes)
	}
	if dev.Schedule.Next(at).Sub(at) != DefaultSchedule || !dev.FailOn[drift.Drifted] || !dev.FailOn[drift.Missing] || !dev.Unmanaged {
		t.Errorf("dev defaults = %+v", dev)
	}
}

func TestLoadConfigErrorsAreLocated(t *testing.T) {
	tests := []struct {
		name, text, summary string
		line                int
	}{
		{"unknown stack field", "stack \"a\" {\n  source = \"prod\"\n  colour = \"red\"\n}\n", "Unsupported argument", 3},
		{"bad cron", "stack \"a\" {\n  source = \"prod\"\n  schedule = \"*/99 * * *\"\n}\n", "Invalid schedule", 3},
		{"too short an interval", "stack \"a\" {\n  source = \"prod\"\n  schedule = \"10ms\"\n}\n", "Invalid schedule", 3},
		{"missing source", "stack \"a\" {\n  schedule = \"5m\"\n}\n", "Missing source", 1},
		{"source not a directory", "stack \"a\" {\n  source = \"nowhere\"\n}\n", "Source is not a directory", 2},
		{"local state missing", "stack \"a\" {\n  source = \"prod\"\n  state = [\"gone.tfstate\"]\n}\n", "State not found", 3},
		{"both source and repository", "stack \"a\" {\n  source = \"prod\"\n  repository = \"https://example.com/x.git\"\n}\n", "Both source and repository", 3},
		{"not a repository", "stack \"a\" {\n  repository = \"prod\"\n}\n", "Not a Git repository", 2},
		{"ref without a repository", "stack \"a\" {\n  source = \"prod\"\n  ref = \"main\"\n}\n", "Git setting without a repository", 3},
		{"bad poll", "stack \"a\" {\n  repository = \"https://example.com/x.git\"\n  poll = \"often\"\n}\n", "Invalid poll", 3},
		{"signed without keys", "stack \"a\" {\n  repository = \"https://example.com/x.git\"\n  require_signed = true\n}\n", "require_signed without trusted_keys", 1},
		{"bad fail_on", "stack \"a\" {\n  source = \"prod\"\n  fail_on = [\"sometimes\"]\n}\n", "Invalid fail_on", 3},
		{"duplicate stack", "stack \"a\" {\n  source = \"prod\"\n}\nstack \"a\" {\n  source = \"prod\"\n}\n", "Duplicate stack", 4},
		{"unknown block", "stacks \"a\" {\n}\n", "Unsupported block type", 1},
		{"no stacks", "server {\n}\n", "No stacks", 1},
		{"bad plugin_types", "stack \"a\" {\n  source = \"prod\"\n  plugin_types = \"some\"\n}\n", "Invalid plugin_types", 3},
		{"bad log format", "server {\n  log_format = \"xml\"\n}\nstack \"a\" {\n  source = \"prod\"\n}\n", "Invalid log_format", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.text)
			_, diags := LoadConfig(path)
			if !diags.HasErrors() {
				t.Fatal("want an error")
			}
			d := diags[0]
			if d.Summary != tt.summary || d.Subject == nil || d.Subject.Filename != path || d.Subject.Start.Line != tt.line {
				t.Errorf("first diagnostic = %q at %v, want %q at line %d (all: %s)", d.Summary, d.Subject, tt.summary, tt.line, diags.Error())
			}
		})
	}
}

func TestNextRunJitter(t *testing.T) {
	now := time.Now()
	for range 50 {
		next := nextRun(Every(10*time.Minute), now)
		if d := next.Sub(now); d < 10*time.Minute || d >= 10*time.Minute+30*time.Second {
			t.Fatalf("next run in %s, want 10m plus at most 30s of jitter", d)
		}
	}
	for range 50 {
		next := nextRun(Every(10*time.Second), now)
		if d := next.Sub(now); d < 10*time.Second || d >= 11*time.Second {
			t.Fatalf("next run in %s, want 10s plus at most a tenth", d)
		}
	}
}

func TestParseScheduleRefusesACronThatNeverFires(t *testing.T) {
	if _, err := ParseSchedule("0 0 30 2 *"); err == nil {
		t.Error("a cron expression for February 30 is accepted: its scans would never come, or come in a busy loop")
	}
	if _, err := ParseSchedule("0 0 29 2 *"); err != nil {
		t.Errorf("February 29: %v", err)
	}
}
