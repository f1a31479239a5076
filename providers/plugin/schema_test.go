package plugin

import (
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// TestProvidersSchemaAttributesAsBlocks: an attribute of a list or set of
// objects, as terraform-provider-aws's aws_security_group declares
// ingress (SDKv2 ConfigModeAttr), may be written as blocks, as Terraform
// core allows; a computed-only one may not be written at all.
func TestProvidersSchemaAttributesAsBlocks(t *testing.T) {
	rule := cty.Object(map[string]cty.Type{
		"cidr_blocks": cty.List(cty.String),
		"from_port":   cty.Number,
		"protocol":    cty.String,
	})
	s := &Schema{Block: &Block{Attributes: map[string]*Attribute{
		"ingress":  {Type: cty.Set(rule), Optional: true, Computed: true},
		"route":    {Type: cty.List(rule), Required: true},
		"computed": {Type: cty.List(rule), Computed: true},
		"dynamic":  {Type: cty.List(cty.Object(map[string]cty.Type{"v": cty.DynamicPseudoType})), Optional: true},
		"names":    {Type: cty.Set(cty.String), Optional: true},
	}, BlockTypes: map[string]*NestedBlock{
		"configuration": {Nesting: NestingList, Block: Block{Attributes: map[string]*Attribute{
			"encryption": {Type: cty.List(rule), Optional: true},
		}}},
	}}}
	ps := s.ProvidersSchema("aws_security_group")
	tests := []struct {
		name    string
		nesting providers.Nesting // 0: not a block
	}{
		{"ingress", providers.NestingSet},
		{"route", providers.NestingList},
		{"computed", 0},
		{"dynamic", 0},
		{"names", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ps.Attributes[tt.name]
			if got, want := a.ImpliedType(), s.Block.Attributes[tt.name].Type; !got.Equals(want) {
				t.Errorf("type %#v, want %#v", got, want)
			}
			if tt.nesting == 0 {
				if a.Nested != nil {
					t.Errorf("Nested = %+v, want none", a.Nested)
				}
				return
			}
			if a.Nested == nil || !a.Nested.AttributeSyntax || a.Nested.Nesting != tt.nesting {
				t.Fatalf("Nested = %+v, want AttributeSyntax blocks of nesting %v", a.Nested, tt.nesting)
			}
			for name, sub := range a.Nested.Attributes {
				if !sub.Optional || sub.Required || sub.Computed {
					t.Errorf("%s: want optional", name)
				}
			}
		})
	}
	if nested := ps.Attributes["configuration"].Nested.Attributes["encryption"]; nested.Nested != nil {
		t.Errorf("configuration.encryption: Nested = %+v, want an attribute", nested.Nested)
	}
	reg := providers.NewRegistry(NewFactory("aws", nil, "", &ProviderSchema{
		Provider:      &Schema{Block: &Block{}},
		ResourceTypes: map[string]*Schema{"aws_security_group": s},
	}))
	blocks := reg.AttributeBlocks("aws_security_group")
	if len(blocks) != 2 || blocks["ingress"] == cty.NilType || blocks["route"] == cty.NilType {
		t.Errorf("AttributeBlocks = %v, want ingress and route", blocks)
	}
}

// TestProvidersSchemaTimeouts: the timeouts block of the SDK and the
// framework is never compared with the cloud.
func TestProvidersSchemaTimeouts(t *testing.T) {
	timeouts := Block{Attributes: map[string]*Attribute{"create": {Type: cty.String, Optional: true}}}
	s := &Schema{Block: &Block{
		Attributes: map[string]*Attribute{"name": {Type: cty.String, Required: true}},
		BlockTypes: map[string]*NestedBlock{"timeouts": {Block: timeouts, Nesting: NestingSingle}},
	}}
	ps := s.ProvidersSchema("aws_dynamodb_table")
	if !ps.Attributes["timeouts"].TerraformOnly || ps.Attributes["name"].TerraformOnly {
		t.Errorf("TerraformOnly: timeouts %v, name %v; want true, false", ps.Attributes["timeouts"].TerraformOnly, ps.Attributes["name"].TerraformOnly)
	}
}
