package scan

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/state"
)

// refreshes reads, ahead of evaluation, every state instance of the types
// that are read one by one (providers.Schema.ByInstance) through the
// provider configuration the state names, at most limit at a time, as
// terraform refresh does before planning; evaluation then waits for the
// one it needs and plans it against its configuration.
type refreshes struct {
	mu      sync.Mutex
	pending map[string]*refresh // by state address
	// errs are the failed calls, one per provider and type.
	errs map[string]drift.Error
}

// refresh is one instance's read, done once done is closed.
type refresh struct {
	ref  config.ProviderRef
	done chan struct{}
	inst *providers.Instance
	err  error
}

// startRefreshes starts the reads of the state's instances of ByInstance
// types whose provider configuration is configured.
func startRefreshes(ctx context.Context, st *state.State, registry *providers.Registry, configured map[config.ProviderRef]providers.Configured, byState func(*state.Instance) (config.ProviderRef, bool), limit int) *refreshes {
	r := &refreshes{pending: map[string]*refresh{}, errs: map[string]drift.Error{}}
	if st == nil {
		return r
	}
	sem := make(chan struct{}, limit)
	for _, in := range st.Instances {
		if in.Mode != state.ModeManaged {
			continue
		}
		if s, ok := registry.ResourceSchema(in.Type); !ok || !s.ByInstance {
			continue
		}
		ref, ok := byState(in)
		if !ok {
			continue
		}
		ir, ok := configured[ref].(providers.InstanceReader)
		if !ok {
			continue
		}
		f := &refresh{ref: ref, done: make(chan struct{})}
		r.pending[in.Address] = f
		go func() {
			defer close(f.done)
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				f.err = ctx.Err()
				return
			}
			defer func() { <-sem }()
			f.inst, f.err = refreshInstance(ctx, ir, in)
		}()
	}
	return r
}

func refreshInstance(ctx context.Context, ir providers.InstanceReader, in *state.Instance) (inst *providers.Instance, err error) {
	// A provider's bug must not end the process (serve scans every stack
	// in one).
	defer func() {
		if v := recover(); v != nil {
			inst, err = nil, fmt.Errorf("the provider panicked: %v", v)
		}
	}()
	return ir.Refresh(ctx, providers.RefreshRequest{Type: in.Type, SchemaVersion: in.SchemaVersion, Attributes: in.RawAttributes(), Private: in.Private()})
}

