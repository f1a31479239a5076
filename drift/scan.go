package drift

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/internal/ctypack"
	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/state"
)

// Scanner runs scans: it evaluates a configuration, reads the live
// resources it declares, and compares them.
type Scanner struct {
	registry    *providers.Registry
	unmanaged   bool
	concurrency int
	logger      *slog.Logger
	progress    func(ReadProgress)
}

// Option configures a Scanner.
type Option func(*Scanner)

// WithUnmanaged turns discovery of unmanaged resources (of the declared
// types, in the declared regions) on or off; it is on by default.
func WithUnmanaged(on bool) Option { return func(s *Scanner) { s.unmanaged = on } }

// WithConcurrency bounds how many reads run at once (default 8).
func WithConcurrency(n int) Option {
	return func(s *Scanner) {
		if n > 0 {
			s.concurrency = n
		}
	}
}

// ReadProgress is one finished read, for a progress display.
type ReadProgress struct {
	Type, Region string
	Resources    int
	Err          error
}

// WithProgress calls f after each read of a type finishes (from the
// reading goroutines: f must be safe for concurrent use).
func WithProgress(f func(ReadProgress)) Option { return func(s *Scanner) { s.progress = f } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(s *Scanner) { s.logger = l } }

// NewScanner returns a scanner over the providers of registry.
func NewScanner(registry *providers.Registry, opts ...Option) *Scanner {
	s := &Scanner{registry: registry, unmanaged: true, concurrency: 8, logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Input is what one scan compares.
type Input struct {
	Stack  string
	Module *config.Module
	Vars   config.VarOptions
	// State is the Terraform state, nil when there is none.
	State  *state.State
	Commit *Commit
	// IDs are the live IDs of resources created since the state was
	// written (by remediation), by address; they match first.
	IDs map[string]string
	// Limits bound the evaluation (zero fields: spec's defaults).
	Limits config.Limits
	// AllowEmpty accepts a configuration without resources (Scan reports
	// nothing); otherwise it is an error, since a wrong directory, path or
	// ref looks like that.
	AllowEmpty bool
}

// Scan evaluates the configuration, reads the cloud and compares. Errors in
// the configuration come back as diagnostics with a nil report; failed
// reads are in the report's Errors and make the resources they concern
// unknown.
func (s *Scanner) Scan(ctx context.Context, in Input) (*Report, hcl.Diagnostics) {
	sess, diags := s.Open(ctx, in)
	if sess == nil {
		return nil, diags
	}
	sess.Close()
	return sess.Report, diags
}

// Session is a scan whose configured providers stay open, for remediation
// to change what the scan found. Close it.
type Session struct {
	Report *Report
	// Providers are the scan's configured providers by configuration.
	Providers map[config.ProviderRef]providers.Configured
}

// Provider returns the configured provider of a result ("aws", "aws.west").
func (s *Session) Provider(ref string) (providers.Configured, bool) {
	for r, p := range s.Providers {
		if r.String() == ref {
			return p, true
		}
	}
	return nil, false
}

// Close closes the providers.
func (s *Session) Close() {
	for _, p := range s.Providers {
		_ = p.Close()
	}
}

// Open is Scan that keeps the providers open in the returned Session.
func (s *Scanner) Open(ctx context.Context, in Input) (*Session, hcl.Diagnostics) {
	started := time.Now()
	if !in.AllowEmpty && in.Module.Empty() {
		return nil, hcl.Diagnostics{emptyConfiguration(in)}
	}
	ev, diags := config.NewEvaluator(in.Module, s.registry, in.Vars, config.WithLimits(in.Limits))
	if diags.HasErrors() {
		return nil, diags
	}
	provs, pdiags := ev.Providers(ctx)
	diags = append(diags, pdiags...)
	if diags.HasErrors() {
		return nil, diags
	}
	configured := map[config.ProviderRef]providers.Configured{}
	keep := false
	defer func() {
		if keep {
			return
		}
		for _, p := range configured {
			_ = p.Close()
		}
	}()
	for _, pc := range provs {
		f, ok := s.registry.Factory(pc.Ref.Name)
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Unsupported provider",
				Detail:   fmt.Sprintf("Provider %q is not supported by driftctl; its resources are not scanned.", pc.Ref.Name),
				Subject:  rangePtr(pc.DeclRange),
			})
			continue
		}
		p, err := f.New(ctx, providers.Config{Name: pc.Ref.Name, Alias: pc.Ref.Alias, Attrs: pc.Config})
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cannot configure provider",
				Detail:   err.Error(),
				Subject:  rangePtr(pc.DeclRange),
			})
			continue
		}
		configured[pc.Ref] = p
	}
	if diags.HasErrors() {
		return nil, diags
	}

	plan := map[config.ProviderRef][]string{}
	for ref, types := range in.Module.ResourceTypes() {
		if _, ok := configured[ref]; !ok {
			continue
		}
		for _, t := range types {
			if _, ok := s.registry.ResourceSchema(t); ok {
				plan[ref] = append(plan[ref], t)
			}
		}
	}
	e := &evaluation{
		scanner: s,
		reads: startReads(ctx, plan, func(typ string) *providers.Schema {
			schema, _ := s.registry.ResourceSchema(typ)
			return schema
		}, func(typ string) []string {
			return in.Module.WrittenAttributes(typ, s.registry)
		}, configured, s.concurrency, s.progress),
		configured:   configured,
		state:        in.State,
		ids:          in.IDs,
		results:      make([]Result, 0, resultsHint(in)),
		globalClaims: map[string]string{},
	}
	rdiags := ev.Evaluate(ctx, dataReader(configured), e)
	diags = append(diags, rdiags...)
	if diags.HasErrors() {
		return nil, diags
	}
	e.discoverUnmanaged()
	sortResults(e.results)
	keep = true
	return &Session{Providers: configured, Report: &Report{
		Stack:     in.Stack,
		Commit:    in.Commit,
		StartedAt: started.UTC(),
		Duration:  time.Since(started),
		Results:   e.results,
		Errors:    e.reads.errors(),
	}}, diags
}

