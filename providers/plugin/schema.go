package plugin

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// ProviderSchema is what a provider declares: the schema of its own
// configuration and of each resource type and data source.
type ProviderSchema struct {
	Provider      *Schema
	ResourceTypes map[string]*Schema
	DataSources   map[string]*Schema
}

// Schema is the schema of one resource type, data source or provider
// configuration. Version is the resource type's schema version, the one a
// state records as schema_version.
type Schema struct {
	Version int64
	Block   *Block
}

// Block is a configuration block: attributes and nested block types.
type Block struct {
	Attributes map[string]*Attribute
	BlockTypes map[string]*NestedBlock
	Deprecated bool
}

// Attribute is one attribute of a block or of a nested attribute's object.
// Exactly one of Type and NestedType is set.
type Attribute struct {
	Type cty.Type
	// NestedType makes the attribute a nested attribute (protocol 6 only).
	NestedType *Object
	Required   bool
	Optional   bool
	Computed   bool
	Sensitive  bool
	// WriteOnly attributes are configuration only: never in state.
	WriteOnly  bool
	Deprecated bool
}

// Nesting is how a nested block or a nested attribute's objects repeat.
type Nesting int

// The nestings of the protocol. Group is for blocks only.
const (
	NestingSingle Nesting = iota + 1
	NestingGroup
	NestingList
	NestingSet
	NestingMap
)

// NestedBlock is a nested block type: its content, how it repeats, and
// the bounds on its count (0 when unbounded).
type NestedBlock struct {
	Block
	Nesting            Nesting
	MinItems, MaxItems int64
}

// Object is the type of a nested attribute: attributes and how the
// objects repeat.
type Object struct {
	Attributes map[string]*Attribute
	Nesting    Nesting
}

// ImpliedType is the type of a value of the block, the one DynamicValues
// of its schema are encoded against. It follows Terraform's
// configschema: a list or map of blocks whose objects contain a dynamic
// type is itself dynamic, since its elements may differ in type.
func (b *Block) ImpliedType() cty.Type {
	if b == nil {
		return cty.EmptyObject
	}
	m := make(map[string]cty.Type, len(b.Attributes)+len(b.BlockTypes))
	for name, a := range b.Attributes {
		m[name] = a.ImpliedType()
	}
	for name, nb := range b.BlockTypes {
		m[name] = nb.ImpliedType()
	}
	return cty.Object(m)
}

// ImpliedType is the type of the block's value in its parent's object.
func (nb *NestedBlock) ImpliedType() cty.Type {
	return collection(nb.Nesting, nb.Block.ImpliedType())
}

// ImpliedType is the attribute's value type.
func (a *Attribute) ImpliedType() cty.Type {
	if a.NestedType == nil {
		return a.Type
	}
	return a.NestedType.ImpliedType()
}

// ImpliedType is the type of a nested attribute's value.
func (o *Object) ImpliedType() cty.Type {
	m := make(map[string]cty.Type, len(o.Attributes))
	for name, a := range o.Attributes {
		m[name] = a.ImpliedType()
	}
	return collection(o.Nesting, cty.Object(m))
}

func collection(n Nesting, obj cty.Type) cty.Type {
	switch n {
	case NestingList:
		if obj.HasDynamicTypes() {
			return cty.DynamicPseudoType
		}
		return cty.List(obj)
	case NestingSet:
		return cty.Set(obj)
	case NestingMap:
		if obj.HasDynamicTypes() {
			return cty.DynamicPseudoType
		}
		return cty.Map(obj)
	default:
		return obj
	}
}

// ImpliedType is the type of a value of the schema (cty.EmptyObject for a
// provider without configuration).
func (s *Schema) ImpliedType() cty.Type {
	if s == nil {
		return cty.EmptyObject
	}
	return s.Block.ImpliedType()
}

