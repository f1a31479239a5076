package config

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/gitdrift/driftctl/internal/ctypack"
)

// Evaluator evaluates a Module with variable values from outside the
// configuration. Providers and Resources each start a fresh evaluation, so
// an Evaluator holds no per-scan state and can be reused.
type Evaluator struct {
	mod     *Module
	schemas SchemaSource
	vars    map[string]cty.Value // sensitive ones marked with sensitiveMark
	funcs   map[string]function.Function
	pathObj cty.Value
	limits  Limits
	// workspace is terraform.workspace.
	workspace string
	// mu guards fetchedFuncs, the function tables of fetched modules.
	mu           sync.Mutex
	fetchedFuncs map[*Module]map[string]function.Function
}

// NewEvaluator resolves the module's variables from vars, the module's
// terraform.tfvars(.json) and *.auto.tfvars(.json) files, and defaults. A
// required variable without a value is an error naming its declaration.
func NewEvaluator(m *Module, schemas SchemaSource, vars VarOptions, opts ...EvaluatorOption) (*Evaluator, hcl.Diagnostics) {
	cwd, err := filepath.Abs(m.Dir)
	if err != nil {
		cwd = m.Dir
	}
	e := &Evaluator{
		mod:     m,
		schemas: schemas,
		funcs:   functions(m.files),
		// Terraform's path.module and path.root are "." for the root
		// module; file() and templatefile() read relative to m.Dir.
		pathObj: cty.ObjectVal(map[string]cty.Value{
			"module": cty.StringVal("."),
			"root":   cty.StringVal("."),
			"cwd":    cty.StringVal(cwd),
		}),
	}
	e.limits = Limits{}.withDefaults()
	e.workspace = "default"
	for _, o := range opts {
		o(e)
	}
	e.addProviderFunctions()
	e.funcs = limitFunctions(e.funcs, e.limits.MaxValueBytes)
	values, diags := e.variableValues(vars)
	e.vars = values
	return e, e.redactDiagnostics(diags)
}

// FunctionSource is a SchemaSource that also has providers' functions
// (providers.Registry): a configuration calls them as
// provider::LOCAL_NAME::NAME.
type FunctionSource interface {
	ProviderFunctions(providerType string) map[string]function.Function
}

// addProviderFunctions adds the functions of every provider the module
// names, under each of its local names.
func (e *Evaluator) addProviderFunctions() {
	fs, ok := e.schemas.(FunctionSource)
	if !ok {
		return
	}
	for _, local := range e.mod.providerLocalNames() {
		for name, f := range fs.ProviderFunctions(e.mod.ProviderType(local)) {
			e.funcs["provider::"+local+"::"+name] = redacting(f)
		}
	}
}

// nodeState tracks a declaration through evaluation, for cycle detection.
type nodeState uint8

const (
	nodeNew nodeState = iota
	nodeVisiting
	nodeDone
)

type node struct {
	state nodeState
	// kept: the run has decided what to keep of a resource's value (see
	// pack), once.
	kept   bool
	val    cty.Value
	taints []string
	// packed holds val encoded by ctypack (as packedType) when the run packs
	// what it keeps (see run.pack); val is then cty.NilVal.
	packed     []byte
	packedType cty.Type
}

// run is one evaluation: every declaration is evaluated at most once, on
// first reference, so dependencies are evaluated (and resolved) first.
type run struct {
	e *Evaluator
	// importIDs are the import blocks' IDs by target address.
	importIDs map[string]string
	ctx       context.Context
	static    bool // resources and data sources are unknown, not evaluated
	data      DataReader
	resolver  Resolver
	nodes     map[string]*node
	stack     []string
	diags     hcl.Diagnostics
	out       []*Resource
	// discard leaves out empty: Resolve saw each resource, and nothing
	// keeps it after (Evaluate).
	discard bool
	// emitted are the import targets evaluated (targets are all of them),
	// for checkImportTargets.
	emitted map[string]bool
	targets map[string]struct{}
	// remaining counts the managed blocks of each type not yet
	// evaluated (see TypeDoneResolver).
	remaining map[string]int
	// forgotten are the evaluated blocks nothing refers to (by address),
	// whose nodes a run that discards its resources does not keep.
	forgotten map[string]struct{}
	// types are the object types of the packed values (see pack).
	types ctypack.Types
	// tooDeep is set once a chain of references went beyond
	// MaxReferenceDepth: the run evaluates nothing more.
	tooDeep bool
	// root is the root module's scope; calls are the module calls'
	// instances by call address; validated are the called modules'
	// variables whose validation rules were checked.
	root      *scope
	calls     map[string]callResult
	validated map[string]bool
}

