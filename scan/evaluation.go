package scan

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/state"
)

// evaluation is one scan's comparison state; it is the config.Resolver
// that evaluation calls for each resource in dependency order.
type evaluation struct {
	registry  *providers.Registry
	unmanaged bool
	reads     *reads
	refreshes *refreshes
	planning  *planning
	plugins   *pluginSetup
	// providerType is the root module's provider type of a local name.
	providerType func(local string) string
	configured   map[config.ProviderRef]providers.Configured
	state        *state.State
	ids          map[string]string
	moves        []*config.Move
	results      *drift.Results

	// mu guards claims from the reads' indexes and claims.
	mu sync.Mutex
	// claims are the desired resources that claimed each live resource
	// (by drift.LiveKey: account, region, type and ID), across provider
	// configurations: several configurations of one account and region
	// (aliases that differ in default_tags; any, for a global type) read
	// the same resources. It is nil when no two configurations share an
	// account: a read's own index already refuses a second claim.
	claims map[string]string
	// modules says which types' unmanaged resources are withheld;
	// withheld are those withheld so far.
	modules  moduleScope
	withheld []drift.Withheld
	// unidentified says, by type, why its unmanaged resources are
	// withheld: a desired resource of the type that no ID identifies
	// (the first one).
	unidentified map[string]string
}

// newEvaluation starts the reads of every declared type through its
// provider configuration and returns the resolver that waits on them.
func (s *Stack) newEvaluation(ctx context.Context, configured map[config.ProviderRef]providers.Configured, refTypes map[config.ProviderRef]string, created map[string]string) *evaluation {
	mod := s.src.Module
	plan := map[config.ProviderRef][]string{}
	for ref, types := range mod.ResourceTypes() {
		if _, ok := configured[ref]; !ok {
			continue
		}
		for _, t := range types {
			if schema, ok := s.registry.ResourceSchema(t); ok && !schema.ByInstance {
				plan[ref] = append(plan[ref], t)
			}
		}
	}
	var progress func(ReadProgress)
	if s.opts.Progress != nil {
		progress = s.opts.Progress.Read
	}
	concurrency := s.opts.Concurrency
	if concurrency <= 0 {
		concurrency = 8
	}
	e := &evaluation{
		registry:  s.registry,
		unmanaged: s.opts.Unmanaged,
		reads: startReads(ctx, plan, func(typ string) *providers.Schema {
			schema, _ := s.registry.ResourceSchema(typ)
			return schema
		}, func(typ string) []string {
			if s.opts.ReadAll {
				return nil
			}
			return mod.WrittenAttributes(typ, s.registry)
		}, configured, concurrency, progress),
		refreshes:    startRefreshes(ctx, s.state, s.registry, configured, stateProviderRef(refTypes), s.opts.Plugins.parallelism()*max(len(configured), 1)),
		planning:     newPlanning(s.opts.Plugins.parallelism() * max(len(configured), 1)),
		plugins:      s.plugins,
		providerType: mod.ProviderType,
		configured:   configured,
		state:        s.state,
		ids:          created,
		moves:        mod.Moves(),
		results:      drift.NewResults(resultsHint(mod, s.state)),
		modules:      newModuleScope(mod.UnreadModules(), s.state),
	}
	if sharedAccount(configured) {
		e.claims = map[string]string{}
	}
	if s.opts.Filter.Active() {
		e.results.KeepTags()
	}
	e.addModuleResults(ctx)
	return e
}

// resultsHint is the capacity of a scan's results: one per resource
// block or state instance (count and for_each make several), and room for
// a few unmanaged ones. On a large configuration, growing the slice would
// copy it (and need twice its memory at that moment) more than once.
func resultsHint(mod *config.Module, st *state.State) int {
	n := mod.ResourceBlocks()
	if st != nil {
		n = max(n, len(st.Instances))
	}
	return n + n/32 + 16
}

// dataReader evaluates data sources through the configured providers and
// terraform_remote_state itself, and has the values the state recorded for
// those driftctl cannot read.
type dataReader struct {
	configured map[config.ProviderRef]providers.Configured
	state      *state.State
	remote     *remoteStates
}

