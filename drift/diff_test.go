package drift

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// testSchema has one attribute of each kind the engine treats differently.
func testSchema() *providers.Schema {
	lower := providers.NormalizerFunc(func(v cty.Value) (cty.Value, error) {
		if v.IsNull() {
			return v, nil
		}
		return cty.StringVal(strings.ToLower(v.AsString())), nil
	})
	sameLength := providers.ComparerFunc(func(want, got cty.Value) (bool, error) {
		return len(want.AsString()) == len(got.AsString()), nil
	})
	return &providers.Schema{
		Type: "test_thing",
		Tags: true,
		Attributes: map[string]*providers.Attribute{
			"id":            {Type: cty.String, Computed: true},
			"name":          {Type: cty.String, Required: true},
			"size":          {Type: cty.Number, Optional: true, Computed: true},
			"description":   {Type: cty.String, Optional: true},
			"tenancy":       {Type: cty.String, Optional: true, Default: cty.StringVal("default")},
			"mode":          {Type: cty.String, Optional: true, Normalizer: lower},
			"policy":        {Type: cty.String, Optional: true, Comparer: sameLength},
			"zones":         {Type: cty.Set(cty.String), Optional: true},
			"order":         {Type: cty.List(cty.String), Optional: true},
			"tags":          {Type: cty.Map(cty.String), Optional: true},
			"force_destroy": {Type: cty.Bool, Optional: true, TerraformOnly: true},
			"secret":        {Type: cty.String, Optional: true, Sensitive: true},
			"config": {Optional: true, Computed: true, Nested: &providers.NestedBlock{
				Nesting: providers.NestingList, MaxItems: 1,
				Attributes: map[string]*providers.Attribute{
					"status": {Type: cty.String, Required: true},
					"mfa":    {Type: cty.String, Optional: true, Computed: true},
				},
			}},
			"rule": {Optional: true, Computed: true, Nested: &providers.NestedBlock{
				Nesting: providers.NestingSet,
				Attributes: map[string]*providers.Attribute{
					"port":        {Type: cty.Number, Required: true},
					"description": {Type: cty.String, Optional: true},
				},
			}},
		},
	}
}

// obj builds a value of the test schema: attributes not given are null.
func obj(t *testing.T, s *providers.Schema, attrs map[string]cty.Value) cty.Value {
	t.Helper()
	m := map[string]cty.Value{}
	for name, a := range s.Attributes {
		if v, ok := attrs[name]; ok {
			m[name] = v
		} else {
			m[name] = cty.NullVal(a.ImpliedType())
		}
	}
	v := cty.ObjectVal(m)
	if !v.Type().Equals(s.ImpliedType()) {
		t.Fatalf("test value does not conform to the schema: %#v", v.Type())
	}
	return v
}

func rules(ports ...int64) cty.Value {
	var elems []cty.Value
	for _, p := range ports {
		elems = append(elems, cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(p), "description": cty.StringVal("")}))
	}
	return cty.SetVal(elems)
}