// MaxReferenceDepth bounds a chain of declarations each referring to the
// next (local.a2 = local.a1, ...): each link is a level of recursion in
// the evaluation, and real configurations need a few dozen.
const MaxReferenceDepth = 1000

func (e *Evaluator) newRun(ctx context.Context) *run {
	return &run{e: e, ctx: ctx, nodes: map[string]*node{}, emitted: map[string]bool{}, forgotten: map[string]struct{}{},
		calls: map[string]callResult{}, validated: map[string]bool{}}
}

// visit evaluates the declaration key once; a reference back to a
// declaration being evaluated is a cycle.
func (r *run) visit(key string, decl hcl.Range, eval func() (cty.Value, []string)) (cty.Value, []string) {
	n := r.nodes[key]
	if n == nil {
		n = &node{}
		r.nodes[key] = n
	}
	switch n.state {
	case nodeDone:
		if n.packed != nil {
			return ctypack.Unpack(n.packed, n.packedType), n.taints
		}
		return n.val, n.taints
	case nodeVisiting:
		start := 0
		for i, k := range r.stack {
			if k == key {
				start = i
			}
		}
		chain := append(append([]string(nil), r.stack[start:]...), key)
		r.diags = append(r.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Cycle in references",
			Detail:   fmt.Sprintf("These declarations refer to each other: %s.", strings.Join(chain, " → ")),
			Subject:  decl.Ptr(),
		})
		return cty.DynamicVal, nil
	}
	if r.tooDeep || len(r.stack) >= MaxReferenceDepth {
		if !r.tooDeep {
			r.tooDeep = true
			r.diags = append(r.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "References nested too deeply",
				Detail: fmt.Sprintf("Evaluating %s needs a chain of more than %d declarations, each referring to the next (%s → … → %s); driftctl refuses it rather than exhaust its stack.",
					r.stack[0], MaxReferenceDepth, r.stack[0], key),
				Subject: decl.Ptr(),
			})
		}
		return cty.DynamicVal, nil
	}
	n.state = nodeVisiting
	r.stack = append(r.stack, key)
	n.val, n.taints = eval()
	r.stack = r.stack[:len(r.stack)-1]
	n.state = nodeDone
	return n.val, n.taints
}

// pack keeps a managed resource's value encoded (ctypack): a small object
// takes a few dozen bytes so, and several hundred as a cty value (its
// attribute map and its type's). Types are shared between the values of a
// run that have the same.
func (r *run) pack(n *node) {
	v := n.val
	if v == cty.NilVal || !v.IsWhollyKnown() || v.IsNull() || v.ContainsMarked() || !v.Type().IsObjectType() {
		return
	}
	ty := r.types.Shared(v.Type())
	b, err := ctypack.Marshal(v, ty)
	if err != nil {
		return
	}
	n.packed, n.packedType, n.val = b, ty, cty.NilVal
}

func loc(rng hcl.Range) string { return fmt.Sprintf("%s:%d", rng.Filename, rng.Start.Line) }

