package genconfig

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/providers"
)

// writeBody writes into body the attributes of live, a resource of schema,
// that its configuration sets, and returns the paths of the sensitive ones
// it left out (their values are never written: a comment says so). It
// follows the meaning a scan gives a configuration (drift.Compare), so
// that the resource compares in sync with what is written:
//   - computed-only attributes (arn, id, owner_id) are never written, nor
//     Terraform-only ones (force_destroy, timeouts), write-only ones, or
//     those the schema marks NotGenerated;
//   - an attribute with a default is written when its value differs from
//     it; an optional one without a default when its value is not empty
//     (null, "", false, 0, an empty collection), since one left out must
//     be empty live;
//   - an optional+computed attribute is written when its value is not
//     empty nor the schema's CloudDefault: left out, it accepts whatever
//     the cloud has, so such a value would be noise;
//   - nested blocks are written as blocks, each with these rules; an
//     optional block left with nothing to say is left out;
//   - tags are the live tags but those the provider's default_tags give
//     the same value; a JSON document compared by equivalence (a policy)
//     is written as jsonencode() of its value when that is equivalent.
//
// Attributes come in name order, then the blocks in name order. It leaves
// out as sensitive the attributes that hold a string secret reports (nil:
// none).
func writeBody(body *hclwrite.Body, schema *providers.Schema, live cty.Value, defaultTags map[string]string, secret func(string) bool) []string {
	w := &writer{defaultTags: defaultTags, secret: secret}
	w.object(body, schema.Attributes, live, "", true)
	return w.sensitive
}

type writer struct {
	defaultTags map[string]string
	secret      func(string) bool
	sensitive   []string
}