// emptyConfiguration is the error for a configuration without resources,
// naming where it was read.
func emptyConfiguration(in Input) *hcl.Diagnostic {
	where := fmt.Sprintf("The directory %q", in.Module.Dir)
	if c := in.Commit; c != nil && c.SHA != "" {
		path := c.Path
		if path == "" {
			path = "."
		}
		where = fmt.Sprintf("The path %q of %s at %s (commit %.12s)", path, c.Repository, refOrHead(c.Ref), c.SHA)
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "No resources in the configuration",
		Detail: where + " declares no resource and no import block: there is nothing to compare. " +
			"Check the directory, --path and --ref; pass --allow-empty (allow_empty = true in a serve stack) if it is meant to be empty.",
	}
}

func refOrHead(ref string) string {
	if ref == "" {
		return "HEAD"
	}
	return fmt.Sprintf("ref %q", ref)
}

func rangePtr(r hcl.Range) *hcl.Range {
	if r.Filename == "" {
		return nil
	}
	return &r
}

// resultsHint is the capacity of a scan's results: one per resource
// block or state instance (count and for_each make several), and room for
// a few unmanaged ones. On a large configuration, growing the slice would
// copy it (and need twice its memory at that moment) more than once.
func resultsHint(in Input) int {
	n := in.Module.ResourceBlocks()
	if in.State != nil {
		n = max(n, len(in.State.Instances))
	}
	return n + n/32 + 16
}

// dataReader evaluates data sources through the configured providers.
type dataReader map[config.ProviderRef]providers.Configured

func (d dataReader) ReadData(ctx context.Context, ref config.ProviderRef, typ string, config cty.Value) (cty.Value, error) {
	p, ok := d[ref]
	if !ok {
		return cty.NilVal, fmt.Errorf("provider %s is not configured", ref)
	}
	return p.ReadData(ctx, typ, config)
}

// evaluation is one scan's comparison state; it is the config.Resolver that
// evaluation calls for each resource in dependency order.
type evaluation struct {
	scanner    *Scanner
	reads      *reads
	configured map[config.ProviderRef]providers.Configured
	state      *state.State
	ids        map[string]string

	mu      sync.Mutex
	results []Result
	// globalClaims are the desired resources that claimed each live
	// resource of a global type ("TYPE|ID"), across provider
	// configurations.
	globalClaims map[string]string
	// secrets are the string forms of the sensitive values of each type's
	// configurations: an unclaimed live resource whose ID holds one is
	// shown redacted too.
	secrets map[string][]string
	types   ctypack.Types // of the packed result values (see pack)
}

// Resolve compares one desired resource with the cloud and returns what
// references to it see: its strings that hold a sensitive value of its
// configuration are sensitive (a bucket's id and arn, when a sensitive
// variable names it), so that what refers to them is too.
func (e *evaluation) Resolve(ctx context.Context, r *config.Resource) cty.Value {
	return config.MarkSensitive(e.resolve(ctx, r), r.SensitiveStrings())
}

