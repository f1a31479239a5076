package plugin

import (
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Conform makes v a value of ty, keeping what fits: an object's attributes
// that ty has (each conformed in turn; those ty has and v lacks are null,
// those v has and ty lacks are dropped), the elements of lists, sets,
// tuples and maps, and any other value that converts. What does not fit
// is null. Unknown values stay unknown; marks are dropped.
//
// A provider block decoded with driftctl's own schema of a provider (which
// has driftctl's settings and leaves out some of the provider's) is made a
// configuration the provider's process accepts this way; and a resource's
// configuration, decoded with the schema driftctl derived from the
// provider's, gets back the exact types of the provider's (a list of
// objects where the object type had to be dynamic, for example).
func Conform(v cty.Value, ty cty.Type) cty.Value {
	if v == cty.NilVal {
		return cty.NullVal(ty)
	}
	v, _ = v.UnmarkDeep()
	if ty == cty.DynamicPseudoType {
		return v
	}
	if !v.IsKnown() {
		return cty.UnknownVal(ty)
	}
	if v.IsNull() {
		return cty.NullVal(ty)
	}
	vt := v.Type()
	switch {
	case ty.IsObjectType() && (vt.IsObjectType() || vt.IsMapType()):
		attrs := make(map[string]cty.Value, len(ty.AttributeTypes()))
		for name, at := range ty.AttributeTypes() {
			attrs[name] = Conform(attrOf(v, name), at)
		}
		return cty.ObjectVal(attrs)
	case (ty.IsListType() || ty.IsSetType()) && (vt.IsListType() || vt.IsSetType() || vt.IsTupleType()):
		et := ty.ElementType()
		var elems []cty.Value
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			elems = append(elems, Conform(e, et))
		}
		switch {
		case len(elems) == 0 && ty.IsListType():
			return cty.ListValEmpty(et)
		case len(elems) == 0:
			return cty.SetValEmpty(et)
		case ty.IsListType():
			return cty.ListVal(elems)
		}
		return cty.SetVal(elems)
	case ty.IsMapType() && (vt.IsMapType() || vt.IsObjectType()):
		et := ty.ElementType()
		elems := map[string]cty.Value{}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			elems[k.AsString()] = Conform(e, et)
		}
		if len(elems) == 0 {
			return cty.MapValEmpty(et)
		}
		return cty.MapVal(elems)
	}
	if c, err := convert.Convert(v, ty); err == nil {
		return c
	}
	return cty.NullVal(ty)
}

// attrOf is an object's attribute or a map's element, null when absent.
func attrOf(v cty.Value, name string) cty.Value {
	if v.Type().IsObjectType() {
		if v.Type().HasAttribute(name) {
			return v.GetAttr(name)
		}
		return cty.NilVal
	}
	if v.HasIndex(cty.StringVal(name)).True() {
		return v.Index(cty.StringVal(name))
	}
	return cty.NilVal
}
