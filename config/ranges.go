package config

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// bodyRanges maps the attribute paths of a decoded body to where they are
// written, as Resource.Ranges documents: "tags", "tags.Env" for a key of a
// literal object, "ingress" for the first ingress block and
// "ingress.from_port" for its attributes, "listener.https.port" for an
// attribute of the block listener "https" (a map of blocks). It works on
// native and JSON bodies alike.
func bodyRanges(body hcl.Body, spec hcldec.Spec) map[string]hcl.Range {
	out := map[string]hcl.Range{}
	addRanges(out, "", body, spec)
	return out
}

func addRanges(out map[string]hcl.Range, prefix string, body hcl.Body, spec hcldec.Spec) {
	content, _, _ := body.PartialContent(hcldec.ImpliedSchema(spec))
	if content == nil {
		return
	}
	for name, a := range content.Attributes {
		key := prefix + name
		out[key] = a.Range
		pairs, diags := hcl.ExprMap(a.Expr)
		if diags.HasErrors() {
			continue
		}
		for _, p := range pairs {
			k, diags := p.Key.Value(nil)
			if diags.HasErrors() || !k.IsKnown() || k.IsNull() {
				continue
			}
			ks, err := convert.Convert(k, cty.String)
			if err != nil {
				continue
			}
			out[key+"."+ks.AsString()] = hcl.RangeBetween(p.Key.Range(), p.Value.Range())
		}
	}
	nested := nestedSpecs(spec)
	for _, b := range content.Blocks {
		key := prefix + b.Type
		if len(b.Labels) > 0 {
			// A block with a label is an element of a map of blocks:
			// listener "https" { port = 443 } is listener.https.port.
			lkey := key + "." + strings.Join(b.Labels, ".")
			if _, seen := out[lkey]; !seen {
				out[lkey] = b.DefRange
				if ns, ok := nested[b.Type]; ok {
					addRanges(out, lkey+".", b.Body, ns)
				}
			}
		}
		if _, seen := out[key]; seen {
			continue
		}
		out[key] = b.DefRange
		if ns, ok := nested[b.Type]; ok {
			addRanges(out, key+".", b.Body, ns)
		}
	}
}

// nestedSpecs finds the spec of each nested block type in an object spec.
func nestedSpecs(spec hcldec.Spec) map[string]hcldec.Spec {
	out := map[string]hcldec.Spec{}
	var walk func(s hcldec.Spec)
	walk = func(s hcldec.Spec) {
		switch s := s.(type) {
		case hcldec.ObjectSpec:
			for _, c := range s {
				walk(c)
			}
		case hcldec.TupleSpec:
			for _, c := range s {
				walk(c)
			}
		case *hcldec.BlockSpec:
			out[s.TypeName] = s.Nested
		case *hcldec.BlockListSpec:
			out[s.TypeName] = s.Nested
		case *hcldec.BlockSetSpec:
			out[s.TypeName] = s.Nested
		case *hcldec.BlockTupleSpec:
			out[s.TypeName] = s.Nested
		case *hcldec.BlockMapSpec:
			out[s.TypeName] = s.Nested
		case *hcldec.BlockObjectSpec:
			out[s.TypeName] = s.Nested
		}
	}
	walk(spec)
	return out
}
