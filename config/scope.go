package config

import (
	"fmt"
	"maps"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// A scope is a module instance being evaluated: the root module, or one
// instance of a module call (count and for_each make several). Every
// declaration is evaluated once per scope, under a key prefixed with the
// scope's address: module.svc["api"].local.name.

type scope struct {
	mod *Module
	// path is the module instance address: "" for the root module,
	// module.svc["api"].module.bucket[0].
	path   string
	parent *scope
	call   *moduleCall // nil for the root module
	// key is the call instance's key (cty.NilVal without count or
	// for_each), each its for_each value.
	key, each cty.Value
	funcs     map[string]function.Function
	pathObj   cty.Value
	providers *providerMapping
	// taints say why nothing in this instance is evaluated faithfully:
	// its call's count or for_each is not known.
	taints []string
}

// addr is a declaration's address in the scope.
func (s *scope) addr(a string) string { return joinAddress(s.path, a) }

// rootScope is the root module's scope.
func (r *run) rootScope() *scope {
	if r.root == nil {
		r.root = &scope{mod: r.e.mod, funcs: r.e.funcs, pathObj: r.e.pathObj, providers: &providerMapping{mod: r.e.mod}}
	}
	return r.root
}

// providerMapping maps the provider configurations a module's blocks name
// to the root module's: through the `providers` argument of its call, or,
// for a default configuration the call does not pass, the one of the same
// name in the calling module (Terraform's implicit inheritance).
type providerMapping struct {
	mod    *Module
	parent *providerMapping // nil for the root module
	call   *moduleCall
	addr   string // the module's address without keys
}

// resolve returns the root module's configuration that ref names in the
// module, or why there is none.
func (p *providerMapping) resolve(ref ProviderRef) (ProviderRef, string) {
	if p.parent == nil {
		return ref, ""
	}
	for _, own := range p.mod.providers {
		if own.Ref == ref {
			// A provider block of the module itself (Terraform forbids
			// count and for_each on such a module, and on its callers).
			return ProviderRef{Name: ref.Name, Alias: ref.Alias, Module: p.addr}, ""
		}
	}
	if to, ok := p.call.Providers[ref]; ok {
		return p.parent.resolve(to)
	}
	if ref.Alias == "" {
		return p.parent.resolve(ref)
	}
	return ProviderRef{}, fmt.Sprintf("the call of module %q (%s) does not pass provider configuration %s", p.call.Name, loc(p.call.DeclRange), ref)
}

// child is the mapping of a module called from p's.
func (p *providerMapping) child(mc *moduleCall) *providerMapping {
	return &providerMapping{mod: mc.Module, parent: p, call: mc, addr: joinAddress(p.addr, "module."+mc.Name)}
}

// callScopes are a module call's instances in sc, each a scope, evaluated
// once per run: count or for_each is evaluated in sc. When it is not known,
// one scope with an unknown key stands for all, tainted.
func (r *run) callScopes(sc *scope, name string) ([]*scope, []string) {
	mc := sc.mod.modules[name]
	key := sc.addr("module." + name)
	if c, ok := r.calls[key]; ok {
		return c.scopes, c.taints
	}
	var scopes []*scope
	_, taints := r.visit(key, mc.DeclRange, func() (cty.Value, []string) {
		var travs []hcl.Traversal
		for _, expr := range []hcl.Expression{mc.Count, mc.ForEach} {
			if expr != nil {
				travs = append(travs, expr.Variables()...)
			}
		}
		ctx, taints := r.evalContext(sc, travs, false, false)
		instances, known, ok := r.expand(mc.Count, mc.ForEach, ctx)
		if !ok {
			return cty.DynamicVal, taints
		}
		if !known {
			taints = append(taints, notKnown(sc.addr("module."+name), mc.Count, mc.ForEach))
		}
		funcs, pathObj := r.moduleFunctions(sc, mc)
		for _, inst := range instances {
			scopes = append(scopes, &scope{
				mod: mc.Module, path: sc.addr("module." + name + instanceKey(inst.key)), parent: sc, call: mc,
				key: inst.key, each: inst.each, funcs: funcs, pathObj: pathObj,
				providers: sc.providers.child(mc), taints: append(slices.Clone(sc.taints), taints...),
			})
		}
		return cty.DynamicVal, taints
	})
	r.calls[key] = callResult{scopes: scopes, taints: taints}
	return scopes, taints
}

type callResult struct {
	scopes []*scope
	taints []string
}

// moduleFunctions are the function table and path object of a module mc
// calls from sc: the root module's functions (paths are relative to the
// root module's directory, as in Terraform) with path.module the module's
// directory; a fetched module's own (its files are not under the root),
// with path.module ".".
func (r *run) moduleFunctions(sc *scope, mc *moduleCall) (map[string]function.Function, cty.Value) {
	cwd := r.e.pathObj.GetAttr("cwd")
	pathObj := cty.ObjectVal(map[string]cty.Value{
		"module": cty.StringVal(mc.pathModule),
		"root":   cty.StringVal("."),
		"cwd":    cwd,
	})
	if !mc.Module.fetched {
		return r.e.funcs, pathObj
	}
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	f, ok := r.e.fetchedFuncs[mc.Module]
	if !ok {
		f = limitFunctions(functions(mc.Module.files), r.e.limits.MaxValueBytes)
		if r.e.fetchedFuncs == nil {
			r.e.fetchedFuncs = map[*Module]map[string]function.Function{}
		}
		r.e.fetchedFuncs[mc.Module] = f
	}
	return f, pathObj
}

// variable is the value of a variable in sc: for the root module the
// one NewEvaluator resolved, for a called module the call's argument
// (evaluated in the calling scope), converted to the variable's type, or
// its default. A called module's validation rules are checked once the
// value is known.
func (r *run) variable(sc *scope, name string) (cty.Value, []string) {
	if sc.call == nil {
		return r.e.vars[name], nil
	}
	v := sc.mod.variables[name]
	key := sc.addr("var." + name)
	decl := v.DeclRange
	if a, given := sc.call.Inputs[name]; given {
		// A cycle through the call is written in the calling module, in
		// the argument, where it can be broken; the variable block is
		// shared by every call of the module.
		decl = a.Expr.Range()
	}
	val, taints := r.visit(key, decl, func() (cty.Value, []string) {
		a, given := sc.call.Inputs[name]
		var in varValue
		var taints []string
		if given {
			ctx, ts := r.evalContext(sc.parent, a.Expr.Variables(), sc.call.Count != nil, sc.call.ForEach != nil)
			taints = ts
			val, diags := a.Expr.Value(instanceContext(ctx, sc.call.Count != nil, sc.call.ForEach != nil, sc.key, sc.each))
			r.diags = append(r.diags, diags...)
			if diags.HasErrors() {
				return cty.UnknownVal(v.Type), taints
			}
			sensitive := val.ContainsMarked()
			val, _ = val.UnmarkDeep()
			in = varValue{Value: val, Range: a.Expr.Range().Ptr()}
			out, d := finalVariable(v, in)
			r.diags = append(r.diags, d...)
			if sensitive || v.Sensitive {
				out = out.Mark(sensitiveMark)
			}
			return out, taints
		}
		if v.Default == cty.NilVal {
			r.diags = append(r.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Missing required argument",
				Detail:   fmt.Sprintf("The argument %q is required by the module (%s), but no definition was found.", name, loc(v.DeclRange)),
				Subject:  sc.call.DeclRange.Ptr(),
			})
			return cty.UnknownVal(v.Type), nil
		}
		out := v.Default
		if v.Sensitive {
			out = out.Mark(sensitiveMark)
		}
		return out, nil
	})
	if !r.validated[key] {
		r.validated[key] = true
		var valueRange *hcl.Range
		if a, ok := sc.call.Inputs[name]; ok {
			valueRange = a.Expr.Range().Ptr()
		}
		for _, rule := range v.Validations {
			r.checkValidation(sc, v, rule, valueRange)
		}
	}
	return val, taints
}

