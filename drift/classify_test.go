package drift

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	s := testSchema()
	live := map[string]cty.Value{"id": cty.StringVal("t-1"), "name": cty.StringVal("a"), "tenancy": cty.StringVal("default"),
		"tags": cty.MapVal(map[string]cty.Value{"Env": cty.StringVal("dev"), "Owner": cty.StringVal("bob")})}
	wantTags := func(env string) map[string]cty.Value {
		return map[string]cty.Value{"name": cty.StringVal("a"), "tags": cty.MapVal(map[string]cty.Value{"Env": cty.StringVal(env), "Owner": cty.StringVal("bob")})}
	}
	tests := []struct {
		name      string
		desired   map[string]cty.Value
		opts      ClassifyOptions
		status    Status
		diffs     string // paths, comma-separated
		reason    string // a part of the reason
		sensitive bool   // the diffs are sensitive
	}{
		{name: "equal", desired: wantTags("dev"), status: InSync},
		{name: "a difference", desired: wantTags("prod"), status: Drifted, diffs: "tags.Env"},
		{name: "ignore_changes covers it", desired: wantTags("prod"), opts: ClassifyOptions{IgnoreChanges: []string{"tags"}}, status: Ignored, reason: "covers the changes to tags.Env"},
		{name: "ignore_changes covers another attribute", desired: wantTags("prod"), opts: ClassifyOptions{IgnoreChanges: []string{"name", "tag"}}, status: Drifted, diffs: "tags.Env"},
		{name: "ignore_changes = all", desired: map[string]cty.Value{"name": cty.StringVal("b")}, opts: ClassifyOptions{IgnoreAll: true}, status: Ignored, reason: "name"},
		{name: "ignored and kept: drifted with the kept", desired: map[string]cty.Value{"name": cty.StringVal("b"), "tags": cty.MapVal(map[string]cty.Value{"Env": cty.StringVal("prod"), "Owner": cty.StringVal("bob")})},
			opts: ClassifyOptions{IgnoreChanges: []string{"tags.Env"}}, status: Drifted, diffs: "name"},
		{name: "from a sensitive variable", desired: wantTags("prod"), opts: ClassifyOptions{SensitivePaths: []string{"tags.Env"}}, status: Drifted, diffs: "tags.Env", sensitive: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Classify(s, obj(t, s, tt.desired), obj(t, s, live), tt.opts)
			var paths []string
			for _, d := range c.Diffs {
				paths = append(paths, d.Path)
				if d.Sensitive != tt.sensitive {
					t.Errorf("%s: sensitive %v, want %v", d.Path, d.Sensitive, tt.sensitive)
				}
			}
			if c.Status != tt.status || strings.Join(paths, ",") != tt.diffs || !strings.Contains(c.Reason, tt.reason) {
				t.Errorf("Classify = %s %v %q, want %s %q (reason with %q)", c.Status, paths, c.Reason, tt.status, tt.diffs, tt.reason)
			}
		})
	}
}

func TestCoveredBy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path     string
		prefixes []string
		want     bool
	}{
		{"tags", []string{"tags"}, true},
		{"tags.Env", []string{"tags"}, true},
		{"config[0].status", []string{"config"}, true},
		{"tags_all", []string{"tags"}, false},
		{"tag", []string{"tags"}, false},
		{"name", nil, false},
	}
	for _, tt := range tests {
		if got := coveredBy(tt.path, tt.prefixes); got != tt.want {
			t.Errorf("coveredBy(%q, %q) = %v, want %v", tt.path, tt.prefixes, got, tt.want)
		}
	}
}

func TestResultsPackAndRedact(t *testing.T) {
	t.Parallel()
	s := testSchema()
	rs := NewResults(4)
	rs.AddSecrets("test_thing", []string{"hidden"})
	rs.AddSecrets("test_thing", nil)
	if got := rs.Secrets("test_thing"); len(got) != 1 || got[0] != "hidden" {
		t.Fatalf("Secrets = %q", got)
	}
	v := obj(t, s, map[string]cty.Value{"id": cty.StringVal("t-1"), "name": cty.StringVal("a")})
	add := func(addr string, status Status, id string) {
		r := Result{Address: addr, Type: "test_thing", ID: id, Status: status}
		r.SetValues(v, v)
		rs.Add(r, rs.Secrets("test_thing"))
	}
	add("test_thing.z", Drifted, "t-1")
	add("test_thing.a", InSync, "t-2")
	add("", Unmanaged, "bucket-hidden-1")
	got := rs.Sorted()
	if len(got) != 3 || got[0].Status != Drifted || got[1].Status != Unmanaged || got[2].Status != InSync {
		t.Fatalf("not in report order: %+v", got)
	}
	if !got[0].DesiredValue().RawEquals(v) || !got[0].LiveValue().RawEquals(v) {
		t.Error("a drifted result lost its values (packed and unpacked)")
	}
	if got[2].DesiredValue() != cty.NilVal {
		t.Error("an in-sync result keeps its values")
	}
	if u := got[1]; u.ID != SensitiveID || u.LiveID() != "bucket-hidden-1" {
		t.Errorf("an ID holding a secret: shown %q, live %q", u.ID, u.LiveID())
	}
}
