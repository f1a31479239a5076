package plugin

import (
	"github.com/zclconf/go-cty/cty"
)

// ProposedNew returns the object Terraform proposes to the provider as the
// resource's new state (PlanResourceChange's proposed_new_state): the
// configuration, with the prior state's value kept wherever the
// configuration leaves a computed attribute null. It follows the rules of
// Terraform core's plans/objchange.ProposedNew:
//
//   - A null config is returned as is (a delete proposes nothing).
//   - A null prior is a create: every attribute's prior value is null, so
//     a computed attribute the configuration leaves out stays null. Core
//     does not make it unknown; the provider's PlanResourceChange does.
//   - Nested blocks and nested attributes are paired with their prior
//     objects by index (list), by key (map), or, for a set, with the first
//     unused prior element equal to the configured one except at computed
//     attributes the configuration leaves null. A configured object with no
//     prior object proposes its configuration.
//   - Unknown configuration values stay unknown, and the config's marks
//     (such as "sensitive") are kept on the result at the same paths.
//
// Both values must conform to schema.ImpliedType(), prior must be wholly
// known, and prior's marks, if any, are dropped. The result conforms to
// schema.ImpliedType().
func ProposedNew(schema *Block, prior, config cty.Value) cty.Value {
	unmarked, marks := config.UnmarkDeepWithPaths()
	if unmarked.IsNull() {
		return config
	}
	prior, _ = prior.UnmarkDeep()
	return blockSchema(schema).propose(prior, unmarked).MarkWithPaths(marks)
}

// objectSchema is what proposing needs of a block or of a nested
// attribute's object: the attributes and nested block types of each of
// its objects. A nested attribute's object has no blocks.
type objectSchema struct {
	attributes map[string]*Attribute
	blocks     map[string]*NestedBlock
}

func blockSchema(b *Block) objectSchema {
	if b == nil {
		return objectSchema{}
	}
	return objectSchema{attributes: b.Attributes, blocks: b.BlockTypes}
}

func nestedTypeSchema(o *Object) objectSchema {
	return objectSchema{attributes: o.Attributes}
}

// propose is the proposed new object for one configured object of s,
// given its prior object (null when there is none).
func (s objectSchema) propose(prior, config cty.Value) cty.Value {
	if config.IsNull() || !config.IsKnown() {
		return config
	}
	vals := make(map[string]cty.Value, len(s.attributes)+len(s.blocks))
	for name, a := range s.attributes {
		cv := config.GetAttr(name)
		vals[name] = proposeAttribute(a, priorAttr(prior, name, cv.Type()), cv)
	}
	for name, nb := range s.blocks {
		cv := config.GetAttr(name)
		vals[name] = proposeNested(nb.Nesting, blockSchema(&nb.Block), priorAttr(prior, name, cv.Type()), cv)
	}
	return cty.ObjectVal(vals)
}

// priorAttr is prior's attribute name, or a null of type typ when there is
// no prior object.
func priorAttr(prior cty.Value, name string, typ cty.Type) cty.Value {
	if prior.IsNull() || !prior.IsKnown() || !prior.Type().IsObjectType() {
		return cty.NullVal(typ)
	}
	return prior.GetAttr(name)
}

func proposeAttribute(a *Attribute, prior, config cty.Value) cty.Value {
	switch {
	case a.WriteOnly:
		// Write-only values are never in state: there is no prior to keep.
		return config
	case a.Computed && config.IsNull():
		// An optional nested attribute whose prior holds a value only
		// configuration can set was configured before: leaving it out now
		// removes it, rather than letting the provider keep computing it.
		if a.Optional && a.NestedType != nil && setByConfig(a.NestedType, prior) {
			return config
		}
		return prior
	case a.NestedType != nil:
		return proposeNested(a.NestedType.Nesting, nestedTypeSchema(a.NestedType), prior, config)
	default:
		return config
	}
}

// proposeNested is the proposed value of a nested block type or nested
// attribute of nesting n whose objects are of schema s.
func proposeNested(n Nesting, s objectSchema, prior, config cty.Value) cty.Value {
	// An unknown block comes from a dynamic block whose for_each is unknown.
	if config.IsNull() || !config.IsKnown() {
		return config
	}
	switch n {
	case NestingList:
		return proposeList(s, prior, config)
	case NestingMap:
		return proposeMap(s, prior, config)
	case NestingSet:
		return proposeSet(s, prior, config)
	default:
		return s.propose(prior, config)
	}
}