func (d dataReader) ReadData(ctx context.Context, ref config.ProviderRef, typ string, cfg cty.Value) (cty.Value, error) {
	if typ == remoteStateType {
		// The built-in terraform provider: no configuration to look up.
		return d.remote.read(ctx, cfg)
	}
	p, ok := d.configured[ref]
	if !ok {
		return cty.NilVal, fmt.Errorf("provider %s is not configured", ref)
	}
	return p.ReadData(ctx, typ, cfg)
}

func (d dataReader) StateData(address string) (cty.Value, []cty.Path, bool) {
	inst := d.state.LookupData(address)
	if inst == nil {
		return cty.NilVal, nil, false
	}
	return inst.Value(), inst.SensitivePaths, true
}

// Resolve compares one desired resource with the cloud and returns what
// references to it see: its strings that hold a sensitive value of its
// configuration are sensitive (a bucket's id and arn, when a sensitive
// variable names it), so that what refers to them is too.
func (e *evaluation) Resolve(ctx context.Context, r *config.Resource) cty.Value {
	return config.MarkSensitive(e.resolve(ctx, r), r.SensitiveStrings())
}

func (e *evaluation) resolve(ctx context.Context, r *config.Resource) cty.Value {
	schema, _ := e.registry.ResourceSchema(r.Type)
	res := drift.Result{Address: r.Address, Type: r.Type, Provider: r.Provider.String(), DeclRange: r.DeclRange,
		PreventDestroy: r.PreventDestroy, References: r.References}
	// An ID that is or holds a sensitive value is never shown.
	secrets := r.SensitiveStrings()
	e.results.AddSecrets(r.Type, secrets)
	inst := e.lookupState(r.Address)
	if inst != nil {
		res.ID = inst.ID
	}
	if p := e.configured[r.Provider]; p != nil {
		res.Region, res.Account = p.Region(), accountOf(p)
		if schema != nil && schema.Global {
			res.Region = "global"
		}
	}
	if schema == nil {
		// No reader: unknown, and what refers to it sees the state's
		// values where the state has them.
		res.Status, res.Reason = drift.Unknown, "no reader for "+r.Type+": driftctl does not read this type yet"
		res.Unsupported = true
		if problem := e.plugins.problem(e.providerType(r.Provider.Name)); problem != "" {
			res.Reason = "no reader for " + r.Type + ": " + problem
			res.Unsupported = !e.plugins.missing[e.providerType(r.Provider.Name)].fatal
		}
		e.results.Add(res, secrets)
		if inst != nil {
			return inst.Value()
		}
		return r.Config
	}
	if schema.ByInstance {
		return e.resolveByInstance(ctx, schema, r, res, inst, secrets)
	}
	res.Reader = drift.ReaderNative
	idx, unread := e.index(ctx, r)
	if unread != "" {
		res.Status, res.Reason = drift.Unknown, unread
		if idx != nil {
			// Its configuration could not be evaluated faithfully: its
			// IDs still say which live resource it manages, which is not
			// unmanaged; without one, none of its type may be called so.
			live, _, problem := e.claim(schema, r, inst, idx, false)
			switch {
			case live != nil:
				res.ID, res.Region = live.ID, live.Region
			case problem == nil:
				e.withhold(r, fmt.Sprintf("%s could not be evaluated, and no state or import block gives its ID (%s)", r.Address, loc(r.DeclRange)))
			}
		}
		e.results.Add(res, secrets)
		return referenceValue(schema, r, nil, inst)
	}
	live, identified, problem := e.claim(schema, r, inst, idx, true)
	if problem != nil {
		res.ID = problem.id
		res.Status, res.Reason = drift.Unknown, problem.reason
		e.results.Add(res, secrets)
		return referenceValue(schema, r, nil, inst)
	}
	desired := r.Config
	if p := e.configured[r.Provider]; schema.Tags && p != nil {
		desired = drift.WithDefaultTags(r.Config, p.DefaultTags())
	}
	switch {
	case live != nil:
		res.ID, res.Region = live.ID, live.Region
		res.SetValues(desired, live.Attrs)
		c := drift.Classify(schema, desired, live.Attrs, drift.ClassifyOptions{
			Ranges: r.Ranges, AttributeSyntax: r.AttributeSyntax,
			SensitivePaths: r.SensitivePaths, IgnoreChanges: r.IgnoreChanges, IgnoreAll: r.IgnoreAll,
		})
		res.Status, res.Reason, res.Diffs = c.Status, c.Reason, c.Diffs
	case identified:
		res.SetValues(desired, cty.NilVal)
		res.Status = drift.Missing
	default:
		res.Status = drift.Unknown
		res.Reason = "no state or import block gives its ID, and its configuration does not identify it in the cloud"
		e.withhold(r, fmt.Sprintf("%s is not identified: no state or import block gives its ID (%s)", r.Address, loc(r.DeclRange)))
	}
	e.results.Add(res, secrets)
	return referenceValue(schema, r, live, inst)
}