// instanceContext is ctx with count.index or each.key and each.value of
// an instance.
func instanceContext(ctx *hcl.EvalContext, hasCount, hasEach bool, key, each cty.Value) *hcl.EvalContext {
	ictx := ctx.NewChild()
	switch {
	case hasCount:
		ictx.Variables = map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": key})}
	case hasEach:
		ictx.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": key, "value": each})}
	}
	return ictx
}

// checkInputs reports arguments of a module call that the module does
// not declare as variables, as Terraform does.
func (r *run) checkInputs(sc *scope) {
	for _, name := range slices.Sorted(maps.Keys(sc.call.Inputs)) {
		if _, ok := sc.mod.variables[name]; !ok {
			a := sc.call.Inputs[name]
			r.diags = append(r.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unsupported argument",
				Detail:   fmt.Sprintf("An argument named %q is not expected here: the module (%s) declares no variable %q.", name, sc.mod.Dir, name),
				Subject:  a.NameRange.Ptr(),
			})
		}
	}
}

// output is the value of an output of sc.
func (r *run) output(sc *scope, o *output) (cty.Value, []string) {
	return r.visit(sc.addr("output."+o.Name), o.DeclRange, func() (cty.Value, []string) {
		if o.Value == nil {
			return cty.DynamicVal, nil
		}
		ctx, taints := r.evalContext(sc, o.Value.Variables(), false, false)
		v, diags := o.Value.Value(ctx)
		r.diags = append(r.diags, diags...)
		if diags.HasErrors() {
			return cty.DynamicVal, taints
		}
		if o.Sensitive {
			v = v.Mark(sensitiveMark)
		}
		return r.checkSize(v, sc.addr("output."+o.Name), o.Value.Range()), taints
	})
}

