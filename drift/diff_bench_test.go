package drift

import (
	"fmt"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// benchSchema is a security group and a bucket in one: a set of nested
// rules and a tags map, the two shapes that cost the most to compare.
func benchSchema() *providers.Schema {
	s := testSchema()
	s.Attributes["ingress"] = &providers.Attribute{Optional: true, Computed: true, Nested: &providers.NestedBlock{
		Nesting: providers.NestingSet,
		Attributes: map[string]*providers.Attribute{
			"from_port":   {Type: cty.Number, Required: true},
			"to_port":     {Type: cty.Number, Required: true},
			"protocol":    {Type: cty.String, Required: true},
			"cidr_blocks": {Type: cty.List(cty.String), Optional: true},
			"description": {Type: cty.String, Optional: true},
			"self":        {Type: cty.Bool, Optional: true, Default: cty.False},
		},
	}}
	return s
}

func benchRules(n int, extra bool) cty.Value {
	var elems []cty.Value
	for i := 0; i < n; i++ {
		elems = append(elems, cty.ObjectVal(map[string]cty.Value{
			"from_port":   cty.NumberIntVal(int64(1000 + i)),
			"to_port":     cty.NumberIntVal(int64(1000 + i)),
			"protocol":    cty.StringVal("tcp"),
			"cidr_blocks": cty.ListVal([]cty.Value{cty.StringVal(fmt.Sprintf("10.%d.0.0/16", i))}),
			"description": cty.StringVal(fmt.Sprintf("rule %d", i)),
			"self":        cty.False,
		}))
	}
	if extra {
		elems = append(elems, cty.ObjectVal(map[string]cty.Value{
			"from_port": cty.NumberIntVal(22), "to_port": cty.NumberIntVal(22), "protocol": cty.StringVal("tcp"),
			"cidr_blocks": cty.ListVal([]cty.Value{cty.StringVal("0.0.0.0/0")}), "description": cty.StringVal("ssh"), "self": cty.False,
		}))
	}
	return cty.SetVal(elems)
}

func benchTags(n int, changed bool) cty.Value {
	m := map[string]cty.Value{}
	for i := 0; i < n; i++ {
		m[fmt.Sprintf("Tag%02d", i)] = cty.StringVal(fmt.Sprintf("value-%d", i))
	}
	if changed {
		m["Tag00"] = cty.StringVal("changed")
		m["Owner"] = cty.StringVal("alice")
	}
	return cty.MapVal(m)
}

func benchCompare(b *testing.B, rules, tags int, drifted bool) {
	s := benchSchema()
	mk := func(live bool) cty.Value {
		m := map[string]cty.Value{}
		for name, a := range s.Attributes {
			m[name] = cty.NullVal(a.ImpliedType())
		}
		m["name"] = cty.StringVal("web")
		m["ingress"] = benchRules(rules, live && drifted)
		m["tags"] = benchTags(tags, live && drifted)
		if live {
			m["id"] = cty.StringVal("sg-0123")
			m["tenancy"] = cty.StringVal("default")
		}
		return cty.ObjectVal(m)
	}
	want, got := mk(false), mk(true)
	ranges := map[string]hcl.Range{"ingress": {Filename: "main.tf", Start: hcl.Pos{Line: 3}}, "tags": {Filename: "main.tf", Start: hcl.Pos{Line: 40}}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		diffs, err := Compare(s, want, got, DiffOptions{Ranges: ranges})
		if err != nil {
			b.Fatal(err)
		}
		if drifted != (len(diffs) > 0) {
			b.Fatalf("%d diffs, drifted %v", len(diffs), drifted)
		}
	}
}

// BenchmarkCompare diffs a security group with 50 ingress rules and 20
// tags, equal and with a rule and two tags changed.
func BenchmarkCompare(b *testing.B) {
	b.Run("rules=50/tags=20/in_sync", func(b *testing.B) { benchCompare(b, 50, 20, false) })
	b.Run("rules=50/tags=20/drifted", func(b *testing.B) { benchCompare(b, 50, 20, true) })
}
