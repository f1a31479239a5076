package config

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
	"github.com/hashicorp/hcl/v2/hcldec"
)

// referencesOf lists the managed resources (as "TYPE.NAME") that a block's
// configuration (rootBody, the block's body) depends on: directly, or
// through the locals and data sources it refers to. Remediation orders its
// changes by them.
func (m *Module) referencesOf(root *resourceBlock, rootBody hcl.Body, schemas SchemaSource) []string {
	b := root
	seen := map[string]bool{}
	out := map[string]bool{}
	var visitTraversals func(travs []hcl.Traversal)
	visitBlock := func(b *resourceBlock) {
		if seen[b.addr()] {
			return
		}
		seen[b.addr()] = true
		var travs []hcl.Traversal
		for _, expr := range []hcl.Expression{b.Count, b.ForEach} {
			if expr != nil {
				travs = append(travs, expr.Variables()...)
			}
		}
		var spec hcldec.Spec
		var ok bool
		if b.Data {
			spec, ok = schemas.DataSpec(b.Type)
		} else {
			spec, ok = schemas.ResourceSpec(b.Type)
		}
		if ok {
			body := rootBody
			if b != root {
				body, _ = b.body() // a data block: kept, never read again
			}
			travs = append(travs, dynblock.VariablesHCLDec(body, spec)...)
			if !b.Data {
				travs = append(travs, attributeBlockVariables(schemas, b.Type, body)...)
			}
		}
		visitTraversals(travs)
	}
	visitTraversals = func(travs []hcl.Traversal) {
		for _, t := range travs {
			root := t.RootName()
			name, ok := traversalName(t, 1)
			if !ok {
				continue
			}
			switch root {
			case "var", "count", "each", "path", "terraform", "self", "module":
			case "local":
				if l, ok := m.locals[name]; ok && !seen["local."+name] {
					seen["local."+name] = true
					visitTraversals(l.Expr.Variables())
				}
			case "data":
				typ := name
				dname, ok := traversalName(t, 2)
				if !ok {
					continue
				}
				if d, ok := m.data[typ+"."+dname]; ok {
					visitBlock(d)
				}
			default:
				if _, ok := m.resources[root+"."+name]; ok {
					out[root+"."+name] = true
				}
			}
		}
	}
	visitBlock(b)
	delete(out, b.addr())
	refs := make([]string, 0, len(out))
	for a := range out {
		refs = append(refs, a)
	}
	sort.Strings(refs)
	return refs
}

// traversalName returns the attribute name at step i of a traversal.
func traversalName(t hcl.Traversal, i int) (string, bool) {
	if len(t) <= i {
		return "", false
	}
	if a, ok := t[i].(hcl.TraverseAttr); ok {
		return a.Name, true
	}
	return "", false
}
