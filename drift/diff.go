package drift

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/gitdrift/driftctl/internal/ctypack"
	"github.com/gitdrift/driftctl/providers"
)

// DiffOptions carry what the comparison of one resource needs beyond the
// two values.
type DiffOptions struct {
	// Ranges maps attribute paths to where configuration writes them
	// (config.Resource.Ranges).
	Ranges map[string]hcl.Range
	// AttributeSyntax are the top-level nested blocks written as an
	// attribute (config.Resource.AttributeSyntax): an empty list there says
	// "none", not "left out".
	AttributeSyntax []string
}

// Compare compares a desired configuration with a live value of the same
// schema and returns the differences, sorted by path. It follows
// Terraform's meaning of a configuration:
//   - an attribute set in configuration must equal the live value, after
//     the attribute's normalization (or its Comparer's equivalence);
//   - an optional+computed attribute left out accepts any live value;
//   - an optional, non-computed attribute left out must be empty live (or
//     equal its default);
//   - sets compare without order, lists with order, maps by key;
//   - Terraform-only attributes are never compared;
//   - values not known before reading the cloud are not compared.
func Compare(schema *providers.Schema, want, got cty.Value, opts DiffOptions) ([]Diff, error) {
	d := differ{ranges: opts.Ranges, asAttribute: opts.AttributeSyntax}
	if err := d.object(schema.Attributes, want, got, ""); err != nil {
		return nil, err
	}
	sort.SliceStable(d.diffs, func(i, j int) bool { return d.diffs[i].Path < d.diffs[j].Path })
	return d.diffs, nil
}

type differ struct {
	ranges      map[string]hcl.Range
	asAttribute []string
	diffs       []Diff
	// secret counts the sensitive nested attributes the comparison is
	// inside: whatever differs there is as secret as they are.
	secret int
}

func (d *differ) add(path string, a *providers.Attribute, want, got cty.Value) {
	sensitive := a.Sensitive || d.secret > 0 || (a.Nested != nil && holdsSensitive(a.Nested))
	d.diffs = append(d.diffs, Diff{Path: path, Want: want, Got: got, Sensitive: sensitive, Range: d.rangeOf(path)})
}

// rangeOf finds where path, or the nearest enclosing attribute, is written.
// Ranges name nested block attributes without indices
// ("versioning_configuration.status" for versioning_configuration[0].status).
func (d *differ) rangeOf(path string) *hcl.Range {
	for _, p := range []string{path, blockIndex.ReplaceAllString(path, "")} {
		if r, ok := d.ranges[p]; ok {
			return &r
		}
	}
	if i := strings.LastIndexAny(path, ".["); i > 0 {
		return d.rangeOf(path[:i])
	}
	return nil
}

var blockIndex = regexp.MustCompile(`\[[0-9]+\]`)

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// object compares two objects attribute by attribute.
func (d *differ) object(attrs map[string]*providers.Attribute, want, got cty.Value, prefix string) error {
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		a := attrs[name]
		if a.TerraformOnly || a.WriteOnly {
			// The provider never returns a write-only attribute.
			continue
		}
		if err := d.attribute(a, getAttr(want, name, a), getAttr(got, name, a), join(prefix, name)); err != nil {
			return fmt.Errorf("comparing %s: %w", join(prefix, name), err)
		}
	}
	return nil
}