// wait returns the refresh of the state instance at addr through ref,
// refreshing it now when none was started (or one through another
// configuration: the configuration moved it).
func (r *refreshes) wait(ctx context.Context, ir providers.InstanceReader, ref config.ProviderRef, in *state.Instance) (*providers.Instance, error) {
	r.mu.Lock()
	f, ok := r.pending[in.Address]
	delete(r.pending, in.Address)
	r.mu.Unlock()
	if !ok || f.ref != ref {
		return refreshInstance(ctx, ir, in)
	}
	select {
	case <-f.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return f.inst, f.err
}

// fail records a failed call for the report's errors, once per provider
// configuration, type and operation.
func (r *refreshes) fail(ref config.ProviderRef, typ, region, op string, err error) {
	key := ref.String() + "|" + typ + "|" + op
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.errs[key]; !ok {
		r.errs[key] = drift.Error{Type: typ, Region: region, Operation: op, Message: err.Error()}
	}
}

func (r *refreshes) errors() []drift.Error {
	r.mu.Lock()
	defer r.mu.Unlock()
	keys := slices.Sorted(maps.Keys(r.errs))
	out := make([]drift.Error, 0, len(keys))
	for _, k := range keys {
		out = append(out, r.errs[k])
	}
	return out
}

// resolveByInstance compares a resource of a ByInstance type: it reads it
// through its provider (the state's object refreshed, or the import
// block's ID imported) and has the provider plan it against its
// configuration; what the plan would change is the drift.
func (e *evaluation) resolveByInstance(ctx context.Context, schema *providers.Schema, r *config.Resource, res drift.Result, inst *state.Instance, secrets []string) cty.Value {
	res.Reader = drift.ReaderPlugin
	unknown := func(reason string) cty.Value {
		res.Status, res.Reason = drift.Unknown, reason
		e.results.Add(res, secrets)
		return referenceValue(schema, r, nil, inst)
	}
	ir, ok := e.configured[r.Provider].(providers.InstanceReader)
	if !ok {
		return unknown("provider " + r.Provider.String() + " is not configured")
	}
	if len(r.Unsupported) > 0 {
		return unknown(strings.Join(r.Unsupported, "; "))
	}
	var live *providers.Instance
	var err error
	op := "ReadResource"
	imported := false
	switch id := e.ids[r.Address]; {
	case id != "" || (inst == nil && r.ImportID != ""):
		if id == "" {
			id = r.ImportID
		}
		op, imported = "ImportResourceState", true
		res.ID = id
		live, err = ir.Import(ctx, r.Type, id)
	case inst != nil:
		live, err = e.refreshes.wait(ctx, ir, r.Provider, inst)
	default:
		return unknown("no state or import block gives its ID: a provider plugin cannot look it up by its configuration")
	}
	if err != nil {
		e.refreshes.fail(r.Provider, r.Type, res.Region, "plugin:"+op, err)
		return unknown(fmt.Sprintf("reading it through provider %s failed (%s); see the errors", r.Provider, op))
	}
	desired := absentAttributeBlocks(schema, r.Config, r.AttributeSyntax)
	if live == nil || live.State.IsNull() {
		res.SetValues(desired, cty.NilVal)
		res.Status = drift.Missing
		e.results.Add(res, secrets)
		return referenceValue(schema, r, nil, inst)
	}
	if id := live.State.GetAttr; live.State.Type().IsObjectType() && live.State.Type().HasAttribute("id") {
		if v := id("id"); v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
			res.ID = v.AsString()
		}
	}
	// The plan is the provider's work alone (terraform-provider-aws
	// calls no API for it): it runs beside the evaluation, which goes on
	// with the refreshed object, so that plans overlap the reads still
	// under way instead of following them one by one.
	rc := *r
	e.planning.run(func() { e.planAndClassify(ctx, ir, schema, &rc, res, live, desired, imported, secrets) })
	return providers.MarkSensitive(schema, live.State)
}

// planAndClassify has the provider plan a refreshed resource against its
// configuration and records the result: what the plan would change is
// the drift. It runs on e.planning's goroutines.
func (e *evaluation) planAndClassify(ctx context.Context, ir providers.InstanceReader, schema *providers.Schema, r *config.Resource, res drift.Result, live *providers.Instance, desired cty.Value, imported bool, secrets []string) {
	// A provider's bug must not end the process (serve scans every stack
	// in one), nor lose the resource from the report.
	defer func() {
		if v := recover(); v != nil {
			e.refreshes.fail(r.Provider, r.Type, res.Region, "plugin:PlanResourceChange", fmt.Errorf("the provider panicked: %v", v))
			res.Status, res.Reason, res.Diffs = drift.Unknown, fmt.Sprintf("planning it through provider %s failed; see the errors", r.Provider), nil
			e.results.Add(res, secrets)
		}
	}()
	// As Terraform, the provider plans a configuration that already has
	// the live values where ignore_changes says so; what the
	// configuration says there is put back into the plan for Classify,
	// which reports those changes as ignored.
	toPlan := desired
	if !r.IgnoreAll && len(r.IgnoreChanges) > 0 {
		toPlan = withIgnoredChanges(desired, live.State, r.IgnoreChanges)
	}
	plan, err := ir.Plan(ctx, live, toPlan)
	if err != nil {
		e.refreshes.fail(r.Provider, r.Type, res.Region, "plugin:PlanResourceChange", err)
		res.Status, res.Reason = drift.Unknown, fmt.Sprintf("planning it through provider %s failed; see the errors", r.Provider)
		e.results.Add(res, secrets)
		return
	}
	// Desired is the configuration as planned: remediation plans from
	// it again (ignore_changes holding).
	res.SetValues(toPlan, live.State)
	wanted := plan.Planned
	if !toPlan.RawEquals(desired) {
		wanted = withIgnoredChanges(plan.Planned, desired, r.IgnoreChanges)
	}
	c := drift.Classify(schema, wanted, live.State, drift.ClassifyOptions{
		Ranges: r.Ranges, AttributeSyntax: r.AttributeSyntax,
		SensitivePaths: r.SensitivePaths, IgnoreChanges: r.IgnoreChanges, IgnoreAll: r.IgnoreAll,
	})
	res.Status, res.Reason, res.Diffs = c.Status, c.Reason, echoesDropped(schema, desired, writable(schema, c.Diffs))
	if imported {
		res.Diffs, res.Reason = notImportable(res.Diffs, res.Reason, live.State)
	}
	if len(res.Diffs) == 0 && res.Status == drift.Drifted {
		res.Status = drift.InSync
	}
	markReplace(res.Diffs, plan.RequiresReplace)
	e.results.Add(res, secrets)
}