// ProvidersSchema converts the schema of resource type or data source typ
// into driftctl's providers.Schema: attributes with their flags, nested
// blocks and nested attributes. What a plugin cannot say (Identity,
// Global, Tags, normalizers) is left empty: the provider itself applies
// its semantics when it plans.
func (s *Schema) ProvidersSchema(typ string) *providers.Schema {
	var b *Block
	if s != nil {
		b = s.Block
	}
	attrs := providersAttributes(b)
	if b != nil {
		for name, a := range b.Attributes {
			if nb := attributeAsBlocks(a); nb != nil {
				attrs[name].Nested = nb
			}
		}
	}
	// "timeouts" is how long Terraform waits for the provider's calls:
	// terraform-plugin-sdk reserves the name for it (schema.TimeoutsConfigKey)
	// and terraform-plugin-framework-timeouts uses it too. It is kept in the
	// state and never read from the cloud.
	if a := attrs[timeoutsName]; a != nil {
		a.TerraformOnly = true
	}
	return &providers.Schema{Type: typ, Attributes: attrs}
}

const timeoutsName = "timeouts"

func providersAttributes(b *Block) map[string]*providers.Attribute {
	if b == nil {
		return map[string]*providers.Attribute{}
	}
	out := make(map[string]*providers.Attribute, len(b.Attributes)+len(b.BlockTypes))
	for name, a := range b.Attributes {
		out[name] = providersAttribute(a)
	}
	for name, nb := range b.BlockTypes {
		out[name] = &providers.Attribute{
			Type: nb.ImpliedType(),
			// A block is never computed, and is left out of configuration
			// only when it may be (MinItems 0).
			Optional: nb.MinItems == 0,
			Required: nb.MinItems > 0,
			Nested: &providers.NestedBlock{
				Nesting:    providersNesting(nb.Nesting),
				MinItems:   int(nb.MinItems),
				MaxItems:   int(nb.MaxItems),
				Attributes: providersAttributes(&nb.Block),
			},
		}
	}
	return out
}

func providersAttribute(a *Attribute) *providers.Attribute {
	pa := &providers.Attribute{
		Type:      a.ImpliedType(),
		Required:  a.Required,
		Optional:  a.Optional,
		Computed:  a.Computed,
		Sensitive: a.Sensitive,
		WriteOnly: a.WriteOnly,
	}
	if a.NestedType != nil {
		attrs := make(map[string]*providers.Attribute, len(a.NestedType.Attributes))
		for name, sub := range a.NestedType.Attributes {
			attrs[name] = providersAttribute(sub)
		}
		pa.Nested = &providers.NestedBlock{
			Nesting:       providersNesting(a.NestedType.Nesting),
			Attributes:    attrs,
			AttributeOnly: true,
		}
	}
	return pa
}

// attributeAsBlocks is the nested block that a top-level attribute of a
// list or set of objects may also be written as, nil for any other
// attribute. Inside a nested block such an attribute stays an attribute:
// the configuration's decoder takes attribute-written blocks apart at the
// top level only (config/attrblocks.go).
// Terraform core lets every such attribute be written as blocks
// (internal/lang/blocktoattr, for the SDK's ConfigModeAttr:
// aws_security_group's ingress, aws_route_table's route), and
// terraform-provider-aws's documentation writes them so. Each object's
// attributes are optional, as blocktoattr makes them; nested objects stay
// attributes. A list of objects with a dynamic attribute is left alone:
// its blocks may differ in type.
func attributeAsBlocks(a *Attribute) *providers.NestedBlock {
	ty := a.Type
	if !a.Optional && !a.Required || !(ty.IsListType() || ty.IsSetType()) || !ty.ElementType().IsObjectType() || ty.ElementType().HasDynamicTypes() {
		return nil
	}
	attrs := map[string]*providers.Attribute{}
	for name, at := range ty.ElementType().AttributeTypes() {
		attrs[name] = &providers.Attribute{Type: at, Optional: true}
	}
	nesting := providers.NestingList
	if ty.IsSetType() {
		nesting = providers.NestingSet
	}
	return &providers.NestedBlock{Nesting: nesting, Attributes: attrs, AttributeSyntax: true}
}

func providersNesting(n Nesting) providers.Nesting {
	switch n {
	case NestingSingle:
		return providers.NestingSingle
	case NestingGroup:
		return providers.NestingGroup
	case NestingSet:
		return providers.NestingSet
	case NestingMap:
		return providers.NestingMap
	default:
		return providers.NestingList
	}
}
