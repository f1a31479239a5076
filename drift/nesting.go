package drift

import (
	"sort"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// objects compares the nestings whose objects compare attribute by
// attribute where they are: one block or nested object (NestingSingle),
// a group block (NestingGroup), and a map of them by key (NestingMap).
// want is known and not null.
func (d *differ) objects(a *providers.Attribute, want, got cty.Value, path string) error {
	var err error
	if a.Normalizer != nil {
		if want, err = a.Normalizer.Normalize(want); err != nil {
			return err
		}
		if got, err = a.Normalizer.Normalize(got); err != nil {
			return err
		}
	}
	switch {
	case a.Comparer != nil && !got.IsNull():
		// As for any attribute: the Comparer sees both values whole,
		// known and not null.
		if !want.IsWhollyKnown() || !got.IsWhollyKnown() {
			return nil
		}
		eq, err := a.Comparer.Equivalent(want, got)
		if err != nil {
			return err
		}
		if !eq {
			d.add(path, a, want, got)
		}
		return nil
	case a.Nested.Nesting == providers.NestingMap:
		return d.objectMap(a, want, got, path)
	}
	if got.IsNull() && !isGroup(a) {
		// Written in configuration, absent live. (A group is never
		// absent: a null one is its attributes left out.)
		d.add(path, a, want, got)
		return nil
	}
	return d.object(a.Nested.Attributes, want, got, path)
}

// objectMap compares maps of objects key by key: a key only in
// configuration or only live is a diff at PATH.KEY, the objects of a key
// on both sides compare attribute by attribute (PATH.KEY.ATTR), the
// dotted form of config.Resource.Ranges.
func (d *differ) objectMap(a *providers.Attribute, want, got cty.Value, path string) error {
	w, g := valueMap(want), valueMap(got)
	keys := make([]string, 0, len(w)+len(g))
	for k := range w {
		keys = append(keys, k)
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		wv, inWant := w[k]
		gv, inGot := g[k]
		p := path + "." + k
		switch {
		case inWant && inGot:
			if err := d.object(a.Nested.Attributes, wv, gv, p); err != nil {
				return err
			}
		case inWant:
			d.add(p, a, wv, cty.NullVal(wv.Type()))
		default:
			d.add(p, a, cty.NullVal(gv.Type()), gv)
		}
	}
	return nil
}

// isGroup reports whether a is a NestingGroup block: always an object,
// whose absence means its attributes left out.
func isGroup(a *providers.Attribute) bool {
	return a.Nested != nil && a.Nested.Nesting == providers.NestingGroup && !a.Nested.AttributeOnly
}

// fillsItself reports whether every attribute of a block is filled by the
// provider when configuration leaves the block out: computed, never
// compared, or a block that fills itself. A block without attributes
// does not: its presence is what it says.
func fillsItself(nb *providers.NestedBlock) bool {
	if len(nb.Attributes) == 0 {
		return false
	}
	for _, a := range nb.Attributes {
		switch {
		case a.Computed, a.TerraformOnly, a.WriteOnly:
		case a.Nested != nil && !a.Nested.AttributeOnly && !a.Required && fillsItself(a.Nested):
		default:
			return false
		}
	}
	return true
}

// holdsSensitive reports whether a nested block or attribute has a
// sensitive attribute at any depth: a diff showing its objects whole is
// then sensitive as a whole. (Marking the parts instead would leave
// values that the renderers of remediation plans cannot encode.)
func holdsSensitive(nb *providers.NestedBlock) bool {
	for _, a := range nb.Attributes {
		if a.Sensitive || (a.Nested != nil && holdsSensitive(a.Nested)) {
			return true
		}
	}
	return false
}

// noObjects reports whether v is a collection of nested objects with no
// element, as a map of objects of dynamic types (an object) can be
// without being an empty collection.
func noObjects(a *providers.Attribute, v cty.Value) bool {
	return a.Nested != nil && a.Nested.Nesting.IsCollection() && v.IsKnown() && !v.IsNull() &&
		(v.Type().IsObjectType() || v.Type().IsTupleType()) && v.LengthInt() == 0
}
