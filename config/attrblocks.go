package config

import (
	"fmt"
	"maps"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// attributeBlocks are the nested blocks an instance writes as an
// attribute, by name.
type attributeBlocks map[string]attributeBlock

type attributeBlock struct {
	val cty.Value
	rng hcl.Range
}

// attributeBlockSchema is the schema of the nested blocks of typ written
// as attributes; nil when the type has none.
func attributeBlockSchema(schemas SchemaSource, typ string) (*hcl.BodySchema, map[string]cty.Type) {
	src, ok := schemas.(AttributeBlocksSource)
	if !ok {
		return nil, nil
	}
	types := src.AttributeBlocks(typ)
	if len(types) == 0 {
		return nil, nil
	}
	schema := &hcl.BodySchema{}
	for _, name := range slices.Sorted(maps.Keys(types)) {
		schema.Attributes = append(schema.Attributes, hcl.AttributeSchema{Name: name})
	}
	return schema, types
}

// attributeBlockVariables are the references of the nested blocks of typ
// written as attributes in body (their hcldec specs, blocks, do not see
// them).
func attributeBlockVariables(schemas SchemaSource, typ string, body hcl.Body) []hcl.Traversal {
	schema, _ := attributeBlockSchema(schemas, typ)
	if schema == nil {
		return nil
	}
	content, _, _ := body.PartialContent(schema)
	if content == nil {
		return nil
	}
	var travs []hcl.Traversal
	for _, name := range slices.Sorted(maps.Keys(content.Attributes)) {
		travs = append(travs, content.Attributes[name].Expr.Variables()...)
	}
	return travs
}

// attributeBlocks takes out of body the nested blocks of typ written as an
// attribute (AttributeBlocksSource) and evaluates them into the block
// type; the rest of the body decodes as usual. An attribute set to null is
// left out, as Terraform does.
func (r *run) attributeBlocks(typ string, body hcl.Body, ctx *hcl.EvalContext) (hcl.Body, attributeBlocks, hcl.Diagnostics) {
	schema, types := attributeBlockSchema(r.e.schemas, typ)
	if schema == nil {
		return body, nil, nil
	}
	content, remain, diags := body.PartialContent(schema)
	if diags.HasErrors() || len(content.Attributes) == 0 {
		return body, nil, diags
	}
	out := attributeBlocks{}
	for _, name := range slices.Sorted(maps.Keys(content.Attributes)) {
		a := content.Attributes[name]
		v, d := a.Expr.Value(ctx)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		if v.IsNull() {
			continue
		}
		bv, err := asBlocks(v, types[name])
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity:    hcl.DiagError,
				Summary:     "Incorrect attribute value type",
				Detail:      fmt.Sprintf("Inappropriate value for attribute %q: %s.", name, err),
				Subject:     a.Expr.Range().Ptr(),
				Expression:  a.Expr,
				EvalContext: ctx,
			})
			continue
		}
		out[name] = attributeBlock{val: bv, rng: a.NameRange}
	}
	return remain, out, diags
}

// asBlocks converts a list of objects written as an attribute into ty, a
// list or set of objects: attributes an object leaves out are null.
func asBlocks(v cty.Value, ty cty.Type) (cty.Value, error) {
	v, marks := v.Unmark()
	if !v.IsKnown() {
		return cty.UnknownVal(ty).WithMarks(marks), nil
	}
	ety := ty.ElementType()
	names := make([]string, 0, len(ety.AttributeTypes()))
	for n := range ety.AttributeTypes() {
		names = append(names, n)
	}
	list, err := convert.Convert(v, cty.List(cty.ObjectWithOptionalAttrs(ety.AttributeTypes(), names)))
	if err != nil {
		return cty.NilVal, err
	}
	list, lmarks := list.Unmark()
	marks = cty.NewValueMarks(marks, lmarks)
	var elems []cty.Value
	for it := list.ElementIterator(); it.Next(); {
		_, e := it.Element()
		ce, err := convert.Convert(e, ety)
		if err != nil {
			return cty.NilVal, err
		}
		elems = append(elems, ce)
	}
	var out cty.Value
	switch {
	case len(elems) == 0 && ty.IsSetType():
		out = cty.SetValEmpty(ety)
	case len(elems) == 0:
		out = cty.ListValEmpty(ety)
	case ty.IsSetType():
		out = cty.SetVal(elems)
	default:
		out = cty.ListVal(elems)
	}
	return out.WithMarks(marks), nil
}

// into puts the attribute-written blocks into an instance's decoded value.
func (a attributeBlocks) into(val cty.Value) cty.Value {
	if len(a) == 0 || !val.IsKnown() || val.IsNull() || !val.Type().IsObjectType() {
		return val
	}
	val, marks := val.Unmark()
	m := val.AsValueMap()
	for name, b := range a {
		m[name] = b.val
	}
	return cty.ObjectVal(m).WithMarks(marks)
}
