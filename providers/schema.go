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
	// ByInstance types are read one resource at a time through
	// InstanceReader (a provider plugin's types: the plugin protocol has
	// no listing), never through Read; the provider plans each against
	// its configuration. Their unmanaged resources cannot be discovered.
	ByInstance bool
}

// SensitiveMark is the cty mark of a sensitive value, the one Terraform's
// sensitive() function sets (config/funcs.SensitiveMark is the same
// string). A provider's ReadData puts it on the attributes that the data
// source's schema says are Sensitive, as Terraform marks a data source's
// sensitive attributes: whatever is derived from them is sensitive too,
// and printed as (sensitive).
const SensitiveMark = "sensitive"

// MarkSensitive marks the top-level attributes of a value of schema that
// the schema says are sensitive (aws_ssm_parameter's value) with
// SensitiveMark, as Terraform marks a data source's sensitive attributes.
func MarkSensitive(schema *Schema, v cty.Value) cty.Value {
	var marks []cty.PathValueMarks
	for name, a := range schema.Attributes {
		if a.Sensitive {
			marks = append(marks, cty.PathValueMarks{Path: cty.GetAttrPath(name), Marks: cty.NewValueMarks(SensitiveMark)})
		}
	}
	if len(marks) == 0 || v.IsNull() || !v.IsKnown() {
		return v
	}
	return v.MarkWithPaths(marks)
}

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
	// WriteOnly attributes are set in configuration and never kept in
	// state: the provider always reads them back as null, so they are
	// never compared with the cloud (Terraform 1.11 write-only arguments).
	WriteOnly bool
	// TerraformOnly attributes (force_destroy, timeouts) exist only in
	// Terraform and are never compared with the cloud.
	TerraformOnly bool
	// ForceNew attributes cannot change in place: changing one replaces
	// the resource (terraform-provider-aws's ForceNew).
	ForceNew bool
	// NotGenerated attributes are left out of configuration generated
	// from the cloud (gen-import), whatever their live value: a live value
	// that is not what a configuration writes (aws_instance's user_data is
	// its SHA-1), one the cloud assigns (a private IP), one that another
	// attribute already says and would conflict with (availability_zone_id
	// beside availability_zone, terraform-provider-aws's ConflictsWith), or
	// a deprecated attribute whose own resource type exists
	// (aws_s3_bucket's versioning). Only an Optional attribute may be.
	NotGenerated bool
	// CloudDefault is what the cloud sets an Optional+Computed attribute
	// to when configuration leaves it out, where that is one value
	// (aws_instance's instance_initiated_shutdown_behavior is "stop");
	// cty.NilVal when it depends. Generated configuration leaves that
	// value out, as noise. It is never compared: left out of
	// configuration, the attribute accepts any live value.
	CloudDefault cty.Value
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
	// Nested, when set, makes the attribute a nested block in HCL, or,
	// with Nested.AttributeOnly, a nested attribute (protocol 6).
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
	// NestingSingle is at most one block, its value an object (null when
	// absent). Provider plugins' schemas use it; the native ones do not.
	NestingSingle
	// NestingGroup is NestingSingle whose absent block is an object of
	// null and empty attributes rather than null.
	NestingGroup
	// NestingMap blocks carry one label, the key of a map of objects.
	NestingMap
)

// IsCollection reports whether the nesting holds any number of objects (a
// list, set or map) rather than one.
func (n Nesting) IsCollection() bool {
	return n == NestingList || n == NestingSet || n == NestingMap
}

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
	// AttributeOnly: a nested attribute of protocol 6 (`rule = {...}`),
	// never a block. The attribute's own Required, Optional and Computed
	// hold for the whole value; Attributes' for each object.
	AttributeOnly bool
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
	switch a.Nested.Nesting {
	case NestingSet:
		return cty.Set(obj)
	case NestingSingle, NestingGroup:
		return obj
	case NestingMap:
		if obj.HasDynamicTypes() {
			// Elements may then differ in type: an object, as Terraform.
			return cty.DynamicPseudoType
		}
		return cty.Map(obj)
	}
	if obj.HasDynamicTypes() {
		return cty.DynamicPseudoType
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
		if a.Nested.AttributeOnly {
			spec[name] = &hcldec.AttrSpec{Name: name, Type: a.constraintType(), Required: a.Required}
			continue
		}
		nested := decoderSpec(a.Nested.Attributes)
		b := a.Nested
		switch b.Nesting {
		case NestingSet:
			spec[name] = &hcldec.BlockSetSpec{TypeName: name, Nested: nested, MinItems: b.MinItems, MaxItems: b.MaxItems}
		case NestingSingle:
			spec[name] = &hcldec.BlockSpec{TypeName: name, Nested: nested, Required: b.MinItems == 1}
		case NestingGroup:
			spec[name] = &hcldec.DefaultSpec{
				Primary: &hcldec.BlockSpec{TypeName: name, Nested: nested},
				Default: &hcldec.LiteralSpec{Value: emptyObject(b.Attributes)},
			}
		case NestingMap:
			spec[name] = &hcldec.BlockMapSpec{TypeName: name, Nested: nested, LabelNames: []string{"key"}}
		default:
			spec[name] = &hcldec.BlockListSpec{TypeName: name, Nested: nested, MinItems: b.MinItems, MaxItems: b.MaxItems}
		}
	}
	return spec
}

// emptyObject is the value of an absent NestingGroup block, as Terraform's
// Block.EmptyValue: null attributes, empty collections of nested blocks.
func emptyObject(attrs map[string]*Attribute) cty.Value {
	m := make(map[string]cty.Value, len(attrs))
	for name, a := range attrs {
		ty := a.ImpliedType()
		switch {
		case a.Nested == nil || a.Nested.AttributeOnly:
			m[name] = cty.NullVal(ty)
		case a.Nested.Nesting == NestingGroup:
			m[name] = emptyObject(a.Nested.Attributes)
		case ty.IsListType():
			m[name] = cty.ListValEmpty(ty.ElementType())
		case ty.IsSetType():
			m[name] = cty.SetValEmpty(ty.ElementType())
		case ty.IsMapType():
			m[name] = cty.MapValEmpty(ty.ElementType())
		case ty == cty.DynamicPseudoType && a.Nested.Nesting == NestingList:
			m[name] = cty.EmptyTupleVal
		case ty == cty.DynamicPseudoType && a.Nested.Nesting == NestingMap:
			m[name] = cty.EmptyObjectVal
		default:
			m[name] = cty.NullVal(ty)
		}
	}
	return cty.ObjectVal(m)
}

// constraintType is the type a nested attribute's configuration converts
// to: its objects' optional attributes may be left out.
func (a *Attribute) constraintType() cty.Type {
	if a.Nested == nil {
		return a.Type
	}
	m := make(map[string]cty.Type, len(a.Nested.Attributes))
	var optional []string
	for name, sub := range a.Nested.Attributes {
		m[name] = sub.constraintType()
		if !sub.Required {
			optional = append(optional, name)
		}
	}
	sort.Strings(optional)
	obj := cty.ObjectWithOptionalAttrs(m, optional)
	switch a.Nested.Nesting {
	case NestingSet:
		return cty.Set(obj)
	case NestingSingle, NestingGroup:
		return obj
	case NestingMap:
		return cty.Map(obj)
	}
	return cty.List(obj)
}

func sortedNames(attrs map[string]*Attribute) []string {
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