// planning runs the plans of a scan, at most limit at once, and waits
// for them.
type planning struct {
	wg  sync.WaitGroup
	sem chan struct{}
}

func newPlanning(limit int) *planning {
	return &planning{sem: make(chan struct{}, max(limit, 1))}
}

// run runs f on a goroutine once a slot is free.
func (p *planning) run(f func()) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.sem <- struct{}{}
		defer func() { <-p.sem }()
		f()
	}()
}

// wait waits for every plan started.
func (p *planning) wait() { p.wg.Wait() }

// absentAttributeBlocks makes null, in a resource's configuration, the
// attributes that may be written as blocks (AttributeSyntax) but are not
// written at all: decoded as blocks, they are an empty collection, while
// to Terraform (internal/lang/blocktoattr) an attribute left out is null.
// The difference matters to an Optional+Computed one, such as
// aws_security_group's egress: null keeps what AWS has, an empty set
// (`egress = []`, which written stays empty) removes it.
func absentAttributeBlocks(schema *providers.Schema, cfg cty.Value, written []string) cty.Value {
	if !cfg.IsKnown() || cfg.IsNull() || !cfg.Type().IsObjectType() {
		return cfg
	}
	var vals map[string]cty.Value
	for name, a := range schema.Attributes {
		if a.Nested == nil || !a.Nested.AttributeSyntax || slices.Contains(written, name) || !cfg.Type().HasAttribute(name) {
			continue
		}
		v := cfg.GetAttr(name)
		if !v.IsKnown() || v.IsNull() || v.LengthInt() > 0 {
			continue
		}
		if vals == nil {
			vals = cfg.AsValueMap()
		}
		vals[name] = cty.NullVal(v.Type())
	}
	if vals == nil {
		return cfg
	}
	return cty.ObjectVal(vals)
}

// writable keeps the differences of attributes a configuration can
// write: a computed-only one (an id, a size) that the plan changes is a
// consequence of another change, not something Git says.
func writable(schema *providers.Schema, diffs []drift.Diff) []drift.Diff {
	kept := diffs[:0]
	for _, d := range diffs {
		top := d.Path
		if i := strings.IndexAny(top, ".["); i >= 0 {
			top = top[:i]
		}
		if a := schema.Attributes[top]; a != nil && a.Computed && !a.Optional && !a.Required {
			continue
		}
		kept = append(kept, d)
	}
	return kept
}

