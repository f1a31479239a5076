package providers_test

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// nestedAttrs is the object of every nesting's tests: a required and an
// optional attribute, a computed-only one that configuration cannot set.
func nestedAttrs() map[string]*providers.Attribute {
	return map[string]*providers.Attribute{
		"name": {Type: cty.String, Required: true},
		"size": {Type: cty.Number, Optional: true},
		"arn":  {Type: cty.String, Computed: true},
	}
}

var nestedObj = cty.Object(map[string]cty.Type{"name": cty.String, "size": cty.Number, "arn": cty.String})

func TestImpliedTypeOfNestings(t *testing.T) {
	t.Parallel()
	dynamic := map[string]*providers.Attribute{"v": {Type: cty.DynamicPseudoType, Optional: true}}
	tests := []struct {
		name string
		nb   *providers.NestedBlock
		want cty.Type
	}{
		{name: "single block", nb: &providers.NestedBlock{Nesting: providers.NestingSingle, Attributes: nestedAttrs()}, want: nestedObj},
		{name: "group block", nb: &providers.NestedBlock{Nesting: providers.NestingGroup, Attributes: nestedAttrs()}, want: nestedObj},
		{name: "map blocks", nb: &providers.NestedBlock{Nesting: providers.NestingMap, Attributes: nestedAttrs()}, want: cty.Map(nestedObj)},
		{name: "map blocks of dynamic types", nb: &providers.NestedBlock{Nesting: providers.NestingMap, Attributes: dynamic}, want: cty.DynamicPseudoType},
		{name: "list blocks of dynamic types", nb: &providers.NestedBlock{Nesting: providers.NestingList, Attributes: dynamic}, want: cty.DynamicPseudoType},
		{name: "set blocks of dynamic types", nb: &providers.NestedBlock{Nesting: providers.NestingSet, Attributes: dynamic},
			want: cty.Set(cty.Object(map[string]cty.Type{"v": cty.DynamicPseudoType}))},
		{name: "single nested attribute", nb: &providers.NestedBlock{Nesting: providers.NestingSingle, AttributeOnly: true, Attributes: nestedAttrs()}, want: nestedObj},
		{name: "list nested attribute", nb: &providers.NestedBlock{Nesting: providers.NestingList, AttributeOnly: true, Attributes: nestedAttrs()}, want: cty.List(nestedObj)},
		{name: "set nested attribute", nb: &providers.NestedBlock{Nesting: providers.NestingSet, AttributeOnly: true, Attributes: nestedAttrs()}, want: cty.Set(nestedObj)},
		{name: "map nested attribute", nb: &providers.NestedBlock{Nesting: providers.NestingMap, AttributeOnly: true, Attributes: nestedAttrs()}, want: cty.Map(nestedObj)},
		{name: "nested attribute in a nested attribute", nb: &providers.NestedBlock{Nesting: providers.NestingSingle, AttributeOnly: true, Attributes: map[string]*providers.Attribute{
			"inner": {Optional: true, Nested: &providers.NestedBlock{Nesting: providers.NestingMap, AttributeOnly: true, Attributes: nestedAttrs()}},
		}}, want: cty.Object(map[string]cty.Type{"inner": cty.Map(nestedObj)})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := &providers.Attribute{Optional: true, Nested: tt.nb}
			if got := a.ImpliedType(); !got.Equals(tt.want) {
				t.Errorf("ImpliedType() = %#v, want %#v", got, tt.want)
			}
		})
	}
}

// decodeHCL parses src with hclparse, as config does, and decodes it with
// the schema's DecoderSpec.
func decodeHCL(t *testing.T, s *providers.Schema, src string) (cty.Value, hcl.Diagnostics) {
	t.Helper()
	f, diags := hclparse.NewParser().ParseHCL([]byte(src), "main.tf")
	if diags.HasErrors() {
		t.Fatalf("parsing %q: %s", src, diags)
	}
	return hcldec.Decode(f.Body, s.DecoderSpec(), nil)
}