// Providers evaluates every provider block, plus an implicit configuration
// (every attribute null) for each provider that resources or data sources
// use without a block. Provider configurations may refer to variables and
// locals; references to resources and data sources are unknown.
func (e *Evaluator) Providers(ctx context.Context) ([]*ProviderConfig, hcl.Diagnostics) {
	r := e.newRun(ctx)
	r.static = true
	var out []*ProviderConfig
	declared := map[ProviderRef]bool{}
	for _, p := range e.mod.providers {
		declared[p.Ref] = true
		typ := e.mod.ProviderType(p.Ref.Name)
		spec, ok := e.schemas.ProviderSpec(typ)
		if !ok {
			r.diags = append(r.diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  fmt.Sprintf("provider %s is not supported by driftctl", typ),
				Detail:   "This provider configuration is ignored.",
				Subject:  p.DeclRange.Ptr(),
			})
			continue
		}
		out = append(out, r.providerConfig(r.rootScope(), p, p.Ref, typ, spec))
	}
	out = append(out, r.moduleProviders(r.rootScope())...)
	for _, pc := range out {
		declared[pc.Ref] = true
	}
	for _, u := range e.mod.providerUses() {
		if declared[u.ref] {
			continue
		}
		declared[u.ref] = true
		b := u.block
		if u.ref.Alias != "" {
			r.diags = append(r.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Provider configuration not present",
				Detail:   fmt.Sprintf("%s uses provider configuration %s, which is not declared: add a provider %q block with alias = %q.", u.addr, u.ref, u.ref.Name, u.ref.Alias),
				Subject:  b.DeclRange.Ptr(),
			})
			continue
		}
		typ := e.mod.ProviderType(u.ref.Name)
		spec, ok := e.schemas.ProviderSpec(typ)
		if !ok {
			// The resource types of an unknown provider are unknown too and
			// reported as such by Resources.
			continue
		}
		out = append(out, &ProviderConfig{Ref: u.ref, Type: typ, Config: nullObject(hcldec.ImpliedType(spec)), DeclRange: b.DeclRange})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Ref.String() < out[j].Ref.String() })
	return out, e.redactDiagnostics(dedupe(r.diags), r)
}

// moduleProviders evaluates the provider blocks of the modules sc calls,
// to any depth, each in its module's scope. Terraform forbids count and
// for_each on a module with provider blocks: such a call's blocks are
// evaluated in its first instance.
func (r *run) moduleProviders(sc *scope) []*ProviderConfig {
	var out []*ProviderConfig
	for _, name := range slices.Sorted(maps.Keys(sc.mod.modules)) {
		mc := sc.mod.modules[name]
		if mc.Module == nil {
			continue
		}
		scopes, _ := r.callScopes(sc, name)
		if len(scopes) == 0 {
			continue
		}
		child := scopes[0]
		addr := ModulePath(child.path)
		for _, p := range child.mod.providers {
			typ := child.mod.ProviderType(p.Ref.Name)
			spec, ok := r.e.schemas.ProviderSpec(typ)
			if !ok {
				continue
			}
			out = append(out, r.providerConfig(child, p, ProviderRef{Name: p.Ref.Name, Alias: p.Ref.Alias, Module: addr}, typ, spec))
		}
		out = append(out, r.moduleProviders(child)...)
	}
	return out
}

// providerConfig evaluates the provider block p of sc's module, of type
// typ decoded with spec, as the configuration ref; a body that does not
// decode is unknown.
func (r *run) providerConfig(sc *scope, p *providerBlock, ref ProviderRef, typ string, spec hcldec.Spec) *ProviderConfig {
	ectx, _ := r.evalContext(sc, dynblock.VariablesHCLDec(p.Body, spec), false, false)
	val, d := hcldec.Decode(dynblock.Expand(p.Body, ectx), spec, ectx)
	r.diags = append(r.diags, d...)
	if d.HasErrors() {
		val = cty.UnknownVal(hcldec.ImpliedType(spec))
	}
	val, _ = val.UnmarkDeep()
	return &ProviderConfig{Ref: ref, Type: typ, Config: val, DeclRange: p.DeclRange}
}

func nullObject(ty cty.Type) cty.Value {
	if !ty.IsObjectType() {
		return cty.NullVal(ty)
	}
	attrs := map[string]cty.Value{}
	for name, at := range ty.AttributeTypes() {
		attrs[name] = cty.NullVal(at)
	}
	return cty.ObjectVal(attrs)
}

// sortedBlocks are the resource and data blocks by address.
func (m *Module) sortedBlocks() []*resourceBlock {
	out := make([]*resourceBlock, 0, len(m.resources)+len(m.data))
	for _, b := range m.resources {
		out = append(out, b)
	}
	for _, b := range m.data {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].addr() < out[j].addr() })
	return out
}

// Resources evaluates every resource instance in dependency order, calling
// resolver.Resolve on each right after its configuration is evaluated, and
// returns them sorted by address. Supported data sources are read through
// data; when data is nil every data source is unknown, and resources that
// refer to one carry an Unsupported entry, as for modules.
func (e *Evaluator) Resources(ctx context.Context, data DataReader, resolver Resolver) ([]*Resource, hcl.Diagnostics) {
	return e.resources(ctx, data, resolver, false)
}