// echoesDropped drops the differences of an optional+computed attribute
// that the configuration leaves out and that only repeat, key for key
// and value for value, a difference of a non-computed attribute: the
// provider computes the one from the other, as terraform-provider-aws's
// tags_all is tags merged over the provider's default_tags, so a tag
// changed by hand is reported once, at tags. A difference of its own (a
// default tag removed by hand: tags_all.Env: "prod" → null) stays.
func echoesDropped(schema *providers.Schema, cfg cty.Value, diffs []drift.Diff) []drift.Diff {
	split := func(path string) (string, string) {
		if i := strings.IndexAny(path, ".["); i > 0 {
			return path[:i], path[i:]
		}
		return path, ""
	}
	echo := func(d drift.Diff) bool {
		top, rest := split(d.Path)
		a := schema.Attributes[top]
		if rest == "" || a == nil || !a.Optional || !a.Computed || !cfg.Type().IsObjectType() ||
			!cfg.Type().HasAttribute(top) || !cfg.GetAttr(top).IsNull() {
			return false
		}
		return slices.ContainsFunc(diffs, func(o drift.Diff) bool {
			otop, orest := split(o.Path)
			oa := schema.Attributes[otop]
			return otop != top && orest == rest && oa != nil && !oa.Computed &&
				o.Want.RawEquals(d.Want) && o.Got.RawEquals(d.Got)
		})
	}
	if cfg.IsNull() || !cfg.IsKnown() {
		return diffs
	}
	var kept []drift.Diff
	for _, d := range diffs {
		if !echo(d) {
			kept = append(kept, d)
		}
	}
	return kept
}

// notImportable drops the differences an import cannot know: at an
// attribute the configuration sets and the imported object has null as a
// whole (Terraform-only arguments such as force_destroy, which no API
// returns), and says so in the reason. A key or element missing from an
// attribute that was read (a default tag absent from tags_all) is a
// difference like any other.
func notImportable(diffs []drift.Diff, reason string, imported cty.Value) ([]drift.Diff, string) {
	var kept []drift.Diff
	var dropped []string
	for _, d := range diffs {
		if d.Got.IsNull() && !d.Want.IsNull() && topLevelNull(imported, d.Path) {
			dropped = append(dropped, d.Path)
			continue
		}
		kept = append(kept, d)
	}
	if len(dropped) > 0 {
		note := "not compared, as an import cannot read them: " + strings.Join(dropped, ", ")
		if reason != "" {
			note = reason + "; " + note
		}
		reason = note
	}
	return kept, reason
}

// topLevelNull reports whether the top-level attribute of a diff's path
// is null (or absent) in v.
func topLevelNull(v cty.Value, path string) bool {
	if i := strings.IndexAny(path, ".["); i >= 0 {
		path = path[:i]
	}
	if v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute(path) {
		return true
	}
	return v.GetAttr(path).IsNull()
}

// markReplace marks the differences whose change the provider cannot make
// in place.
func markReplace(diffs []drift.Diff, paths []cty.Path) {
	for i := range diffs {
		for _, p := range paths {
			rp := drift.PathString(p)
			dp := diffs[i].Path
			if dp == rp || strings.HasPrefix(dp, rp+".") || strings.HasPrefix(dp, rp+"[") ||
				strings.HasPrefix(rp, dp+".") || strings.HasPrefix(rp, dp+"[") {
				diffs[i].Replace = true
			}
		}
	}
}

// stateProviderRef maps a state instance's provider to the configuration
// of the same provider type, alias and module among the configured ones.
func stateProviderRef(types map[config.ProviderRef]string) func(*state.Instance) (config.ProviderRef, bool) {
	return func(in *state.Instance) (config.ProviderRef, bool) {
		typ := in.ProviderSource[strings.LastIndex(in.ProviderSource, "/")+1:]
		module := ""
		if i := strings.Index(in.Provider, "provider["); i > 1 {
			module = in.Provider[:i-1]
		}
		for ref, t := range types {
			if t == typ && ref.Alias == in.ProviderAlias && ref.Module == module {
				return ref, true
			}
		}
		return config.ProviderRef{}, false
	}
}