func TestCompare(t *testing.T) {
	s := testSchema()
	name := cty.StringVal("a")
	liveBase := map[string]cty.Value{"id": cty.StringVal("t-1"), "name": name, "size": cty.NumberIntVal(3), "tenancy": cty.StringVal("default")}
	with := func(base map[string]cty.Value, extra map[string]cty.Value) map[string]cty.Value {
		m := map[string]cty.Value{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name      string
		want, got map[string]cty.Value
		paths     []string
	}{
		{"in sync with computed attributes left out", map[string]cty.Value{"name": name}, liveBase, nil},
		{"required attribute changed", map[string]cty.Value{"name": cty.StringVal("b")}, liveBase, []string{"name"}},
		{"optional+computed set in config must match", map[string]cty.Value{"name": name, "size": cty.NumberIntVal(4)}, liveBase, []string{"size"}},
		{"optional non-computed left out must be empty", map[string]cty.Value{"name": name}, with(liveBase, map[string]cty.Value{"description": cty.StringVal("by hand")}), []string{"description"}},
		{"empty string equals null", map[string]cty.Value{"name": name}, with(liveBase, map[string]cty.Value{"description": cty.StringVal("")}), nil},
		{"default applies when left out", map[string]cty.Value{"name": name}, with(liveBase, map[string]cty.Value{"tenancy": cty.StringVal("dedicated")}), []string{"tenancy"}},
		{"normalizer on both sides", map[string]cty.Value{"name": name, "mode": cty.StringVal("FAST")}, with(liveBase, map[string]cty.Value{"mode": cty.StringVal("fast")}), nil},
		{"comparer decides", map[string]cty.Value{"name": name, "policy": cty.StringVal("abc")}, with(liveBase, map[string]cty.Value{"policy": cty.StringVal("xyz")}), nil},
		{"comparer finds a difference", map[string]cty.Value{"name": name, "policy": cty.StringVal("abc")}, with(liveBase, map[string]cty.Value{"policy": cty.StringVal("xy")}), []string{"policy"}},
		{"sets ignore order", map[string]cty.Value{"name": name, "zones": cty.SetVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a")})},
			with(liveBase, map[string]cty.Value{"zones": cty.SetVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")})}), nil},
		{"lists keep order", map[string]cty.Value{"name": name, "order": cty.ListVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a")})},
			with(liveBase, map[string]cty.Value{"order": cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")})}), []string{"order"}},
		{"maps compare by key", map[string]cty.Value{"name": name, "tags": cty.MapVal(map[string]cty.Value{"Env": cty.StringVal("prod")})},
			with(liveBase, map[string]cty.Value{"tags": cty.MapVal(map[string]cty.Value{"Env": cty.StringVal("dev"), "Owner": cty.StringVal("bob")})}), []string{"tags.Env", "tags.Owner"}},
		{"a tag added by hand to an untagged resource", map[string]cty.Value{"name": name},
			with(liveBase, map[string]cty.Value{"tags": cty.MapVal(map[string]cty.Value{"Owner": cty.StringVal("bob")})}), []string{"tags"}},
		{"terraform-only attributes are never compared", map[string]cty.Value{"name": name, "force_destroy": cty.True}, liveBase, nil},
		{"unknown values are not compared", map[string]cty.Value{"name": cty.UnknownVal(cty.String)}, liveBase, nil},
		{"nested list block compares its attributes", map[string]cty.Value{"name": name, "config": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"status": cty.StringVal("Enabled"), "mfa": cty.NullVal(cty.String)})})},
			with(liveBase, map[string]cty.Value{"config": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"status": cty.StringVal("Suspended"), "mfa": cty.StringVal("Disabled")})})}), []string{"config[0].status"}},
		{"optional+computed block left out accepts any", map[string]cty.Value{"name": name},
			with(liveBase, map[string]cty.Value{"config": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"status": cty.StringVal("Suspended"), "mfa": cty.StringVal("Disabled")})})}), nil},
		{"set blocks match without order", map[string]cty.Value{"name": name, "rule": rules(443, 80)}, with(liveBase, map[string]cty.Value{"rule": rules(80, 443)}), nil},
		{"set block element added by hand", map[string]cty.Value{"name": name, "rule": rules(443)}, with(liveBase, map[string]cty.Value{"rule": rules(443, 22)}), []string{"rule"}},
		{"set block: omitted optional nested attribute equals empty live",
			map[string]cty.Value{"name": name, "rule": cty.SetVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(443), "description": cty.NullVal(cty.String)})})},
			with(liveBase, map[string]cty.Value{"rule": rules(443)}), nil},
		{"set block with an unknown part is not compared",
			map[string]cty.Value{"name": name, "rule": cty.SetVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"port": cty.UnknownVal(cty.Number), "description": cty.NullVal(cty.String)})})},
			with(liveBase, map[string]cty.Value{"rule": rules(443, 22)}), nil},
		{"set blocks that filling makes equal are one",
			map[string]cty.Value{"name": name, "rule": cty.SetVal([]cty.Value{
				cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(443), "description": cty.NullVal(cty.String)}),
				cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(443), "description": cty.StringVal("")}),
			})},
			with(liveBase, map[string]cty.Value{"rule": rules(443)}), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diffs, err := Compare(s, obj(t, s, tt.want), obj(t, s, tt.got), DiffOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var paths []string
			for _, d := range diffs {
				paths = append(paths, d.Path)
			}
			if strings.Join(paths, ",") != strings.Join(tt.paths, ",") {
				t.Errorf("diff paths = %v, want %v", paths, tt.paths)
			}
		})
	}
}

