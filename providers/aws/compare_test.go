package aws

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/gitdrift/driftctl/providers"
)

// changedAttributes compares a desired configuration with a live value of
// the same schema and names the top-level attributes that differ, sorted:
// what remediate sends as ApplyRequest.Changed. providers tests must not
// import the drift engine, so this is drift.Compare's meaning of a
// configuration (DESIGN.md, "Semantics") written again for tests, at the
// grain of top-level attributes:
//   - an attribute set in configuration must equal the live value, after
//     the attribute's normalization (or its Comparer's equivalence);
//   - an optional+computed attribute left out accepts any live value;
//   - an optional, non-computed attribute left out must be empty live (or
//     equal its default); an empty collection of blocks is left out, as
//     hcldec decodes absent blocks;
//   - sets of blocks compare without order, lists with order, maps by key;
//   - Terraform-only attributes are never compared;
//   - values not known before reading the cloud are not compared.
func changedAttributes(s *providers.Schema, want, got cty.Value) ([]string, error) {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(s.Attributes)) {
		a := s.Attributes[name]
		if a.TerraformOnly {
			continue
		}
		same, err := sameAttribute(a, typedAttr(want, name, a), typedAttr(got, name, a))
		if err != nil {
			return nil, fmt.Errorf("comparing %s: %w", name, err)
		}
		if !same {
			out = append(out, name)
		}
	}
	return out, nil
}

// sameObject compares two block objects attribute by attribute.
func sameObject(attrs map[string]*providers.Attribute, want, got cty.Value) (bool, error) {
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		a := attrs[name]
		if a.TerraformOnly {
			continue
		}
		same, err := sameAttribute(a, typedAttr(want, name, a), typedAttr(got, name, a))
		if err != nil || !same {
			return false, err
		}
	}
	return true, nil
}

// typedAttr is an object's attribute converted to the attribute's type,
// or a typed null.
func typedAttr(obj cty.Value, name string, a *providers.Attribute) cty.Value {
	ty := a.ImpliedType()
	if obj == cty.NilVal || obj.IsNull() || !obj.Type().IsObjectType() || !obj.Type().HasAttribute(name) {
		return cty.NullVal(ty)
	}
	if !obj.IsKnown() {
		return cty.UnknownVal(ty)
	}
	v := obj.GetAttr(name)
	if c, err := convert.Convert(v, ty); err == nil {
		return c
	}
	return v
}

func sameAttribute(a *providers.Attribute, want, got cty.Value) (bool, error) {
	setOfBlocks := a.Nested != nil && a.Nested.Nesting == providers.NestingSet && a.Comparer == nil && want.Type().IsSetType()
	if !want.IsKnown() || (!setOfBlocks && !want.IsWhollyKnown()) {
		return true, nil
	}
	if a.Nested != nil && !want.IsNull() && want.LengthInt() == 0 {
		want = cty.NullVal(want.Type())
	}
	if want.IsNull() {
		switch {
		case a.Computed:
			return true, nil
		case a.Default != cty.NilVal:
			want = a.Default
		default:
			return emptyValue(got), nil
		}
	}
	if setOfBlocks {
		w, known, err := normalizedBlocks(a, want)
		if err != nil || !known {
			return true, err
		}
		g, known, err := normalizedBlocks(a, got)
		if err != nil || !known {
			return true, err
		}
		return sameBlockSet(a, w, g)
	}
	var err error
	if want, err = normalizeAttr(a, want); err != nil {
		return false, err
	}
	if got, err = normalizeAttr(a, got); err != nil {
		return false, err
	}
	switch {
	case a.Comparer != nil && !want.IsNull() && !got.IsNull() && got.IsWhollyKnown():
		return a.Comparer.Equivalent(want, got)
	case a.Nested != nil && a.Nested.Nesting == providers.NestingSet:
		return sameBlockSet(a, valueElems(want), valueElems(got))
	case a.Nested != nil:
		w, g := valueElems(want), valueElems(got)
		if len(w) != len(g) {
			return false, nil
		}
		for i := range w {
			if same, err := sameObject(a.Nested.Attributes, w[i], g[i]); err != nil || !same {
				return false, err
			}
		}
		return true, nil
	case want.Type().IsMapType():
		w, g := mapOf(want), mapOf(got)
		elem := want.Type().ElementType()
		for _, k := range slices.Collect(maps.Keys(w)) {
			if _, ok := g[k]; !ok {
				g[k] = cty.NullVal(elem)
			}
		}
		for k, gv := range g {
			wv, ok := w[k]
			if !ok {
				wv = cty.NullVal(elem)
			}
			if !sameValue(wv, gv) {
				return false, nil
			}
		}
		return true, nil
	default:
		return sameValue(want, got), nil
	}
}

func normalizeAttr(a *providers.Attribute, v cty.Value) (cty.Value, error) {
	if a.Nested != nil && !v.IsNull() && v.IsWhollyKnown() {
		v = fillBlocks(a.Nested, v)
	}
	if a.Normalizer == nil {
		return v, nil
	}
	return a.Normalizer.Normalize(v)
}

func mapOf(v cty.Value) map[string]cty.Value {
	m := map[string]cty.Value{}
	if v.IsNull() || !v.IsKnown() || v.LengthInt() == 0 {
		return m
	}
	maps.Copy(m, v.AsValueMap())
	return m
}

