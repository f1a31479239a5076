package config

import (
	"fmt"
	"maps"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// evalContext builds the EvalContext for a body from the references it
// uses, and only those: each referenced local, resource or data source is
// evaluated (once per run) and put in. It also returns why the values may
// not be faithful (modules, unsupported data sources), inherited from what
// is referenced.
func (r *run) evalContext(sc *scope, travs []hcl.Traversal, hasCount, hasEach bool) (*hcl.EvalContext, []string) {
	m := sc.mod
	vars := map[string]cty.Value{}
	locals := map[string]cty.Value{}
	modules := map[string]cty.Value{}
	resources := map[string]map[string]cty.Value{}
	data := map[string]map[string]cty.Value{}
	var taints []string
	seen := map[string]bool{}
	addTaints := func(ts []string) {
		for _, t := range ts {
			if !seen[t] {
				seen[t] = true
				taints = append(taints, t)
			}
		}
	}
	addTaints(sc.taints)
	// outputs are the outputs of each module call that references name,
	// nil when one uses the module whole.
	outputs := map[string]map[string]hcl.Traversal{}
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: sc.funcs}

	for _, t := range travs {
		root := t.RootName()
		switch root {
		case "var":
			name, ok := r.refName(t, 1, "var", "a variable name, like var.region")
			if !ok {
				continue
			}
			if _, declared := m.variables[name]; !declared {
				r.errorf(t, "Reference to undeclared input variable", "An input variable with the name %q has not been declared. This variable can be declared with a variable %q {} block.", name, name)
				vars[name] = cty.DynamicVal
				continue
			}
			v, ts := r.variable(sc, name)
			vars[name] = v
			addTaints(ts)
		case "local":
			name, ok := r.refName(t, 1, "local", "a local value name, like local.tags")
			if !ok {
				continue
			}
			if _, declared := m.locals[name]; !declared {
				r.errorf(t, "Reference to undeclared local value", "A local value with the name %q has not been declared.", name)
				locals[name] = cty.DynamicVal
				continue
			}
			v, ts := r.local(sc, name)
			locals[name] = v
			addTaints(ts)
		case "count":
			if !hasCount {
				r.errorf(t, `Reference to "count" in non-counted context`, `The "count" object can only be used in "resource" and "data" blocks, and only when the "count" argument is set.`)
				ctx.Variables["count"] = cty.DynamicVal
			}
		case "each":
			if !hasEach {
				r.errorf(t, `Reference to "each" in context without for_each`, `The "each" object can be used only in "resource" and "data" blocks, and only when the "for_each" argument is set.`)
				ctx.Variables["each"] = cty.DynamicVal
			}
		case "path":
			ctx.Variables["path"] = sc.pathObj
		case "terraform":
			ctx.Variables["terraform"] = cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal(r.e.workspace)})
		case "self":
			r.errorf(t, `Invalid "self" reference`, `The "self" object is only available in provisioner and connection blocks, which driftctl does not evaluate.`)
			ctx.Variables["self"] = cty.DynamicVal
		case "module":
			name, ok := r.refName(t, 1, "module", "a module name, like module.vpc")
			if !ok {
				continue
			}
			mc, declared := m.modules[name]
			if !declared {
				r.errorf(t, "Reference to undeclared module", "No module call named %q is declared in %s.", name, sc.moduleName())
				modules[name] = cty.DynamicVal
				continue
			}
			names, seen := outputs[name]
			if !seen {
				names = map[string]hcl.Traversal{}
			}
			if names != nil && outputNames(mc, t, names) {
				names = nil
			}
			outputs[name] = names
		case "data":
			typ, ok := r.refName(t, 1, "data", "a data source type and name, like data.aws_region.current")
			if !ok {
				continue
			}
			name, ok := r.refName(t, 2, "data."+typ, "a data source name, like data.aws_region.current")
			if !ok {
				continue
			}
			if data[typ] == nil {
				data[typ] = map[string]cty.Value{}
			}
			b, declared := m.data[typ+"."+name]
			if !declared {
				r.errorf(t, "Reference to undeclared resource", "A data resource %q %q has not been declared in %s.", typ, name, sc.moduleName())
				data[typ][name] = cty.DynamicVal
				continue
			}
			v, ts := r.block(sc, b)
			data[typ][name] = v
			addTaints(ts)
		default:
			name, ok := r.refName(t, 1, root, "a resource name, like aws_vpc.main")
			if !ok {
				continue
			}
			if resources[root] == nil {
				resources[root] = map[string]cty.Value{}
			}
			b, declared := m.resources[root+"."+name]
			if !declared {
				r.errorf(t, "Reference to undeclared resource", "A managed resource %q %q has not been declared in %s.", root, name, sc.moduleName())
				resources[root][name] = cty.DynamicVal
				continue
			}
			v, ts := r.block(sc, b)
			if cur, ok := resources[root][name]; ok {
				v = cur
			}
			resources[root][name] = r.withUnreadAttributes(v, t, t[2:])
			addTaints(ts)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(outputs)) {
		v, ts := r.moduleValue(sc, name, outputs[name])
		modules[name] = v
		addTaints(ts)
	}
	if len(vars) > 0 {
		ctx.Variables["var"] = cty.ObjectVal(vars)
	}
	if len(locals) > 0 {
		ctx.Variables["local"] = cty.ObjectVal(locals)
	}
	if len(modules) > 0 {
		ctx.Variables["module"] = cty.ObjectVal(modules)
	}
	if len(data) > 0 {
		byType := map[string]cty.Value{}
		for typ, names := range data {
			byType[typ] = cty.ObjectVal(names)
		}
		ctx.Variables["data"] = cty.ObjectVal(byType)
	}
	for typ, names := range resources {
		ctx.Variables[typ] = cty.ObjectVal(names)
	}
	return ctx, taints
}