func (e *evaluation) resolve(ctx context.Context, r *config.Resource) cty.Value {
	schema, _ := e.scanner.registry.ResourceSchema(r.Type)
	res := Result{Address: r.Address, Type: r.Type, Provider: r.Provider.String(), DeclRange: r.DeclRange,
		PreventDestroy: r.PreventDestroy, References: r.References}
	desired := r.Config
	// An ID that is or holds a sensitive value is never shown.
	secrets := r.SensitiveStrings()
	if len(secrets) > 0 {
		e.mu.Lock()
		if e.secrets == nil {
			e.secrets = map[string][]string{}
		}
		e.secrets[r.Type] = append(e.secrets[r.Type], secrets...)
		e.mu.Unlock()
	}
	if inst := e.lookupState(r.Address); inst != nil {
		res.ID = inst.ID
	}
	if p := e.configured[r.Provider]; p != nil {
		res.Region = p.Region()
		if schema != nil && schema.Global {
			res.Region = "global"
		}
	}
	if schema == nil {
		res.Status, res.Reason = Unknown, "resource type "+r.Type+" is not supported"
		e.add(res, secrets)
		return r.Config
	}
	read, ok := e.reads.wait(ctx, r.Provider, r.Type)
	switch {
	case !ok:
		res.Status, res.Reason = Unknown, "provider "+r.Provider.String()+" is not configured"
	case read.err != nil:
		res.Status, res.Reason = Unknown, readFailure(read.err)
	case len(r.Unsupported) > 0:
		res.Status, res.Reason = Unknown, strings.Join(r.Unsupported, "; ")
	}
	if res.Status != "" {
		e.add(res, secrets)
		return referenceValue(schema, r, nil, e.state)
	}

	idx := read.index
	if idx == nil {
		// Every block of its type was evaluated already: this cannot happen.
		res.Status, res.Reason = Unknown, "its type's live resources were released before it was evaluated"
		e.add(res, secrets)
		return referenceValue(schema, r, nil, e.state)
	}
	if schema.Tags {
		if p := e.configured[r.Provider]; p != nil {
			desired = withDefaultTags(r.Config, p.DefaultTags())
		}
	}
	var live *providers.Live
	p, identified := match(schema, r, e.state, idx, e.ids[r.Address])
	if p != nil {
		e.mu.Lock()
		l, by, ok := idx.claim(p, r.Address)
		if ok && schema.Global {
			// A global resource is in the read of every provider
			// configuration: a claim through another counts too.
			key := r.Type + "|" + p.id
			if first, claimed := e.globalClaims[key]; claimed {
				l, by, ok = nil, first, false
			} else {
				e.globalClaims[key] = r.Address
			}
		}
		e.mu.Unlock()
		if !ok {
			res.ID = p.id
			res.Status = Unknown
			res.Reason = fmt.Sprintf("%s matched the same live resource (%s) first; two resources cannot manage one", by, p.id)
			e.add(res, secrets)
			return referenceValue(schema, r, nil, e.state)
		}
		live = l
	}
	switch {
	case live != nil:
		res.ID, res.Region = live.ID, live.Region
		res.SetValues(desired, live.Attrs)
		e.compare(schema, r, desired, live, &res)
	case identified:
		res.SetValues(desired, cty.NilVal)
		res.Status = Missing
	default:
		res.Status = Unknown
		res.Reason = "no state or import block gives its ID, and its configuration does not identify it in the cloud"
	}
	e.add(res, secrets)
	return referenceValue(schema, r, live, e.state)
}

func (e *evaluation) lookupState(addr string) *state.Instance {
	if e.state == nil {
		return nil
	}
	return e.state.Lookup(addr)
}

// compare diffs a matched resource and sets its status.
func (e *evaluation) compare(schema *providers.Schema, r *config.Resource, desired cty.Value, live *providers.Live, res *Result) {
	diffs, err := Compare(schema, desired, live.Attrs, DiffOptions{Ranges: r.Ranges, AttributeSyntax: r.AttributeSyntax})
	if err != nil {
		res.Status, res.Reason = Unknown, err.Error()
		return
	}
	var kept, ignored []Diff
	for _, d := range diffs {
		if coveredBy(d.Path, r.SensitivePaths) {
			// A value from a sensitive variable is as secret as a
			// sensitive attribute.
			d.Sensitive = true
		}
		if r.IgnoreAll || coveredBy(d.Path, r.IgnoreChanges) {
			ignored = append(ignored, d)
		} else {
			kept = append(kept, d)
		}
	}
	switch {
	case len(kept) > 0:
		res.Status, res.Diffs = Drifted, kept
	case len(ignored) > 0:
		paths := make([]string, len(ignored))
		for i, d := range ignored {
			paths[i] = d.Path
		}
		res.Status = Ignored
		res.Reason = "lifecycle.ignore_changes covers the changes to " + strings.Join(paths, ", ")
	default:
		res.Status = InSync
	}
}

