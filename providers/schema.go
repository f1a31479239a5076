// Package providers defines how driftctl talks to a cloud: the Provider
// interface, the schema of each resource type with its attribute semantics,
// and the registry of known providers. One sub-package per provider
// (providers/aws) implements it.
package providers

import (
	"sort"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
)

// Schema describes one resource or data source type: its attributes with
// Terraform's semantics (required / optional / computed / sensitive), and how a
// live resource of the type is identified without state.
type Schema struct {
	// Type is the Terraform type name, e.g. "aws_s3_bucket".
	Type string
	// Attributes by name. Nested blocks (ingress { ... }) are attributes with
	// Nested set.
	Attributes map[string]*Attribute
	// Identity returns the natural identity of a resource from its attributes
	// (configuration or live): the bucket name, the IAM name, a security
	// group's name and VPC. It returns "" when the value holds no identity
	// (unknown or null parts) and is nil for types that have none (aws_vpc).
	Identity func(v cty.Value) string
	// Global types (IAM) are not regional: one read serves every region.
	Global bool
	// Tags is true when the type has a "tags" map that receives the
	// provider's default_tags before comparison, as Terraform's tags_all.
	Tags bool
}

// SensitiveMark is the cty mark of a sensitive value, the one Terraform's
// sensitive() function sets (config/funcs.SensitiveMark is the same
// string). A provider's ReadData puts it on the attributes that the data
// source's schema says are Sensitive, as Terraform marks a data source's
// sensitive attributes: whatever is derived from them is sensitive too,
// and printed as (sensitive).
const SensitiveMark = "sensitive"

// Attribute is one attribute of a resource type. Exactly one of Required,
// Optional and Computed-only holds; Optional and Computed together mean the
// cloud fills it in when configuration leaves it out.
type Attribute struct {
	// Type of the value. For a nested block it is the list, set or object of
	// the block's attributes; use ImpliedType to get it.
	Type      cty.Type
	Required  bool
	Optional  bool
	Computed  bool
	Sensitive bool
	// TerraformOnly attributes (force_destroy, timeouts) exist only in
	// Terraform and are never compared with the cloud.
	TerraformOnly bool
	// ForceNew attributes cannot change in place: changing one replaces
	// the resource (terraform-provider-aws's ForceNew).
	ForceNew bool
	// Default is what the provider assumes when configuration leaves the
	// attribute out (cty.NilVal when there is none).
	Default cty.Value
	// Normalizer rewrites values where the cloud rewrites what was written,
	// applied to both sides before comparison. May be nil.
	Normalizer Normalizer
	// Comparer decides equality where normalization cannot (policy JSON).
	// May be nil: then normalized values compare with cty equality, sets
	// without order, lists with order, maps by key.
	Comparer Comparer
	// Nested, when set, makes the attribute a nested block in HCL.
	Nested *NestedBlock
}

// Nesting says how many times a nested block may appear and how its
// instances compare.
type Nesting int

const (
	// NestingList blocks keep their order; MaxItems 1 is Terraform's usual
	// single block (versioning_configuration).
	NestingList Nesting = iota + 1
	// NestingSet blocks compare without order (ingress, egress).
	NestingSet
)

// NestedBlock is the schema of a nested block type.
type NestedBlock struct {
	Nesting    Nesting
	MinItems   int
	MaxItems   int
	Attributes map[string]*Attribute
	// AttributeSyntax: the blocks may also be written as an attribute, a
	// list of objects (`ingress = [{...}]`), where an empty list says
	// "none" (terraform-provider-aws's ConfigModeAttr).
	AttributeSyntax bool
}

// Normalizer rewrites one attribute's value into a canonical form (for
// example "all" and "-1" as a security group rule protocol).
type Normalizer interface {
	Normalize(v cty.Value) (cty.Value, error)
}

// ElementsNormalizer is a Normalizer of a set of blocks that can work on
// the set's elements: the differ then iterates the set once, not once per
// step (cty sorts a set's elements each time they are iterated). The
// elements it returns are a set's: no two equal.
type ElementsNormalizer interface {
	Normalizer
	NormalizeElements(elems []cty.Value) ([]cty.Value, error)
}

// NormalizerFunc adapts a function to Normalizer.
type NormalizerFunc func(v cty.Value) (cty.Value, error)

// Normalize calls f(v).
func (f NormalizerFunc) Normalize(v cty.Value) (cty.Value, error) { return f(v) }

// Comparer says whether a configured value and a live value are equivalent.
// Both are known and non-null when it is called.
type Comparer interface {
	Equivalent(want, got cty.Value) (bool, error)
}

// ComparerFunc adapts a function to Comparer.
type ComparerFunc func(want, got cty.Value) (bool, error)

// Equivalent calls f(want, got).
func (f ComparerFunc) Equivalent(want, got cty.Value) (bool, error) { return f(want, got) }

// ImpliedType is the object type of a value conforming to the attributes.
func ImpliedType(attrs map[string]*Attribute) cty.Type {
	m := make(map[string]cty.Type, len(attrs))
	for name, a := range attrs {
		m[name] = a.ImpliedType()
	}
	return cty.Object(m)
}

// ImpliedType is the attribute's value type, derived from Nested when set.
func (a *Attribute) ImpliedType() cty.Type {
	if a.Nested == nil {
		return a.Type
	}
	obj := ImpliedType(a.Nested.Attributes)
	if a.Nested.Nesting == NestingSet {
		return cty.Set(obj)
	}
	return cty.List(obj)
}

// ImpliedType is the object type of a resource of this schema.
func (s *Schema) ImpliedType() cty.Type { return ImpliedType(s.Attributes) }

// DecoderSpec is the hcldec specification that decodes a configuration body
// of this type into a value of ImpliedType. Computed-only attributes cannot be
// set in configuration and are left out: hcldec reports them as unsupported.
func (s *Schema) DecoderSpec() hcldec.Spec { return decoderSpec(s.Attributes) }

func decoderSpec(attrs map[string]*Attribute) hcldec.ObjectSpec {
	spec := hcldec.ObjectSpec{}
	for _, name := range sortedNames(attrs) {
		a := attrs[name]
		if !a.Required && !a.Optional {
			continue
		}
		if a.Nested == nil {
			spec[name] = &hcldec.AttrSpec{Name: name, Type: a.Type, Required: a.Required}
			continue
		}
		nested := decoderSpec(a.Nested.Attributes)
		if a.Nested.Nesting == NestingSet {
			spec[name] = &hcldec.BlockSetSpec{TypeName: name, Nested: nested, MinItems: a.Nested.MinItems, MaxItems: a.Nested.MaxItems}
		} else {
			spec[name] = &hcldec.BlockListSpec{TypeName: name, Nested: nested, MinItems: a.Nested.MinItems, MaxItems: a.Nested.MaxItems}
		}
	}
	return spec
}

func sortedNames(attrs map[string]*Attribute) []string {
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