// Evaluate is Resources for a resolver that is the only consumer of the
// resources: they are not kept, so that a large configuration's evaluated
// resources need not all be in memory at once.
func (e *Evaluator) Evaluate(ctx context.Context, data DataReader, resolver Resolver) hcl.Diagnostics {
	_, diags := e.resources(ctx, data, resolver, true)
	return diags
}

func (e *Evaluator) resources(ctx context.Context, data DataReader, resolver Resolver, discard bool) ([]*Resource, hcl.Diagnostics) {
	r := e.newRun(ctx)
	r.data, r.resolver, r.discard = data, resolver, discard
	r.remaining = map[string]int{}
	for _, b := range e.mod.resources {
		r.remaining[b.Type]++
	}
	// The blocks of called modules count as one per type, done once every
	// module instance is evaluated.
	called := e.mod.calledTypes()
	for _, typ := range called {
		r.remaining[typ]++
	}
	r.targets = make(map[string]struct{}, len(e.mod.imports))
	for _, im := range e.mod.imports {
		r.targets[im.To] = struct{}{}
	}
	for _, u := range e.mod.UnreadModules() {
		r.diags = append(r.diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Module not read",
			Detail:   fmt.Sprintf("%s is not read: %s. Its resources are not compared, and what refers to it is unknown.", u.Address, u.Reason),
			Subject:  u.DeclRange.Ptr(),
		})
	}
	r.evalImports()
	if !r.evalScope(r.rootScope()) {
		return nil, r.diags
	}
	if td, ok := r.resolver.(TypeDoneResolver); ok {
		for _, typ := range called {
			if r.remaining[typ]--; r.remaining[typ] == 0 {
				td.TypeDone(typ)
			}
		}
	}
	sort.SliceStable(r.out, func(i, j int) bool { return resourceLess(r.out[i], r.out[j]) })
	r.checkImportTargets()
	return r.out, e.redactDiagnostics(dedupe(r.diags), r)
}

func resourceLess(a, b *Resource) bool {
	if a.Type != b.Type {
		return a.Type < b.Type
	}
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	ak, bk := a.Key, b.Key
	switch {
	case ak == cty.NilVal || bk == cty.NilVal || !ak.IsKnown() || !bk.IsKnown():
		return a.Address < b.Address
	case ak.Type() == cty.Number && bk.Type() == cty.Number:
		return ak.LessThan(bk).True()
	}
	return a.Address < b.Address
}

// evalImports evaluates the import blocks' IDs before any resource, so
// that each instance carries its ImportID when it is resolved.
func (r *run) evalImports() {
	r.importIDs = map[string]string{}
	for _, im := range r.e.mod.imports {
		ectx, _ := r.evalContext(r.rootScope(), im.ID.Variables(), false, false)
		v, d := im.ID.Value(ectx)
		r.diags = append(r.diags, d...)
		if d.HasErrors() {
			continue
		}
		v, _ = v.UnmarkDeep()
		switch {
		case !v.IsKnown():
			r.diags = append(r.diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Import ID is not known",
				Detail:   fmt.Sprintf("The import ID of %s depends on values not known before apply; it is ignored.", im.To),
				Subject:  im.ID.Range().Ptr(),
			})
		case v.IsNull() || v.Type() != cty.String || v.AsString() == "":
			r.diags = append(r.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid import id argument",
				Detail:   "The import ID must be a non-empty string.",
				Subject:  im.ID.Range().Ptr(),
			})
		default:
			r.importIDs[im.To] = v.AsString()
		}
	}
}

// checkImportTargets reports import blocks whose target has no
// configuration.
func (r *run) checkImportTargets() {
	for _, im := range r.e.mod.imports {
		if !r.emitted[im.To] {
			r.diags = append(r.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Configuration for import target does not exist",
				Detail:   fmt.Sprintf("The configuration for the given import target %s does not exist. All target instances must have an associated configuration to be imported.", im.To),
				Subject:  im.ToRange.Ptr(),
			})
		}
	}
}

// dedupe drops repeated diagnostics: a body evaluated once per instance
// reports the same problem for each.
func dedupe(diags hcl.Diagnostics) hcl.Diagnostics {
	seen := map[string]bool{}
	var out hcl.Diagnostics
	for _, d := range diags {
		key := fmt.Sprintf("%d|%s|%s", d.Severity, d.Summary, d.Detail)
		if d.Subject != nil {
			key += "|" + d.Subject.String()
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, d)
	}
	return out
}