// proposeList pairs objects by index. A list whose objects hold a dynamic
// attribute is a tuple, and stays one.
func proposeList(s objectSchema, prior, config cty.Value) cty.Value {
	elems := config.AsValueSlice()
	if len(elems) == 0 {
		return config
	}
	var priors []cty.Value
	if prior.IsKnown() && !prior.IsNull() {
		priors = prior.AsValueSlice()
	}
	out := make([]cty.Value, len(elems))
	for i, ev := range elems {
		pv := cty.NullVal(ev.Type())
		if i < len(priors) {
			pv = priors[i]
		}
		out[i] = s.propose(pv, ev)
	}
	if config.Type().IsTupleType() {
		return cty.TupleVal(out)
	}
	return cty.ListVal(out)
}

// proposeMap pairs objects by key. A map whose objects hold a dynamic
// attribute is an object, and stays one.
func proposeMap(s objectSchema, prior, config cty.Value) cty.Value {
	elems := config.AsValueMap()
	if len(elems) == 0 {
		return config
	}
	var priors map[string]cty.Value
	if prior.IsKnown() && !prior.IsNull() {
		priors = prior.AsValueMap()
	}
	out := make(map[string]cty.Value, len(elems))
	for k, ev := range elems {
		pv, ok := priors[k]
		if !ok {
			pv = cty.NullVal(ev.Type())
		}
		out[k] = s.propose(pv, ev)
	}
	if config.Type().IsObjectType() {
		return cty.ObjectVal(out)
	}
	return cty.MapVal(out)
}

// proposeSet pairs each configured object with the first unused prior
// object that corresponds to it. Set elements have no identity but their
// value, so a configured object that differs from every prior one is a
// new object and keeps none of the prior's computed values.
func proposeSet(s objectSchema, prior, config cty.Value) cty.Value {
	elems := config.AsValueSlice()
	if len(elems) == 0 {
		return config
	}
	var priors []cty.Value
	if prior.IsKnown() && !prior.IsNull() {
		priors = prior.AsValueSlice()
	}
	used := make([]bool, len(priors))
	out := make([]cty.Value, len(elems))
	for i, ev := range elems {
		pv := cty.NullVal(ev.Type())
		for j, p := range priors {
			if !used[j] && s.corresponds(p, ev) {
				pv, used[j] = p, true
				break
			}
		}
		out[i] = s.propose(pv, ev)
	}
	return cty.SetVal(out)
}

// corresponds reports whether prior can be the state of the configured
// object config: equal to it except at computed attributes config leaves
// null, which the provider fills in.
func (s objectSchema) corresponds(prior, config cty.Value) bool {
	if prior.IsNull() || config.IsNull() || !config.IsKnown() {
		return prior.RawEquals(config)
	}
	for name, a := range s.attributes {
		pv, cv := prior.GetAttr(name), config.GetAttr(name)
		switch {
		case a.WriteOnly || (a.Computed && cv.IsNull()):
			continue
		case a.NestedType != nil:
			if !correspondsNested(a.NestedType.Nesting, nestedTypeSchema(a.NestedType), pv, cv) {
				return false
			}
		default:
			if !pv.RawEquals(cv) {
				return false
			}
		}
	}
	for name, nb := range s.blocks {
		if !correspondsNested(nb.Nesting, blockSchema(&nb.Block), prior.GetAttr(name), config.GetAttr(name)) {
			return false
		}
	}
	return true
}

func correspondsNested(n Nesting, s objectSchema, prior, config cty.Value) bool {
	if prior.IsNull() || config.IsNull() || !config.IsKnown() {
		return prior.RawEquals(config)
	}
	switch n {
	case NestingList:
		priors, elems := prior.AsValueSlice(), config.AsValueSlice()
		if len(priors) != len(elems) {
			return false
		}
		for i, ev := range elems {
			if !s.corresponds(priors[i], ev) {
				return false
			}
		}
		return true
	case NestingMap:
		priors, elems := prior.AsValueMap(), config.AsValueMap()
		if len(priors) != len(elems) {
			return false
		}
		for k, ev := range elems {
			pv, ok := priors[k]
			if !ok || !s.corresponds(pv, ev) {
				return false
			}
		}
		return true
	case NestingSet:
		// A set inside a set element cannot be paired element by element
		// without the very matching under way, so, as in Terraform, it
		// must be equal as a whole.
		return prior.RawEquals(config)
	default:
		return s.corresponds(prior, config)
	}
}

// setByConfig reports whether v, a nested attribute's prior value, holds a
// non-null value of a non-computed attribute: one only configuration can
// have set.
func setByConfig(o *Object, v cty.Value) bool {
	if v.IsNull() || !v.IsKnown() {
		return false
	}
	objs := []cty.Value{v}
	if o.Nesting != NestingSingle {
		objs = v.AsValueSlice()
	}
	for _, obj := range objs {
		if obj.IsNull() || !obj.IsKnown() {
			continue
		}
		for name, a := range o.Attributes {
			av := obj.GetAttr(name)
			switch {
			case av.IsNull():
			case !a.Computed:
				return true
			case a.NestedType != nil && setByConfig(a.NestedType, av):
				return true
			}
		}
	}
	return false
}
