package scan

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/drift/filter"
	"github.com/gitdrift/driftctl/drift/ignore"
	"github.com/gitdrift/driftctl/gitsource"
	"github.com/gitdrift/driftctl/providers"
)

const ignoreConfig = `
resource "test_thing" "a" { name = "a" }
resource "test_thing" "b" {
  name        = "b"
  description = "want"
  tags        = { Env = "prod" }
}
resource "test_thing" "c" {
  name = "c"
  tags = { Env = "prod" }
}
`

// ignoreScan scans ignoreConfig from a Git commit that holds files as
// well, with opts' DriftIgnore and Filter.
func ignoreScan(t *testing.T, files map[string]string, opts Options) (*Result, error) {
	t.Helper()
	s := testSchema()
	fs := fstest.MapFS{"main.tf": {Data: []byte(ignoreConfig)}}
	for name, data := range files {
		fs[name] = &fstest.MapFile{Data: []byte(data)}
	}
	git := &fakeGit{files: fs, commit: gitsource.Commit{SHA: strings.Repeat("cd", 20), Repository: "https://git.example.com/infra.git"}}
	tags := func(env string) cty.Value { return cty.MapVal(map[string]cty.Value{"Env": cty.StringVal(env)}) }
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
		live(t, s, "t-a", map[string]cty.Value{"name": cty.StringVal("renamed")}),
		live(t, s, "t-b", map[string]cty.Value{"name": cty.StringVal("b"), "description": cty.StringVal("got"), "tags": tags("dev")}),
		live(t, s, "t-c", map[string]cty.Value{"name": cty.StringVal("c"), "tags": tags("dev")}),
		live(t, s, "t-e1", map[string]cty.Value{"name": cty.StringVal("e1"), "tags": tags("dev")}),
		live(t, s, "t-f", map[string]cty.Value{"name": cty.StringVal("f"), "tags": tags("test")}),
	}}}
	opts.Location, opts.GitReader, opts.Unmanaged = "https://git.example.com/infra.git", git, true
	opts.Git.Ref = "main"
	opts.States = []string{writeStateJSON(t, stateResource("test_thing.a", "t-a"), stateResource("test_thing.b", "t-b"), stateResource("test_thing.c", "t-c"))}
	return Run(context.Background(), f, opts)
}

func byKey(rep *drift.Report) map[string]*drift.Result {
	m := map[string]*drift.Result{}
	for i := range rep.Results {
		r := &rep.Results[i]
		key := r.Address
		if key == "" {
			key = "unmanaged:" + r.ID
		}
		m[key] = r
	}
	return m
}

// TestDriftIgnoreFromTheCommit: the .driftignore of the scanned commit
// (read through the Git reader, at the stack's path) ignores whole
// resources by address or ID, and attributes' drift; remediation would
// leave an ignored attribute as it is live.
func TestDriftIgnoreFromTheCommit(t *testing.T) {
	t.Parallel()
	res, err := ignoreScan(t, map[string]string{".driftignore": "# by address\ntest_thing.a\n" +
		"test_thing.t-b.tags.Env\ntest_thing.t-c.tags\n\ntest_thing.t-e*\n"}, Options{Git: gitsource.Options{Path: "stacks/prod"}})
	if err != nil {
		t.Fatal(err)
	}
	got := byKey(res.Report)
	tests := []struct {
		key, status, reason string
		diffs               []string
	}{
		{"test_thing.a", "ignored", "stacks/prod/.driftignore:2: test_thing.a", nil},
		{"test_thing.b", "drifted", "stacks/prod/.driftignore:3: test_thing.t-b.tags.Env ignores the drift of tags.Env", []string{"description"}},
		{"test_thing.c", "in_sync", "stacks/prod/.driftignore:4: test_thing.t-c.tags ignores the drift of tags.Env", nil},
		{"unmanaged:t-e1", "ignored", "stacks/prod/.driftignore:6: test_thing.t-e*", nil},
		{"unmanaged:t-f", "unmanaged", "", nil},
	}
	for _, tt := range tests {
		r := got[tt.key]
		if r == nil {
			t.Errorf("%s: not in the report", tt.key)
			continue
		}
		var paths []string
		for _, d := range r.Diffs {
			paths = append(paths, d.Path)
		}
		if string(r.Status) != tt.status || r.Reason != tt.reason || strings.Join(paths, ",") != strings.Join(tt.diffs, ",") {
			t.Errorf("%s: %s %q diffs %v, want %s %q diffs %v", tt.key, r.Status, r.Reason, paths, tt.status, tt.reason, tt.diffs)
		}
	}
	if len(got) != len(tests) {
		t.Errorf("%d results, want %d", len(got), len(tests))
	}
	if a := got["test_thing.a"]; a.DesiredValue() != cty.NilVal || a.LiveValue() != cty.NilVal {
		t.Errorf("an ignored resource keeps values that remediation could apply")
	}
	// Remediation applies the desired value: the ignored tag is as live.
	if env := got["test_thing.b"].DesiredValue().GetAttr("tags").Index(cty.StringVal("Env")); !env.RawEquals(cty.StringVal("dev")) {
		t.Errorf("desired tags.Env = %#v, want the live \"dev\"", env)
	}
	if s := res.Report.Summary(); s.Ignored != 2 || s.Drifted != 1 || s.InSync != 1 || s.Unmanaged != 1 {
		t.Errorf("summary %+v", s)
	}
}