func TestCompareKeepsRangesAndSensitivity(t *testing.T) {
	s := testSchema()
	want := obj(t, s, map[string]cty.Value{"name": cty.StringVal("a"), "secret": cty.StringVal("hunter2"),
		"tags": cty.MapVal(map[string]cty.Value{"Env": cty.StringVal("prod")})})
	got := obj(t, s, map[string]cty.Value{"name": cty.StringVal("a"), "secret": cty.StringVal("changed"), "tenancy": cty.StringVal("default"),
		"tags": cty.MapVal(map[string]cty.Value{"Env": cty.StringVal("dev")})})
	tagsRange := hcl.Range{Filename: "main.tf", Start: hcl.Pos{Line: 7}}
	diffs, err := Compare(s, want, got, DiffOptions{Ranges: map[string]hcl.Range{"tags": tagsRange}})
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 2 {
		t.Fatalf("got %d diffs, want 2: %v", len(diffs), diffs)
	}
	if d := diffs[0]; d.Path != "secret" || !d.Sensitive || d.Range != nil {
		t.Errorf("secret diff = %+v, want sensitive without range", d)
	}
	if d := diffs[1]; d.Path != "tags.Env" || d.Sensitive || d.Range == nil || d.Range.Start.Line != 7 {
		t.Errorf("tags diff = %+v, want the range of tags (line 7)", d)
	}
}

func TestWithDefaultTags(t *testing.T) {
	s := testSchema()
	config := obj(t, s, map[string]cty.Value{"name": cty.StringVal("a"), "tags": cty.MapVal(map[string]cty.Value{"Env": cty.StringVal("prod")})})
	merged := WithDefaultTags(config, map[string]string{"Env": "default", "Team": "platform"})
	got := merged.GetAttr("tags").AsValueMap()
	if got["Env"].AsString() != "prod" || got["Team"].AsString() != "platform" || len(got) != 2 {
		t.Errorf("merged tags = %v, want Env=prod (resource wins) and Team=platform", got)
	}
	untagged := obj(t, s, map[string]cty.Value{"name": cty.StringVal("a")})
	if tags := WithDefaultTags(untagged, map[string]string{"Team": "platform"}).GetAttr("tags"); tags.IsNull() || tags.LengthInt() != 1 {
		t.Errorf("default tags on an untagged resource = %#v, want Team", tags)
	}
}

func TestCompareTreatsNoBlocksAsLeftOut(t *testing.T) {
	s := testSchema()
	emptyRules := cty.SetValEmpty(s.Attributes["rule"].ImpliedType().ElementType())
	want := obj(t, s, map[string]cty.Value{"name": cty.StringVal("a"), "rule": emptyRules})
	got := obj(t, s, map[string]cty.Value{"name": cty.StringVal("a"), "tenancy": cty.StringVal("default"), "rule": rules(443)})
	diffs, err := Compare(s, want, got, DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 0 {
		t.Errorf("an optional+computed block written nowhere accepts any live value; got diffs %v", diffs)
	}
}

// An empty set of blocks written as an attribute (`rule = []`) says
// "none": live rules are drift. Left out (no blocks), an optional+computed
// set accepts any.
func TestCompareEmptyAttributeSyntax(t *testing.T) {
	s := testSchema()
	want := obj(t, s, map[string]cty.Value{"name": cty.StringVal("a"), "rule": cty.SetValEmpty(s.Attributes["rule"].ImpliedType().ElementType())})
	got := obj(t, s, map[string]cty.Value{"id": cty.StringVal("t-1"), "name": cty.StringVal("a"), "size": cty.NumberIntVal(3), "tenancy": cty.StringVal("default"), "rule": rules(22)})
	for _, tt := range []struct {
		syntax []string
		paths  string
	}{
		{nil, ""},
		{[]string{"rule"}, "rule"},
	} {
		diffs, err := Compare(s, want, got, DiffOptions{AttributeSyntax: tt.syntax})
		if err != nil {
			t.Fatal(err)
		}
		var paths []string
		for _, d := range diffs {
			paths = append(paths, d.Path)
		}
		if strings.Join(paths, ",") != tt.paths {
			t.Errorf("AttributeSyntax %v: diffs %v, want %q", tt.syntax, paths, tt.paths)
		}
	}
}