// normalizedBlocks is normalizeAttr for a set of blocks, as the set's
// elements; known is false when some part of v is not known.
func normalizedBlocks(a *providers.Attribute, v cty.Value) (elems []cty.Value, known bool, err error) {
	if !v.IsKnown() {
		return nil, false, nil
	}
	if v.IsNull() {
		return nil, true, nil
	}
	elems = valueElems(v)
	for _, e := range elems {
		if !e.IsWhollyKnown() {
			return nil, false, nil
		}
	}
	if len(elems) == 0 {
		return elems, true, nil
	}
	filled := make([]cty.Value, len(elems))
	changed := false
	for i, e := range elems {
		filled[i] = fillBlocks(a.Nested, cty.ListVal([]cty.Value{e})).Index(cty.Zero)
		changed = changed || !filled[i].RawEquals(e)
	}
	switch n := a.Normalizer.(type) {
	case nil:
		if changed {
			return valueElems(cty.SetVal(filled)), true, nil
		}
		return filled, true, nil
	case providers.ElementsNormalizer:
		elems, err = n.NormalizeElements(filled)
		return elems, err == nil, err
	default:
		out, err := n.Normalize(cty.SetVal(filled))
		if err != nil {
			return nil, false, err
		}
		return valueElems(out), true, nil
	}
}

// sameBlockSet pairs set blocks without order: each desired element takes
// the first unused live element equal to it, else the first it matches
// attribute by attribute; the sets are the same when nothing is left on
// either side.
func sameBlockSet(a *providers.Attribute, w, g []cty.Value) (bool, error) {
	used := make([]bool, len(g))
	for _, we := range w {
		found := -1
		for j, ge := range g {
			if !used[j] && we.RawEquals(ge) {
				found = j
				break
			}
		}
		for j, ge := range g {
			if found >= 0 {
				break
			}
			if used[j] {
				continue
			}
			same, err := sameObject(a.Nested.Attributes, we, ge)
			if err != nil {
				return false, err
			}
			if same {
				found = j
			}
		}
		if found < 0 {
			return false, nil
		}
		used[found] = true
	}
	return !slices.Contains(used, false), nil
}

func valueElems(v cty.Value) []cty.Value {
	if v.IsNull() || !v.IsKnown() || !v.CanIterateElements() {
		return nil
	}
	out := make([]cty.Value, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		out = append(out, e)
	}
	return out
}

// fillBlocks gives the blocks' optional, non-computed attributes that
// configuration left out their default or empty value, as Terraform
// stores them, so that block elements compare with the live ones.
func fillBlocks(nb *providers.NestedBlock, v cty.Value) cty.Value {
	elems := valueElems(v)
	if len(elems) == 0 {
		return v
	}
	changed := false
	out := make([]cty.Value, len(elems))
	for i, obj := range elems {
		out[i] = obj
		if obj.IsNull() || !obj.IsKnown() {
			continue
		}
		m := obj.AsValueMap()
		if m == nil {
			m = map[string]cty.Value{}
		}
		filled := false
		for name, a := range nb.Attributes {
			if cur, ok := m[name]; ok && !cur.IsNull() {
				continue
			}
			_, ok := m[name]
			switch {
			case a.Computed:
				if !ok {
					m[name], filled = cty.NullVal(a.ImpliedType()), true
				}
			case a.Default != cty.NilVal:
				m[name], filled = a.Default, true
			default:
				m[name], filled = zeroOf(a.ImpliedType()), true
			}
		}
		if filled {
			out[i], changed = cty.ObjectVal(m), true
		}
	}
	if !changed {
		return v
	}
	if v.Type().IsSetType() {
		return cty.SetVal(out)
	}
	return cty.ListVal(out)
}

// zeroOf is the value Terraform stores for an unset attribute of type ty.
func zeroOf(ty cty.Type) cty.Value {
	switch {
	case ty == cty.String:
		return cty.StringVal("")
	case ty == cty.Bool:
		return cty.False
	case ty == cty.Number:
		return cty.Zero
	case ty.IsListType():
		return cty.ListValEmpty(ty.ElementType())
	case ty.IsSetType():
		return cty.SetValEmpty(ty.ElementType())
	case ty.IsMapType():
		return cty.MapValEmpty(ty.ElementType())
	}
	return cty.NullVal(ty)
}

// emptyValue is true for null, "", false, 0 and empty collections: what an
// optional attribute left out of configuration may be live.
func emptyValue(v cty.Value) bool {
	if v.IsMarked() || !v.IsKnown() {
		return false
	}
	if v.IsNull() {
		return true
	}
	ty := v.Type()
	switch {
	case ty == cty.Number:
		return v.Equals(cty.Zero).True()
	case ty == cty.String:
		return v.AsString() == ""
	case ty == cty.Bool:
		return v.False()
	case ty.IsCollectionType() || ty.IsTupleType():
		return v.LengthInt() == 0
	}
	return false
}

// sameValue compares two values of one attribute: nulls equal empty
// values, numbers compare by value, sets without order.
func sameValue(want, got cty.Value) bool {
	if emptyValue(want) && emptyValue(got) {
		return true
	}
	if want.IsNull() || got.IsNull() {
		return false
	}
	if !got.Type().Equals(want.Type()) {
		c, err := convert.Convert(got, want.Type())
		if err != nil {
			return false
		}
		got = c
	}
	eq := want.Equals(got)
	return eq.IsKnown() && eq.True()
}

// attrDiffText shows the named attributes of want and got, for a failure
// message.
func attrDiffText(names []string, want, got cty.Value) string {
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "\n  %s: want %#v, got %#v", n, attrOr(want, n), attrOr(got, n))
	}
	return b.String()
}

func attrOr(v cty.Value, name string) cty.Value {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute(name) {
		return cty.NilVal
	}
	return v.GetAttr(name)
}
