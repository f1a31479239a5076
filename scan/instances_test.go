package scan

import (
	"testing"

	"github.com/zclconf/go-cty/cty"

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