// withComputed is v, an object decoded from configuration, with the
// computed-only attributes of attrs that configuration cannot set added as
// null, at every depth: a value of ImpliedType when v conforms.
func withComputed(attrs map[string]*providers.Attribute, v cty.Value) cty.Value {
	if v.IsNull() || !v.IsKnown() {
		return cty.NullVal(providers.ImpliedType(attrs))
	}
	m := map[string]cty.Value{}
	for name, a := range attrs {
		if !v.Type().HasAttribute(name) {
			m[name] = cty.NullVal(a.ImpliedType())
			continue
		}
		sub := v.GetAttr(name)
		switch {
		case a.Nested == nil:
			m[name] = sub
		case sub.IsNull():
			m[name] = cty.NullVal(a.ImpliedType())
		case a.Nested.Nesting == providers.NestingSingle || a.Nested.Nesting == providers.NestingGroup:
			m[name] = withComputed(a.Nested.Attributes, sub)
		default:
			ty := a.ImpliedType()
			switch {
			case ty.IsMapType():
				elems := map[string]cty.Value{}
				for k, e := range sub.AsValueMap() {
					elems[k] = withComputed(a.Nested.Attributes, e)
				}
				m[name] = mapOrEmpty(ty, elems)
			default:
				var elems []cty.Value
				for it := sub.ElementIterator(); it.Next(); {
					_, e := it.Element()
					elems = append(elems, withComputed(a.Nested.Attributes, e))
				}
				m[name] = collectionOf(ty, elems)
			}
		}
	}
	return cty.ObjectVal(m)
}

func mapOrEmpty(ty cty.Type, elems map[string]cty.Value) cty.Value {
	if len(elems) == 0 {
		return cty.MapValEmpty(ty.ElementType())
	}
	return cty.MapVal(elems)
}

func collectionOf(ty cty.Type, elems []cty.Value) cty.Value {
	switch {
	case ty.IsSetType() && len(elems) == 0:
		return cty.SetValEmpty(ty.ElementType())
	case ty.IsSetType():
		return cty.SetVal(elems)
	case len(elems) == 0:
		return cty.ListValEmpty(ty.ElementType())
	}
	return cty.ListVal(elems)
}