// index waits for the read of r's type through r's provider and returns
// its live resources, or why there are none to compare with; for a
// resource whose configuration could not be evaluated faithfully, both:
// the resources to claim by ID, and why it cannot be compared.
func (e *evaluation) index(ctx context.Context, r *config.Resource) (*drift.Index, string) {
	read, ok := e.reads.wait(ctx, r.Provider, r.Type)
	switch {
	case !ok:
		return nil, "provider " + r.Provider.String() + " is not configured"
	case read.err != nil:
		return nil, readFailure(read.err)
	case read.index == nil:
		// Every block of its type was evaluated already: this cannot happen.
		return nil, "its type's live resources were released before it was evaluated"
	case len(r.Unsupported) > 0:
		return read.index, strings.Join(r.Unsupported, "; ")
	}
	return read.index, ""
}

// claimProblem is a live resource that another desired resource claimed
// first.
type claimProblem struct{ id, reason string }

// claim matches r with a live resource of idx and claims it for r; byConfig
// lets the configuration's natural identity find it too. A live resource
// that another desired resource claimed first is a problem: two resources
// cannot manage one.
func (e *evaluation) claim(schema *providers.Schema, r *config.Resource, inst *state.Instance, idx *drift.Index, byConfig bool) (live *providers.Live, identified bool, problem *claimProblem) {
	id := drift.Identity{KnownID: e.ids[r.Address], ImportID: r.ImportID}
	if byConfig {
		id.Config = r.Config
	}
	if inst != nil && inst.ID != "" {
		id.StateID, id.StateAttrs = inst.ID, inst.Value
	}
	return e.claimAs(schema, r.Provider, r.Address, id, idx)
}

// claimAs matches id with a live resource of idx, the read through the
// provider configuration ref, and claims it for the desired resource at
// addr; one claimed through another configuration's read of the same
// account and region (see drift.LiveKey) is claimed too.
func (e *evaluation) claimAs(schema *providers.Schema, ref config.ProviderRef, addr string, id drift.Identity, idx *drift.Index) (live *providers.Live, identified bool, problem *claimProblem) {
	p, identified := drift.Match(schema, id, idx)
	if p == nil {
		return nil, identified, nil
	}
	key := drift.LiveKey(accountOf(e.configured[ref]), p.Region(), schema.Type, p.ID())
	e.mu.Lock()
	l, by, ok := idx.Claim(p, addr)
	if ok {
		// A global resource is in the read of every provider
		// configuration of its account, a regional one in the read of
		// every configuration of its account and region: a claim
		// through another counts too.
		if first, claimed := e.claims[key]; claimed {
			l, by, ok = nil, first, false
		} else if e.claims != nil {
			e.claims[key] = addr
		}
	}
	e.mu.Unlock()
	if !ok {
		return nil, true, &claimProblem{id: p.ID(), reason: fmt.Sprintf("%s matched the same live resource (%s) first; two resources cannot manage one", by, p.ID())}
	}
	return l, true, nil
}

// sharedAccount reports whether two provider configurations read the
// same account (or accounts not known, which may be the same).
func sharedAccount(configured map[config.ProviderRef]providers.Configured) bool {
	seen := map[string]bool{}
	for _, p := range configured {
		a := accountOf(p)
		if seen[a] {
			return true
		}
		seen[a] = true
	}
	return false
}