// refName returns the attribute name at step i of a reference.
func (r *run) refName(t hcl.Traversal, i int, prefix, want string) (string, bool) {
	if len(t) > i {
		if a, ok := t[i].(hcl.TraverseAttr); ok {
			return a.Name, true
		}
	}
	r.errorf(t, "Invalid reference", "A reference to %s must be followed by %s.", prefix, want)
	return "", false
}

func (r *run) errorf(t hcl.Traversal, summary, detail string, args ...any) {
	r.diags = append(r.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(detail, args...),
		Subject:  t.SourceRange().Ptr(),
	})
}

// local evaluates a local value once per run.
func (r *run) local(sc *scope, name string) (cty.Value, []string) {
	l := sc.mod.locals[name]
	return r.visit(sc.addr("local."+name), l.DeclRange, func() (cty.Value, []string) {
		ctx, taints := r.evalContext(sc, l.Expr.Variables(), false, false)
		v, diags := l.Expr.Value(ctx)
		r.diags = append(r.diags, diags...)
		if diags.HasErrors() {
			return cty.DynamicVal, taints
		}
		return r.checkSize(v, sc.addr("local."+name), l.Expr.Range()), taints
	})
}

// withUnreadAttributes makes an attribute that a reference names but the
// resource's value lacks unknown, with a warning, instead of failing the
// whole evaluation: the value comes from the resolver (the live read), which
// holds only the attributes driftctl reads, and Terraform has more. What
// depends on it is then not compared.
func (r *run) withUnreadAttributes(v cty.Value, t hcl.Traversal, steps hcl.Traversal) cty.Value {
	if len(steps) == 0 || v == cty.NilVal || v.IsNull() || !v.IsKnown() {
		return v
	}
	ty := v.Type()
	switch s := steps[0].(type) {
	case hcl.TraverseAttr:
		if !ty.IsObjectType() {
			return v
		}
		m := v.AsValueMap()
		if m == nil {
			m = map[string]cty.Value{}
		}
		if !ty.HasAttribute(s.Name) {
			r.diags = append(r.diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Attribute not read by driftctl",
				Detail:   fmt.Sprintf("driftctl does not read the attribute %q; the value of this reference is unknown, and what depends on it is not compared.", s.Name),
				Subject:  t.SourceRange().Ptr(),
			})
			m[s.Name] = cty.DynamicVal
			return cty.ObjectVal(m)
		}
		m[s.Name] = r.withUnreadAttributes(m[s.Name], t, steps[1:])
		return cty.ObjectVal(m)
	case hcl.TraverseIndex:
		k := s.Key
		switch {
		case ty.IsObjectType() && k.Type() == cty.String && k.IsKnown() && ty.HasAttribute(k.AsString()):
			m := v.AsValueMap()
			m[k.AsString()] = r.withUnreadAttributes(m[k.AsString()], t, steps[1:])
			return cty.ObjectVal(m)
		case ty.IsTupleType() && k.Type() == cty.Number && k.IsKnown():
			i, acc := k.AsBigFloat().Int64()
			elems := v.AsValueSlice()
			if acc != 0 || i < 0 || int(i) >= len(elems) {
				return v
			}
			elems[i] = r.withUnreadAttributes(elems[i], t, steps[1:])
			return cty.TupleVal(elems)
		}
	}
	return v
}