// moduleValue is what module.NAME is in sc: an object of the outputs
// names (all of them when names is nil) of the call's instance, a tuple
// of such objects with count, an object of them by key with for_each.
func (r *run) moduleValue(sc *scope, name string, names map[string]hcl.Traversal) (cty.Value, []string) {
	mc := sc.mod.modules[name]
	if mc.Module == nil {
		return cty.DynamicVal, []string{fmt.Sprintf("module.%s is not read: %s (%s)", name, mc.Unread, loc(mc.DeclRange))}
	}
	if r.static {
		return cty.DynamicVal, nil
	}
	scopes, taints := r.callScopes(sc, name)
	if (len(scopes) == 0 && !mc.Multi()) || (len(scopes) == 1 && scopes[0].key != cty.NilVal && !scopes[0].key.IsKnown()) {
		// A cycle or an invalid count, reported; or instances not known.
		return cty.DynamicVal, taints
	}
	if names == nil {
		names = map[string]hcl.Traversal{}
		for n := range mc.Module.outputs {
			names[n] = nil
		}
	}
	objs := make([]cty.Value, len(scopes))
	for i, child := range scopes {
		attrs := map[string]cty.Value{}
		for n, t := range names {
			o, ok := mc.Module.outputs[n]
			if !ok {
				if t != nil {
					r.errorf(t, "Unsupported attribute", "The module %q (%s) has no output named %q.", name, mc.Module.Dir, n)
				}
				attrs[n] = cty.DynamicVal
				continue
			}
			v, ts := r.output(child, o)
			taints = append(taints, ts...)
			attrs[n] = v
		}
		objs[i] = cty.ObjectVal(attrs)
	}
	switch {
	case mc.Count != nil:
		if len(objs) == 0 {
			return cty.EmptyTupleVal, taints
		}
		return cty.TupleVal(objs), taints
	case mc.ForEach != nil:
		byKey := make(map[string]cty.Value, len(objs))
		for i, child := range scopes {
			byKey[child.key.AsString()] = objs[i]
		}
		return cty.ObjectVal(byKey), taints
	}
	return objs[0], taints
}

// outputNames adds to names the output a reference to module mc names
// (module.net.vpc_id, module.svc["api"].arn, module.svc[0].arn); all is
// true when it names none (module.net used whole).
func outputNames(mc *moduleCall, t hcl.Traversal, names map[string]hcl.Traversal) (all bool) {
	i := 2
	if mc.Multi() {
		if len(t) <= i {
			return true
		}
		if _, ok := t[i].(hcl.TraverseIndex); !ok {
			if _, ok := t[i].(hcl.TraverseAttr); !ok || mc.Count != nil {
				return true
			}
		}
		i++
	}
	if len(t) <= i {
		return true
	}
	a, ok := t[i].(hcl.TraverseAttr)
	if !ok {
		return true
	}
	names[a.Name] = t
	return false
}

// evalScope evaluates every declaration of sc's module instance and of
// the module instances it calls, depth first.
func (r *run) evalScope(sc *scope) bool {
	if sc.call != nil {
		r.checkInputs(sc)
		for _, name := range slices.Sorted(maps.Keys(sc.mod.variables)) {
			r.variable(sc, name)
		}
	}
	for _, b := range sc.mod.sortedBlocks() {
		if err := r.ctx.Err(); err != nil {
			r.diags = append(r.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Evaluation cancelled", Detail: err.Error()})
			return false
		}
		r.block(sc, b)
	}
	for _, name := range slices.Sorted(maps.Keys(sc.mod.locals)) {
		r.local(sc, name)
	}
	if sc.call != nil {
		for _, name := range slices.Sorted(maps.Keys(sc.mod.outputs)) {
			r.output(sc, sc.mod.outputs[name])
		}
	}
	for _, name := range slices.Sorted(maps.Keys(sc.mod.modules)) {
		if sc.mod.modules[name].Module == nil {
			continue
		}
		scopes, _ := r.callScopes(sc, name)
		for _, child := range scopes {
			if !r.evalScope(child) {
				return false
			}
		}
	}
	return true
}