// TestDecoderSpecOfNestings decodes configurations of each nesting: the
// value, with the computed-only attributes added, is of ImpliedType, and
// an absent block or attribute decodes as Terraform decodes it.
func TestDecoderSpecOfNestings(t *testing.T) {
	t.Parallel()
	block := func(n providers.Nesting, minItems int) *providers.Attribute {
		return &providers.Attribute{Optional: minItems == 0, Required: minItems > 0,
			Nested: &providers.NestedBlock{Nesting: n, MinItems: minItems, Attributes: nestedAttrs()}}
	}
	nested := func(n providers.Nesting, required bool) *providers.Attribute {
		return &providers.Attribute{Optional: !required, Required: required,
			Nested: &providers.NestedBlock{Nesting: n, AttributeOnly: true, Attributes: nestedAttrs()}}
	}
	group := block(providers.NestingGroup, 0)
	group.Nested.Attributes["inner"] = block(providers.NestingList, 0)
	tests := []struct {
		name    string
		attr    *providers.Attribute
		src     string
		check   func(t *testing.T, b cty.Value)
		wantErr string
	}{
		{name: "single block", attr: block(providers.NestingSingle, 0), src: `b { name = "x" }`, check: func(t *testing.T, b cty.Value) {
			if b.GetAttr("name").AsString() != "x" || !b.GetAttr("size").IsNull() {
				t.Errorf("b = %#v", b)
			}
		}},
		{name: "single block absent is null", attr: block(providers.NestingSingle, 0), src: ``, check: isNull},
		{name: "single block twice", attr: block(providers.NestingSingle, 0), src: "b { name = \"x\" }\nb { name = \"y\" }", wantErr: "Duplicate b block"},
		{name: "required single block absent", attr: block(providers.NestingSingle, 1), src: ``, wantErr: "Missing b block"},
		{name: "group block", attr: group, src: "b {\n name = \"x\"\n inner { name = \"i\" }\n}", check: func(t *testing.T, b cty.Value) {
			if b.GetAttr("name").AsString() != "x" || b.GetAttr("inner").LengthInt() != 1 {
				t.Errorf("b = %#v", b)
			}
		}},
		{name: "group block absent is an object of nulls and no blocks", attr: group, src: ``, check: func(t *testing.T, b cty.Value) {
			if b.IsNull() || !b.GetAttr("name").IsNull() || !b.GetAttr("inner").Type().IsListType() || b.GetAttr("inner").LengthInt() != 0 {
				t.Errorf("b = %#v, want an object of nulls and an empty list", b)
			}
		}},
		{name: "map blocks by label", attr: block(providers.NestingMap, 0), src: "b \"one\" { name = \"x\" }\nb \"two\" {\n name = \"y\"\n size = 2\n}", check: func(t *testing.T, b cty.Value) {
			m := b.AsValueMap()
			if len(m) != 2 || m["one"].GetAttr("name").AsString() != "x" || m["two"].GetAttr("size").AsBigFloat().String() != "2" {
				t.Errorf("b = %#v", b)
			}
		}},
		{name: "map blocks absent are an empty map", attr: block(providers.NestingMap, 0), src: ``, check: func(t *testing.T, b cty.Value) {
			if b.IsNull() || b.LengthInt() != 0 {
				t.Errorf("b = %#v, want an empty map", b)
			}
		}},
		{name: "map blocks with one label twice", attr: block(providers.NestingMap, 0), src: "b \"one\" { name = \"x\" }\nb \"one\" { name = \"y\" }", wantErr: "Duplicate b block"},
		{name: "map block without its label", attr: block(providers.NestingMap, 0), src: `b { name = "x" }`, wantErr: "Missing key for b"},
		{name: "single nested attribute", attr: nested(providers.NestingSingle, false), src: `b = { name = "x" }`, check: func(t *testing.T, b cty.Value) {
			if b.GetAttr("name").AsString() != "x" || !b.GetAttr("size").IsNull() {
				t.Errorf("b = %#v", b)
			}
		}},
		{name: "single nested attribute null", attr: nested(providers.NestingSingle, false), src: `b = null`, check: isNull},
		{name: "single nested attribute left out", attr: nested(providers.NestingSingle, false), src: ``, check: isNull},
		{name: "single nested attribute without a required attribute", attr: nested(providers.NestingSingle, false), src: `b = { size = 1 }`, wantErr: "Incorrect attribute value type"},
		{name: "required nested attribute left out", attr: nested(providers.NestingSingle, true), src: ``, wantErr: "Missing required argument"},
		{name: "list nested attribute", attr: nested(providers.NestingList, false), src: `b = [{ name = "x" }, { name = "y", size = 1 }]`, check: func(t *testing.T, b cty.Value) {
			if b.LengthInt() != 2 || b.Index(cty.NumberIntVal(1)).GetAttr("name").AsString() != "y" {
				t.Errorf("b = %#v", b)
			}
		}},
		{name: "list nested attribute empty is not left out", attr: nested(providers.NestingList, false), src: `b = []`, check: func(t *testing.T, b cty.Value) {
			if b.IsNull() || b.LengthInt() != 0 {
				t.Errorf("b = %#v, want an empty list", b)
			}
		}},
		{name: "set nested attribute", attr: nested(providers.NestingSet, false), src: `b = [{ name = "x" }, { name = "x" }]`, check: func(t *testing.T, b cty.Value) {
			if b.LengthInt() != 1 {
				t.Errorf("b = %#v, want one element", b)
			}
		}},
		{name: "map nested attribute", attr: nested(providers.NestingMap, false), src: `b = { one = { name = "x" }, two = { name = "y" } }`, check: func(t *testing.T, b cty.Value) {
			if m := b.AsValueMap(); len(m) != 2 || m["two"].GetAttr("name").AsString() != "y" {
				t.Errorf("b = %#v", b)
			}
		}},
		{name: "map nested attribute left out", attr: nested(providers.NestingMap, false), src: ``, check: isNull},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &providers.Schema{Type: "cloud_thing", Attributes: map[string]*providers.Attribute{
				"b":     tt.attr,
				"token": {Type: cty.String, Optional: true, Sensitive: true, WriteOnly: true},
			}}
			got, diags := decodeHCL(t, s, tt.src+"\ntoken = \"t\"\n")
			if tt.wantErr != "" {
				if !hasSummary(diags, tt.wantErr) {
					t.Errorf("diagnostics %v, want %q", diags, tt.wantErr)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatalf("decoding: %s", diags)
			}
			if got.GetAttr("token").AsString() != "t" {
				t.Errorf("a write-only attribute is set in configuration: token = %#v", got.GetAttr("token"))
			}
			if full := withComputed(s.Attributes, got); !full.Type().Equals(s.ImpliedType()) {
				t.Errorf("decoded %#v\nwith computed attributes: %#v\nwant ImpliedType %#v", got.Type(), full.Type(), s.ImpliedType())
			}
			tt.check(t, got.GetAttr("b"))
		})
	}
}

func isNull(t *testing.T, v cty.Value) {
	t.Helper()
	if !v.IsNull() {
		t.Errorf("%#v, want null", v)
	}
}