// getAttr returns an object's attribute converted to the attribute's type,
// or a typed null.
func getAttr(obj cty.Value, name string, a *providers.Attribute) cty.Value {
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

func (d *differ) attribute(a *providers.Attribute, want, got cty.Value, path string) error {
	if a.Nested != nil && a.Sensitive {
		d.secret++
		defer func() { d.secret-- }()
	}
	// A set's elements are sorted each time it is iterated (cty hashes
	// them to compare): a set of blocks is iterated once per side, by
	// normalizedElements, which checks that they are known. Objects and
	// maps of objects compare attribute by attribute, each attribute
	// skipped where it is not known.
	setOfBlocks := a.Nested != nil && a.Nested.Nesting == providers.NestingSet && a.Comparer == nil && want.Type().IsSetType()
	byAttribute := a.Nested != nil && a.Nested.Nesting != providers.NestingList && a.Nested.Nesting != providers.NestingSet
	if !want.IsKnown() || (!setOfBlocks && !byAttribute && !want.IsWhollyKnown()) {
		return nil
	}
	if a.Nested != nil && !a.Nested.AttributeOnly && a.Nested.Nesting.IsCollection() && !want.IsNull() && want.LengthInt() == 0 && !slices.Contains(d.asAttribute, path) {
		// hcldec decodes absent blocks as an empty collection; for
		// Terraform that is the block left out (but `egress = []` says
		// there is none). A nested attribute's `rule = []` is never left
		// out: it decodes as null when it is.
		want = cty.NullVal(want.Type())
	}
	if want.IsNull() {
		switch {
		case isGroup(a):
			// An absent group block is its attributes left out.
			return d.object(a.Nested.Attributes, want, got, path)
		case a.Computed:
			return nil
		case a.Nested != nil && !a.Nested.AttributeOnly && fillsItself(a.Nested):
			// A block whose attributes are all computed (an SDKv2
			// Optional+Computed block, which the plugin protocol shows
			// as a plain block) accepts whatever the cloud made.
			return nil
		case a.Default != cty.NilVal:
			want = a.Default
		default:
			if !isEmpty(got) && !noObjects(a, got) {
				d.add(path, a, want, got)
			}
			return nil
		}
	}
	if byAttribute {
		return d.objects(a, want, got, path)
	}
	if setOfBlocks {
		w, known, err := normalizedElements(a, want)
		if err != nil || !known {
			return err
		}
		g, known, err := normalizedElements(a, got)
		if err != nil || !known {
			return err
		}
		return d.blockSetElements(a, w, g, path)
	}
	var err error
	if want, err = normalize(a, want); err != nil {
		return err
	}
	if got, err = normalize(a, got); err != nil {
		return err
	}
	switch {
	case a.Comparer != nil && !want.IsNull() && !got.IsNull() && got.IsWhollyKnown():
		eq, err := a.Comparer.Equivalent(want, got)
		if err != nil {
			return err
		}
		if !eq {
			d.add(path, a, want, got)
		}
	case a.Nested != nil && a.Nested.Nesting == providers.NestingSet:
		return d.blockSet(a, want, got, path)
	case a.Nested != nil:
		return d.blockList(a, want, got, path)
	case want.Type().IsMapType():
		d.mapKeys(a, want, got, path)
	default:
		if !equal(want, got) {
			d.add(path, a, want, got)
		}
	}
	return nil
}

func normalize(a *providers.Attribute, v cty.Value) (cty.Value, error) {
	listOrSet := a.Nested != nil && (a.Nested.Nesting == providers.NestingList || a.Nested.Nesting == providers.NestingSet)
	if listOrSet && !v.IsNull() && v.IsWhollyKnown() {
		v = fillNested(a.Nested, v)
	}
	if a.Normalizer == nil {
		return v, nil
	}
	return a.Normalizer.Normalize(v)
}

// mapKeys compares maps key by key, so a tag added by hand shows as
// tags.Owner.
func (d *differ) mapKeys(a *providers.Attribute, want, got cty.Value, path string) {
	w, g := valueMap(want), valueMap(got)
	keys := map[string]bool{}
	for k := range w {
		keys[k] = true
	}
	for k := range g {
		keys[k] = true
	}
	elem := want.Type().ElementType()
	for k := range keys {
		wv, ok := w[k]
		if !ok {
			wv = cty.NullVal(elem)
		}
		gv, ok := g[k]
		if !ok {
			gv = cty.NullVal(elem)
		}
		if !equal(wv, gv) {
			d.add(path+"."+k, a, wv, gv)
		}
	}
}

func valueMap(v cty.Value) map[string]cty.Value {
	if v.IsNull() || !v.IsKnown() || v.LengthInt() == 0 {
		return nil
	}
	return v.AsValueMap()
}

// blockList compares list blocks element by element with the nested
// attributes' semantics.
func (d *differ) blockList(a *providers.Attribute, want, got cty.Value, path string) error {
	w, g := elements(want), elements(got)
	for i := 0; i < len(w) && i < len(g); i++ {
		if err := d.object(a.Nested.Attributes, w[i], g[i], fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	elem := a.ImpliedType().ElementType()
	for i := len(g); i < len(w); i++ {
		d.add(fmt.Sprintf("%s[%d]", path, i), a, w[i], cty.NullVal(elem))
	}
	for i := len(w); i < len(g); i++ {
		d.add(fmt.Sprintf("%s[%d]", path, i), a, cty.NullVal(elem), g[i])
	}
	return nil
}

// normalizedElements is normalize for a set of blocks, as the set's
// elements; known is false when some part of v is not known (then
// nothing can be compared).
func normalizedElements(a *providers.Attribute, v cty.Value) (elems []cty.Value, known bool, err error) {
	if !v.IsKnown() {
		return nil, false, nil
	}
	if v.IsNull() {
		return nil, true, nil
	}
	elems = elements(v)
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
		filled[i] = fillNested(a.Nested, cty.ListVal([]cty.Value{e})).Index(cty.Zero)
		changed = changed || !filled[i].RawEquals(e)
	}
	switch n := a.Normalizer.(type) {
	case nil:
		if changed {
			// Filling may make two elements equal: a set holds one.
			return elements(cty.SetVal(filled)), true, nil
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
		return elements(out), true, nil
	}
}

// blockSet pairs set blocks without order: each desired element takes the
// first live element it matches; what is left on either side is a diff.
func (d *differ) blockSet(a *providers.Attribute, want, got cty.Value, path string) error {
	return d.blockSetElements(a, elements(want), elements(got), path)
}

// blockSetElements is blockSet on the sets' elements.
func (d *differ) blockSetElements(a *providers.Attribute, w, g []cty.Value, path string) error {
	used := make([]bool, len(g))
	elem := a.ImpliedType().ElementType()
	// Elements that are exactly equal pair at once; only the others go
	// through the attribute-wise comparison, which costs a diff per pair.
	exact := map[string][]int{}
	for j, ge := range g {
		k := valueKey(ge, elem)
		exact[k] = append(exact[k], j)
	}
	for _, we := range w {
		found := false
		k := valueKey(we, elem)
		if js := exact[k]; len(js) > 0 {
			used[js[0]], found = true, true
			exact[k] = js[1:]
			continue
		}
		for j, ge := range g {
			if used[j] {
				continue
			}
			probe := differ{}
			if err := probe.object(a.Nested.Attributes, we, ge, ""); err != nil {
				return err
			}
			if len(probe.diffs) == 0 {
				used[j], found = true, true
				break
			}
		}
		if !found {
			d.add(path, a, we, cty.NullVal(elem))
		}
	}
	for j, ge := range g {
		if !used[j] {
			d.add(path, a, cty.NullVal(elem), ge)
		}
	}
	return nil
}

// valueKey is a key equal for values equal in type and content: for a
// value of type ty, its compact encoding (much cheaper than GoString,
// which it falls back to for any other).
func valueKey(v cty.Value, ty cty.Type) string {
	if v.Type().Equals(ty) {
		if b, err := ctypack.Marshal(v, ty); err == nil {
			return "=" + string(b)
		}
	}
	return "#" + v.GoString()
}

func elements(v cty.Value) []cty.Value {
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

// fillNested gives the nested blocks' optional, non-computed attributes
// that configuration left out their default or empty value, as Terraform
// stores them, so that block elements compare with the live ones.
func fillNested(nb *providers.NestedBlock, v cty.Value) cty.Value {
	changed := false
	fill := func(obj cty.Value) cty.Value {
		if obj.IsNull() || !obj.IsKnown() {
			return obj
		}
		m := obj.AsValueMap()
		if m == nil {
			m = map[string]cty.Value{}
		}
		filled := false
		for name, a := range nb.Attributes {
			cur, ok := m[name]
			if ok && !cur.IsNull() {
				if a.WriteOnly {
					// Never returned live: left out, the elements
					// pair by their other attributes.
					m[name], filled = cty.NullVal(cur.Type()), true
				}
				continue
			}
			switch {
			case a.Computed:
				if !ok {
					m[name], filled = cty.NullVal(a.ImpliedType()), true
				}
			case a.Default != cty.NilVal:
				m[name], filled = a.Default, true
			default:
				m[name], filled = emptyOf(a.ImpliedType()), true
			}
		}
		if !filled {
			return obj
		}
		changed = true
		return cty.ObjectVal(m)
	}
	elems := elements(v)
	if len(elems) == 0 {
		return v
	}
	out := make([]cty.Value, len(elems))
	for i, e := range elems {
		out[i] = fill(e)
	}
	if !changed {
		// A live value has every attribute already: building the set
		// again would only hash every element once more.
		return v
	}
	if v.Type().IsSetType() {
		return cty.SetVal(out)
	}
	return cty.ListVal(out)
}

// emptyOf is the value Terraform stores for an unset attribute of type ty.
func emptyOf(ty cty.Type) cty.Value {
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

// isEmpty is true for null, "", false, 0 and empty collections: what an
// optional attribute left out of configuration may be live.
func isEmpty(v cty.Value) bool {
	if v.IsKnown() && !v.IsNull() && v.Type() == cty.Number {
		return v.Equals(cty.Zero).True()
	}
	return Unset(v)
}

// Unset is true for what Terraform stores for an attribute left out of a
// block: null, "", false and empty collections (not 0, which is a port or
// a count). Renderers leave such attributes out of the objects they show.
func Unset(v cty.Value) bool {
	if v.IsMarked() || !v.IsKnown() {
		return false
	}
	if v.IsNull() {
		return true
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString() == ""
	case ty == cty.Bool:
		return v.False()
	case ty.IsCollectionType() || ty.IsTupleType():
		return v.LengthInt() == 0
	}
	return false
}

// equal compares two values of one attribute: nulls equal empty values,
// numbers compare by value, sets without order.
func equal(want, got cty.Value) bool {
	if isEmpty(want) && isEmpty(got) {
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