// withhold records that r's type has a desired resource that could not be
// matched: a live resource of the type may be r's, so none is unmanaged.
func (e *evaluation) withhold(r *config.Resource, reason string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.unidentified == nil {
		e.unidentified = map[string]string{}
	}
	if _, ok := e.unidentified[r.Type]; !ok {
		e.unidentified[r.Type] = reason
	}
}

// lookupState finds the state's instance of a desired resource: at its
// address, else, as Terraform applies moved blocks, at an address a moved
// block (or a chain of them) moves to it.
func (e *evaluation) lookupState(addr string) *state.Instance {
	if e.state == nil {
		return nil
	}
	seen := map[string]bool{}
	for addr != "" && !seen[addr] {
		if inst := e.state.Lookup(addr); inst != nil {
			return inst
		}
		seen[addr] = true
		addr = movedFrom(e.moves, addr)
	}
	return nil
}

// movedFrom is the address a moved block moves to addr (see
// config.Move.Previous), "" for none.
func movedFrom(moves []*config.Move, addr string) string {
	for _, mv := range moves {
		if from, ok := mv.Previous(addr); ok {
			return from
		}
	}
	return ""
}

// discoverUnmanaged reports the live resources of the declared types that
// no desired resource claimed, leaving out what the cloud makes by itself;
// the types read through plugins, which cannot list, are withheld.
func (e *evaluation) discoverUnmanaged() {
	for _, typ := range e.reads.types() {
		e.finishType(typ)
	}
	if !e.unmanaged {
		return
	}
	seen := map[string]bool{}
	for _, res := range e.results.Sorted() {
		if res.Reader == drift.ReaderPlugin && !seen[res.Provider+"|"+res.Type] {
			seen[res.Provider+"|"+res.Type] = true
			e.withheld = append(e.withheld, drift.Withheld{Type: res.Type, Provider: res.Provider,
				Reason: "read through a provider plugin, which cannot list resources: unmanaged ones are not discovered"})
		}
	}
}

// errors are the report's errors: failed reads, failed plugin calls, and
// provider plugins that cannot be used.
func (e *evaluation) errors() []drift.Error {
	return append(append(e.reads.errors(), e.refreshes.errors()...), e.plugins.errors()...)
}

// TypeDone is called by the evaluation once every resource block of typ
// is evaluated: nothing will claim its live resources any more, so the
// unclaimed ones are unmanaged now, and the reads' indexes are released.
func (e *evaluation) TypeDone(typ string) { e.finishType(typ) }

// finishType reports the unmanaged resources of typ's reads (when asked)
// and releases their indexes.
func (e *evaluation) finishType(typ string) {
	var done []drift.TypeRead
	for _, k := range e.reads.order {
		read := e.reads.results[k]
		if k.typ != typ {
			continue
		}
		<-read.done
		if read.err != nil || read.index == nil {
			continue
		}
		done = append(done, drift.TypeRead{Provider: k.provider.String(), Account: accountOf(e.configured[k.provider]), Index: read.index})
		read.index = nil
	}
	if !e.unmanaged || len(done) == 0 {
		return
	}
	reason := e.modules.withholds(typ)
	e.mu.Lock()
	if reason == "" {
		reason = e.unidentified[typ]
	}
	e.mu.Unlock()
	if reason != "" {
		e.mu.Lock()
		for _, d := range done {
			e.withheld = append(e.withheld, drift.Withheld{Type: typ, Provider: d.Provider, Reason: reason})
		}
		e.mu.Unlock()
		return
	}
	secrets := e.results.Secrets(typ)
	for _, res := range drift.Unclaimed(done) {
		e.results.Add(res, secrets)
	}
}

// accountOf is a provider's account ID, "" when it does not say.
func accountOf(p providers.Configured) string {
	if a, ok := p.(providers.AccountProvider); ok {
		return a.Account()
	}
	return ""
}

// readFailure is the reason of a resource whose read failed: short, since
// the report's errors carry the whole message.
func readFailure(err error) string {
	var re *providers.ReadError
	if errors.As(err, &re) {
		return fmt.Sprintf("reading %s in %s failed (%s); see the errors", re.Type, re.Region, re.Operation)
	}
	return "the live read failed: " + err.Error()
}