// object writes the attributes of one object (the resource, or one
// block) and reports whether it wrote anything. top is true for the
// resource itself, whose tags meet the default tags.
func (w *writer) object(body *hclwrite.Body, attrs map[string]*providers.Attribute, v cty.Value, path string, top bool) bool {
	if v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() {
		return false
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	// Attributes first, then blocks, as Terraform writes them.
	sort.SliceStable(names, func(i, j int) bool { return !isBlock(attrs[names[i]]) && isBlock(attrs[names[j]]) })
	wrote := false
	for _, name := range names {
		a := attrs[name]
		if !configurable(a) || !v.Type().HasAttribute(name) {
			continue
		}
		val := v.GetAttr(name)
		p := join(path, name)
		if !val.IsWhollyKnown() {
			continue
		}
		if a.Sensitive || val.ContainsMarked() || w.holdsSecret(val) {
			if !isEmpty(val) {
				w.sensitive = append(w.sensitive, p)
				body.AppendUnstructuredTokens(hclwrite.Tokens{{Type: hclsyntax.TokenComment, Bytes: []byte("# " + name + ": sensitive, not written: set it yourself\n")}})
				wrote = true
			}
			continue
		}
		if top && name == "tags" {
			val = w.withoutDefaultTags(val)
		}
		if isBlock(a) {
			if w.blocks(body, name, a, val, p) {
				wrote = true
			}
			continue
		}
		if !a.Required && omitted(a, val) {
			continue
		}
		if val.IsNull() {
			continue
		}
		body.SetAttributeRaw(name, tokens(a, val))
		wrote = true
	}
	return wrote
}

// blocks writes the nested blocks of one attribute and reports whether it
// wrote any.
func (w *writer) blocks(body *hclwrite.Body, name string, a *providers.Attribute, val cty.Value, path string) bool {
	if val.IsNull() {
		return false
	}
	nb := a.Nested
	type element struct {
		labels []string
		v      cty.Value
	}
	var elems []element
	switch {
	case nb.Nesting == providers.NestingMap:
		for it := val.ElementIterator(); it.Next(); {
			k, e := it.Element()
			elems = append(elems, element{labels: []string{k.AsString()}, v: e})
		}
	case val.Type().IsObjectType():
		elems = append(elems, element{v: val})
	default:
		for it := val.ElementIterator(); it.Next(); {
			_, e := it.Element()
			elems = append(elems, element{v: e})
		}
	}
	wrote := false
	for i, e := range elems {
		block := hclwrite.NewBlock(name, e.labels)
		p := path
		if len(elems) > 1 || nb.Nesting == providers.NestingList {
			p = path + "[" + strconv.Itoa(i) + "]"
		}
		// A block that says nothing is left out, unless it must be
		// there.
		if !w.object(block.Body(), nb.Attributes, e.v, p, false) && !a.Required && nb.MinItems == 0 {
			continue
		}
		body.AppendBlock(block)
		wrote = true
	}
	return wrote
}

// holdsSecret reports whether a string in v holds a sensitive value of
// the configuration.
func (w *writer) holdsSecret(v cty.Value) bool {
	if w.secret == nil {
		return false
	}
	found := false
	_ = cty.Walk(v, func(_ cty.Path, e cty.Value) (bool, error) {
		if !found && e.Type() == cty.String && e.IsKnown() && !e.IsNull() && w.secret(e.AsString()) {
			found = true
		}
		return !found, nil
	})
	return found
}

// withoutDefaultTags drops from a tags map the tags the provider's
// default_tags give the same value.
func (w *writer) withoutDefaultTags(tags cty.Value) cty.Value {
	if len(w.defaultTags) == 0 || tags.IsNull() || !tags.Type().IsMapType() || tags.LengthInt() == 0 {
		return tags
	}
	kept := map[string]cty.Value{}
	for k, v := range tags.AsValueMap() {
		if d, ok := w.defaultTags[k]; ok && v.Type() == cty.String && !v.IsNull() && v.AsString() == d {
			continue
		}
		kept[k] = v
	}
	if len(kept) == 0 {
		return cty.MapValEmpty(tags.Type().ElementType())
	}
	return cty.MapVal(kept)
}

// configurable is whether generated configuration may write the
// attribute at all.
func configurable(a *providers.Attribute) bool {
	return (a.Required || a.Optional) && !a.TerraformOnly && !a.WriteOnly && !a.NotGenerated
}

// isBlock is whether an attribute is written as nested blocks.
func isBlock(a *providers.Attribute) bool { return a.Nested != nil && !a.Nested.AttributeOnly }

// omitted is whether an optional attribute's live value is what leaving
// it out says: its default, or, without one, empty.
func omitted(a *providers.Attribute, v cty.Value) bool {
	switch {
	case a.Computed && a.CloudDefault != cty.NilVal && !v.IsNull() && equal(a.CloudDefault, v):
		return true
	case a.Default != cty.NilVal:
		return v.IsNull() || equal(a.Default, v)
	}
	return isEmpty(v)
}

// isEmpty is what an optional attribute left out of a configuration may
// be live: null, "", false, 0 or an empty collection (drift.Compare's).
func isEmpty(v cty.Value) bool {
	if v.IsKnown() && !v.IsNull() && !v.IsMarked() && v.Type() == cty.Number {
		return v.Equals(cty.Zero).True()
	}
	return drift.Unset(v)
}

// equal compares a default with a live value of another type if need be.
func equal(def, v cty.Value) bool {
	if !v.Type().Equals(def.Type()) {
		c, err := convert.Convert(v, def.Type())
		if err != nil {
			return false
		}
		v = c
	}
	eq := def.Equals(v)
	return eq.IsKnown() && eq.True()
}

// tokens is how an attribute's value is written: a JSON document that the
// attribute compares by equivalence (a policy) as jsonencode() of its
// value when that is equivalent, anything else as its literal.
func tokens(a *providers.Attribute, v cty.Value) hclwrite.Tokens {
	if a.Comparer != nil && v.Type() == cty.String {
		if t, ok := jsonencoded(a, v); ok {
			return t
		}
	}
	return hclwrite.TokensForValue(v)
}

// jsonencoded writes a JSON object string as jsonencode({...}) when the
// attribute's Comparer finds what jsonencode gives back equivalent.
func jsonencoded(a *providers.Attribute, v cty.Value) (hclwrite.Tokens, bool) {
	b := bytes.TrimSpace([]byte(v.AsString()))
	if len(b) == 0 || b[0] != '{' || !json.Valid(b) {
		return nil, false
	}
	ty, err := ctyjson.ImpliedType(b)
	if err != nil {
		return nil, false
	}
	obj, err := ctyjson.Unmarshal(b, ty)
	if err != nil {
		return nil, false
	}
	back, err := ctyjson.Marshal(obj, obj.Type())
	if err != nil {
		return nil, false
	}
	if eq, err := a.Comparer.Equivalent(cty.StringVal(string(back)), v); err != nil || !eq {
		return nil, false
	}
	return hclwrite.TokensForFunctionCall("jsonencode", hclwrite.TokensForValue(obj)), true
}

func join(path, name string) string {
	switch {
	case path == "":
		return name
	case name == "":
		return path
	}
	return path + "." + name
}
