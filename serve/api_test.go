package serve

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/report"
)

// apiTestReport is a report of a stack in source with everything the API
// must not show by default: an author's email, absolute paths, desired and
// live values, a sensitive value.
func apiTestReport(t *testing.T, source string) json.RawMessage {
	t.Helper()
	file := filepath.Join(source, "main.tf")
	blame := &drift.Blame{SHA: "abc123", Author: "Ada Lovelace", Email: "ada@example.com", Time: time.Unix(1700000000, 0)}
	rep := &drift.Report{
		Stack:  "s",
		Commit: &drift.Commit{SHA: "abc123", Author: "Ada Lovelace", Email: "ada@example.com", Repository: source, Path: "."},
		Results: []drift.Result{{
			Address: "test_thing.a", Type: "test_thing", ID: "t-1", Provider: "test", Status: drift.Drifted,
			Diffs: []drift.Diff{
				{Path: "name", Want: cty.StringVal("desired-name"), Got: cty.StringVal("live-name"),
					Range: &hcl.Range{Filename: file, Start: hcl.Pos{Line: 3}}, Blame: blame},
				{Path: "password", Want: cty.StringVal("hunter2-secret"), Got: cty.StringVal("old-secret"), Sensitive: true,
					Range: &hcl.Range{Filename: file, Start: hcl.Pos{Line: 4}}},
			},
		}},
		Errors: []drift.Error{{Type: "test_thing", Operation: "test:List", Message: "reading " + file + ": denied"}},
	}
	var buf bytes.Buffer
	if err := report.JSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// /api/v1/stacks is read by whoever reaches the server: by default it has
// no author emails, no absolute paths and no attribute values; values are
// shown only when the operator opts in, and sensitive ones never.
func TestAPIReportIsTrimmed(t *testing.T) {
	t.Parallel()
	source := t.TempDir()
	raw := apiTestReport(t, source)
	sc := &StackConfig{Name: "s", Source: source}
	for _, values := range []bool{false, true} {
		s := &Server{cfg: &Config{Server: ServerConfig{APIValues: values}}}
		got := string(s.apiReport(sc, raw))
		if got == "" {
			t.Fatal("no API report")
		}
		for _, never := range []string{"ada@example.com", source, "hunter2-secret", "old-secret"} {
			if strings.Contains(got, never) {
				t.Errorf("api_values=%t: the API report shows %q:\n%s", values, never, got)
			}
		}
		for _, want := range []string{`"author":"Ada Lovelace"`, `"file":"main.tf"`, `reading main.tf: denied`} {
			if !strings.Contains(got, want) {
				t.Errorf("api_values=%t: the API report lacks %s:\n%s", values, want, got)
			}
		}
		hasValues := strings.Contains(got, "desired-name") && strings.Contains(got, "live-name")
		if hasValues != values {
			t.Errorf("api_values=%t: values shown = %t:\n%s", values, hasValues, got)
		}
		if values && !strings.Contains(got, `"(sensitive)"`) {
			t.Errorf("api_values=true: the sensitive value is not masked:\n%s", got)
		}
	}
}

// The stacks endpoint serves the trimmed report.
func TestServeAPIHidesValuesByDefault(t *testing.T) {
	t.Parallel()
	f := &fakeFactory{live: map[string]string{"t-1": "a"}}
	cfg := &Config{
		Server: ServerConfig{MetricsMaxResources: 100},
		Stacks: []*StackConfig{{Name: "s", Source: thingsDir(t), Schedule: Every(time.Hour), FailOn: failOn, Unmanaged: true, Timeout: time.Minute}},
	}
	base, srv, _ := serveForTest(t, cfg, f)
	eventually(t, "ready", func() bool { code, _ := get(t, base+"/readyz"); return code == 200 })
	st := srv.stacks[0]
	st.mu.Lock()
	st.report = apiTestReport(t, cfg.Stacks[0].Source)
	st.apiReport = srv.apiReport(st.cfg, st.report)
	st.mu.Unlock()
	_, body := get(t, base+"/api/v1/stacks")
	for _, never := range []string{"ada@example.com", cfg.Stacks[0].Source, "desired-name", "hunter2-secret"} {
		if strings.Contains(body, never) {
			t.Errorf("/api/v1/stacks shows %q:\n%s", never, body)
		}
	}
}
