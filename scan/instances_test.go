package scan

import (
	"slices"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/providers"
)

// TestAbsentAttributeBlocks: an attribute that may be written as blocks
// is null to the provider when the configuration writes neither blocks
// nor the attribute, as in Terraform, and stays empty when written
// `egress = []`.
func TestAbsentAttributeBlocks(t *testing.T) {
	rule := cty.Object(map[string]cty.Type{"from_port": cty.Number})
	rules := &providers.Attribute{Optional: true, Computed: true, Nested: &providers.NestedBlock{
		Nesting: providers.NestingSet, AttributeSyntax: true,
		Attributes: map[string]*providers.Attribute{"from_port": {Type: cty.Number, Optional: true}},
	}}
	schema := &providers.Schema{Attributes: map[string]*providers.Attribute{
		"ingress": rules,
		"egress":  rules,
		"block": {Optional: true, Nested: &providers.NestedBlock{
			Nesting:    providers.NestingList,
			Attributes: map[string]*providers.Attribute{"x": {Type: cty.String, Optional: true}},
		}},
	}}
	block := cty.Object(map[string]cty.Type{"x": cty.String})
	one := cty.SetVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"from_port": cty.NumberIntVal(443)})})
	cfg := func(ingress, egress cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"ingress": ingress, "egress": egress, "block": cty.ListValEmpty(block)})
	}
	tests := []struct {
		name      string
		cfg, want cty.Value
		written   []string
	}{
		{"neither written", cfg(one, cty.SetValEmpty(rule)), cfg(one, cty.NullVal(cty.Set(rule))), nil},
		{"written empty", cfg(one, cty.SetValEmpty(rule)), cfg(one, cty.SetValEmpty(rule)), []string{"egress"}},
		{"unknown", cfg(one, cty.UnknownVal(cty.Set(rule))), cfg(one, cty.UnknownVal(cty.Set(rule))), nil},
		{"both absent", cfg(cty.SetValEmpty(rule), cty.SetValEmpty(rule)), cfg(cty.NullVal(cty.Set(rule)), cty.NullVal(cty.Set(rule))), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := absentAttributeBlocks(schema, tt.cfg, tt.written)
			if !got.RawEquals(tt.want) {
				t.Errorf("got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

// TestEchoesDropped: terraform-provider-aws plans tags_all as tags over
// the provider's default_tags, so a tag changed by hand differs in both;
// it is reported once, at tags. What only tags_all says stays.
func TestEchoesDropped(t *testing.T) {
	tagsType := cty.Map(cty.String)
	schema := &providers.Schema{Attributes: map[string]*providers.Attribute{
		"tags":     {Type: tagsType, Optional: true},
		"tags_all": {Type: tagsType, Optional: true, Computed: true},
		"name":     {Type: cty.String, Optional: true, Computed: true},
		"alias":    {Type: cty.String, Optional: true},
	}}
	cfg := cty.ObjectVal(map[string]cty.Value{
		"tags":     cty.MapVal(map[string]cty.Value{"Team": cty.StringVal("core")}),
		"tags_all": cty.NullVal(tagsType),
		"name":     cty.NullVal(cty.String),
		"alias":    cty.StringVal("a"),
	})
	s := cty.StringVal
	null := cty.NullVal(cty.String)
	diffs := []drift.Diff{
		{Path: "tags.Team", Want: s("core"), Got: s("ops")},
		{Path: "tags_all.Team", Want: s("core"), Got: s("ops")}, // echo
		{Path: "tags.Owner", Want: null, Got: s("bob")},
		{Path: "tags_all.Owner", Want: null, Got: s("bob")},        // echo
		{Path: "tags_all.Env", Want: s("prod"), Got: null},         // its own: a default tag removed
		{Path: "tags_all.Stack", Want: s("wide"), Got: s("other")}, // differs from tags.Stack
		{Path: "tags.Stack", Want: null, Got: s("other")},
		{Path: "name", Want: s("x"), Got: s("y")}, // whole attributes never echo
		{Path: "alias", Want: s("x"), Got: s("y")},
	}
	var got []string
	for _, d := range echoesDropped(schema, cfg, diffs) {
		got = append(got, d.Path)
	}
	want := []string{"tags.Team", "tags.Owner", "tags_all.Env", "tags_all.Stack", "tags.Stack", "name", "alias"}
	if !slices.Equal(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
}

// TestNotImportable: an import reads no Terraform-only argument (null as
// a whole), but a tag missing from a map it read is a difference.
func TestNotImportable(t *testing.T) {
	s, null := cty.StringVal, cty.NullVal(cty.String)
	imported := cty.ObjectVal(map[string]cty.Value{
		"force_destroy": cty.NullVal(cty.Bool),
		"tags_all":      cty.MapVal(map[string]cty.Value{"Team": s("core")}),
		"name":          s("q"),
	})
	diffs := []drift.Diff{
		{Path: "force_destroy", Want: cty.True, Got: cty.NullVal(cty.Bool)},
		{Path: "tags_all.Env", Want: s("test"), Got: null},
		{Path: "name", Want: s("p"), Got: s("q")},
	}
	kept, reason := notImportable(diffs, "", imported)
	var got []string
	for _, d := range kept {
		got = append(got, d.Path)
	}
	if want := []string{"tags_all.Env", "name"}; !slices.Equal(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
	if want := "not compared, as an import cannot read them: force_destroy"; reason != want {
		t.Errorf("reason %q, want %q", reason, want)
	}
}