// coveredBy reports whether path is one of prefixes or inside one of them
// ("tags" covers "tags.Env", "config" covers "config[0].status").
func coveredBy(path string, prefixes []string) bool {
	for _, p := range prefixes {
		if path == p || strings.HasPrefix(path, p+".") || strings.HasPrefix(path, p+"[") {
			return true
		}
	}
	return false
}

func (e *evaluation) add(res Result, secrets []string) {
	res.redactID(secrets)
	e.mu.Lock()
	defer e.mu.Unlock()
	switch res.Status {
	case InSync, Ignored, Unknown:
		// Remediation never changes these: the values need not stay in
		// memory until the report is done.
		res.desired, res.live = packedValue{}, packedValue{}
	default:
		res.desired, res.live = e.pack(res.desired.v), e.pack(res.live.v)
		res.secrets = secrets
	}
	e.results = append(e.results, res)
}

// pack encodes a result's value, with a type shared by the scan's values
// of that type; a value it cannot encode (unknown parts) is kept as it is.
// Called with e.mu held.
func (e *evaluation) pack(v cty.Value) packedValue {
	if v == cty.NilVal || v.IsNull() || !v.IsWhollyKnown() || v.ContainsMarked() {
		return packedValue{v: v}
	}
	ty := e.types.Shared(v.Type())
	b, err := ctypack.Marshal(v, ty)
	if err != nil {
		return packedValue{v: v}
	}
	return packedValue{b: b, ty: ty}
}

// discoverUnmanaged reports the live resources of the declared types that
// no desired resource claimed, leaving out what the cloud makes by itself.
func (e *evaluation) discoverUnmanaged() {
	for _, typ := range e.reads.types() {
		e.finishType(typ)
	}
}

// TypeDone is called by the evaluation once every resource block of typ
// is evaluated: nothing will claim its live resources any more, so the
// unclaimed ones are unmanaged now, and the reads' indexes are released.
func (e *evaluation) TypeDone(typ string) { e.finishType(typ) }

// finishType reports the unmanaged resources of typ's reads (when asked)
// and releases their indexes. A global type's reads through several
// provider configurations list each resource once.
func (e *evaluation) finishType(typ string) {
	type typeRead struct {
		provider config.ProviderRef
		idx      *liveIndex
	}
	var done []typeRead
	// A global type read through several provider configurations has
	// each resource in each read: claimed through one is claimed.
	claimed := map[string]bool{}
	for _, k := range e.reads.order {
		read := e.reads.results[k]
		if k.typ != typ {
			continue
		}
		<-read.done
		if read.err != nil || read.index == nil {
			continue
		}
		done = append(done, typeRead{k.provider, read.index})
		read.index = nil
		for _, p := range done[len(done)-1].idx.list {
			if p.claimedBy != "" {
				claimed[p.region+"|"+p.id] = true
			}
		}
	}
	if !e.scanner.unmanaged {
		return
	}
	seen := map[string]bool{}
	for _, d := range done {
		for _, p := range d.idx.list {
			key := p.region + "|" + p.id
			if p.cloudManaged || claimed[key] || seen[key] {
				continue
			}
			seen[key] = true
			l := d.idx.live(p)
			res := Result{Type: l.Type, ID: l.ID, Provider: d.provider.String(), Region: l.Region, Status: Unmanaged}
			res.SetValues(cty.NilVal, l.Attrs)
			e.mu.Lock()
			secrets := e.secrets[typ]
			e.mu.Unlock()
			e.add(res, secrets)
		}
	}
}

// sortResults orders results by status (report order), then address, type
// and ID.
func sortResults(rs []Result) {
	rank := map[Status]int{}
	for i, s := range Statuses {
		rank[s] = i
	}
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if rank[a.Status] != rank[b.Status] {
			return rank[a.Status] < rank[b.Status]
		}
		if a.Address != b.Address {
			return a.Address < b.Address
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.ID < b.ID
	})
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