func TestDriftIgnoreFlagReplacesTheStacks(t *testing.T) {
	t.Parallel()
	local := filepath.Join(t.TempDir(), "ignore")
	if err := os.WriteFile(local, []byte("test_thing.t-f\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := ignoreScan(t, map[string]string{".driftignore": "*\n"}, Options{DriftIgnore: local})
	if err != nil {
		t.Fatal(err)
	}
	got := byKey(res.Report)
	if r := got["unmanaged:t-f"]; r.Status != drift.Ignored || r.Reason != local+":1: test_thing.t-f" {
		t.Errorf("t-f: %s %q", r.Status, r.Reason)
	}
	if r := got["test_thing.a"]; r.Status != drift.Drifted {
		t.Errorf("test_thing.a: %s; the stack's .driftignore was read too", r.Status)
	}
}

func TestDriftIgnoreErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		opts  Options
		want  string
	}{
		{"malformed line", map[string]string{".driftignore": "test_thing.a\n\n!\n"}, Options{}, `.driftignore:3: "!": ! needs a rule after it`},
		{"missing --driftignore file", nil, Options{DriftIgnore: filepath.Join(t.TempDir(), "nope")}, "reading the ignore file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := ignoreScan(t, tt.files, tt.opts)
			var se *Error
			if !errors.As(err, &se) || se.Stage != StageLoad || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want a load error with %q", err, tt.want)
			}
			if res.Report != nil {
				t.Errorf("a report was made")
			}
		})
	}
}

// TestFilter: filtered-out results leave the report and its summary.
func TestFilter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		expr          string
		onlyManaged   bool
		onlyUnmanaged bool
		want          []string
	}{
		{"by tag", "tags.Env=='dev'", false, false, []string{"test_thing.b", "test_thing.c", "unmanaged:t-e1"}},
		{"snyk's spelling", "Type=='test_thing' && Id=='t-f'", false, false, []string{"unmanaged:t-f"}},
		{"only managed", "", true, false, []string{"test_thing.a", "test_thing.b", "test_thing.c"}},
		{"only unmanaged", "", false, true, []string{"unmanaged:t-e1", "unmanaged:t-f"}},
		{"ignored ones too", "status=='ignored'", false, false, []string{"test_thing.a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := filter.New(tt.expr, tt.onlyManaged, tt.onlyUnmanaged)
			if err != nil {
				t.Fatal(err)
			}
			res, err := ignoreScan(t, map[string]string{".driftignore": "test_thing.a\n"}, Options{Filter: f})
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for k := range byKey(res.Report) {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if strings.Join(keys, " ") != strings.Join(tt.want, " ") {
				t.Errorf("results %v, want %v", keys, tt.want)
			}
			if s := res.Report.Summary(); s.Total != len(tt.want) {
				t.Errorf("summary total %d, want %d", s.Total, len(tt.want))
			}
		})
	}
}

// TestApplyIgnoreStatuses: which statuses a whole-resource rule turns
// into ignored. A failed read stays unknown: what it is was not checked.
func TestApplyIgnoreStatuses(t *testing.T) {
	t.Parallel()
	rules, err := ignore.Parse(".driftignore", strings.NewReader("test_thing.*\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		res  drift.Result
		want drift.Status
	}{
		{drift.Result{Address: "test_thing.a", Type: "test_thing", ID: "a", Status: drift.InSync}, drift.Ignored},
		{drift.Result{Address: "test_thing.a", Type: "test_thing", ID: "a", Status: drift.Missing}, drift.Ignored},
		{drift.Result{Type: "test_thing", ID: "a", Status: drift.Unmanaged}, drift.Ignored},
		{drift.Result{Address: "test_thing.a", Type: "test_thing", ID: "a", Status: drift.Ignored, Reason: "lifecycle.ignore_changes covers the changes to tags"}, drift.Ignored},
		{drift.Result{Address: "test_thing.a", Type: "test_thing", Status: drift.Unknown, Reason: "reading failed"}, drift.Unknown},
		{drift.Result{Address: "test_thing.a", Type: "test_thing", Status: drift.Unknown, Unsupported: true, Reason: "no reader"}, drift.Ignored},
		{drift.Result{Address: "other_thing.a", Type: "other_thing", ID: "a", Status: drift.Missing}, drift.Missing},
	}
	for _, tt := range tests {
		results := []drift.Result{tt.res}
		applyIgnore(results, rules)
		got := results[0]
		if got.Status != tt.want {
			t.Errorf("%s %s: %s, want %s", tt.res.Status, tt.res.Address, got.Status, tt.want)
		}
		if got.Status == drift.Ignored && got.Reason != ".driftignore:1: test_thing.*" {
			t.Errorf("%s %s: reason %q", tt.res.Status, tt.res.Address, got.Reason)
		}
	}
}
