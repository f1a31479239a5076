// Package scan is driftctl's one scan pipeline: it opens the desired state
// (a directory or a Git repository), finds its Terraform state, configures
// the providers, reads the live resources concurrently while the
// configuration is evaluated, has the drift engine match, compare and
// classify each resource, and blames drifted lines. The CLI, serve,
// remediation and the benchmark scan through it and wire nothing else.
package scan

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/drift/filter"
	"github.com/gitdrift/driftctl/drift/ignore"
	"github.com/gitdrift/driftctl/gitsource"
	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/state"
)

// Options are one stack's scan settings.
type Options struct {
	// Stack names the report; "" is StackName(Location, Git.Path).
	Stack string
	// Location is a directory, a local Git repository or working tree, or
	// a remote repository's URL (see OpenSource).
	Location string
	Git      gitsource.Options
	// GitReader reads Git sources (nil: gitsource.GoGit).
	GitReader gitsource.Reader
	// AllowOutsideFiles lets a local source's file functions read
	// anywhere (see OpenSource).
	AllowOutsideFiles bool
	// States are the state locations; none: the configuration's backend,
	// else terraform.tfstate beside it.
	States []string
	// Workspace is the Terraform workspace ("" is "default"): it is
	// terraform.workspace, and which of the backend's states is read.
	Workspace string
	Vars      config.VarOptions
	// Limits bound the evaluation (zero fields: config's defaults).
	Limits config.Limits
	// AllowEmpty accepts a configuration without resources (the report is
	// empty); otherwise it is an error, since a wrong directory, path or
	// ref looks like that.
	AllowEmpty bool
	// Unmanaged turns on the discovery of unmanaged resources (of the
	// declared types, in the declared regions).
	Unmanaged bool
	// ReadAll reads every attribute of the declared types, not only the
	// optional+computed ones the configuration writes (a provider skips
	// the others to save calls: see providers.ReadRequest.Attributes).
	// Generating configuration from the unmanaged resources (gen-import)
	// needs them; a scan does not, and is cheaper without.
	ReadAll bool
	// Concurrency bounds how many reads run at once (0: 8).
	Concurrency int
	// Blame fills the Blame of drifted attributes when the source is Git.
	Blame bool
	// Modules fetches the modules of remote sources that `terraform init`
	// has not installed (nil: a modsource.Fetcher caching under
	// Git.CacheDir/modules, or the user's cache directory).
	Modules config.ModuleFetcher
	// Progress, when not nil, follows the reads.
	Progress Progress
	// Plugins are where provider binaries are found, for the types
	// driftctl has no native reader for.
	Plugins PluginOptions
	// DriftIgnore is a local ignore file that replaces the .driftignore
	// at the stack's root in the source; "" reads that one (none there:
	// nothing is ignored). See package drift/ignore.
	DriftIgnore string
	// Filter keeps part of the results (nil: all); the others leave the
	// report entirely: its summary, coverage, exit code and metrics.
	Filter *filter.Filter
}

// Progress follows a scan's reads, for a progress display.
type Progress interface {
	// Start is called before the providers are configured.
	Start()
	// Read is called after each read of a type finishes, from the reading
	// goroutines: it must be safe for concurrent use.
	Read(ReadProgress)
	// Finish is called when the scan is done.
	Finish()
}

// ReadProgress is one finished read.
type ReadProgress struct {
	Type, Region string
	Resources    int
	Err          error
}

// Stage is the step of a scan that failed.
type Stage string

// The stages of a scan.
const (
	// StageSource: the directory or repository could not be read.
	StageSource Stage = "source"
	// StageLoad: the configuration's files have errors (in Diagnostics),
	// or the ignore file cannot be read or has a malformed line (Err).
	StageLoad Stage = "load"
	// StageState: the Terraform state could not be read.
	StageState Stage = "state"
	// StageEvaluate: the configuration could not be evaluated or its
	// providers configured (in Diagnostics), or the context ended.
	StageEvaluate Stage = "evaluate"
)

// Error is a scan that produced no report.
type Error struct {
	Stage Stage
	// Err is the cause for StageSource and StageState; nil for the other
	// stages, whose Diagnostics hold the errors.
	Err         error
	Diagnostics hcl.Diagnostics
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return e.Diagnostics.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Result is a finished scan.
type Result struct {
	// Report is nil when the scan failed.
	Report *drift.Report
	// Diagnostics are the configuration's errors and warnings; Files are
	// its sources, for showing them with snippets (nil when there are no
	// diagnostics).
	Diagnostics hcl.Diagnostics
	Files       map[string]*hcl.File
	// BlameErr says which drifted lines could not be blamed (a warning).
	BlameErr error
	// DefaultTags are the default_tags of each provider configuration
	// that has some, by the name results give it ("aws", "aws.west").
	DefaultTags map[string]map[string]string
	// Resources are the root module's managed resource blocks, TYPE.NAME,
	// blocks of count = 0 included (nil when the source was not read).
	Resources []string
}

// Run scans one stack: it opens the source, reads the state, scans and
// closes everything. The Result is never nil; the error, an *Error, says
// that there is no report.
func Run(ctx context.Context, factory providers.Factory, opts Options) (*Result, error) {
	st, err := Open(ctx, factory, opts)
	if st == nil {
		return &Result{}, err
	}
	defer st.Close()
	res := &Result{Diagnostics: st.diags}
	if st.src.Module != nil {
		res.Resources = st.src.Module.ResourceAddresses()
	}
	if err == nil {
		var sess *Session
		if sess, err = st.Session(ctx, nil); sess != nil {
			sess.Close()
			res.Report, res.Diagnostics, res.BlameErr = sess.Report, sess.Diagnostics, sess.BlameErr
			res.DefaultTags = defaultTagsOf(sess.Providers)
		} else {
			res.Diagnostics = err.(*Error).Diagnostics
		}
	}
	if len(res.Diagnostics) > 0 {
		// Read again for the snippets: only when there is something to
		// show, since a module does not keep its files' bytes.
		res.Files = st.Files()
	}
	return res, err
}

// Stack is one stack's opened source and state, scanned once or, for
// remediation, again after each wave of changes. Close it.
type Stack struct {
	opts     Options
	registry *providers.Registry
	src      *Source
	state    *state.State
	// diags are the warnings of loading the configuration.
	diags hcl.Diagnostics
	// ignore are the ignore rules (nil: none).
	ignore *ignore.Rules
	// plugins are the provider plugins, loaded by the first scan (nil
	// when none is needed).
	plugins       *pluginSetup
	pluginsLoaded bool
}

// Open reads a stack's source and state. On an error (an *Error) the
// Stack is nil when the source could not be read, and otherwise returned
// closed, for its Files and Diagnostics.
func Open(ctx context.Context, factory providers.Factory, opts Options) (*Stack, error) {
	src, diags, err := OpenSource(ctx, opts.GitReader, opts.Location, opts.Git, opts.AllowOutsideFiles)
	if err != nil {
		return nil, &Error{Stage: StageSource, Err: err}
	}
	s := &Stack{opts: opts, registry: providers.NewRegistry(factory), src: src, diags: diags}
	if s.opts.Stack == "" {
		s.opts.Stack = StackName(opts.Location, opts.Git.Path)
	}
	if !diags.HasErrors() {
		diags = append(diags, src.Module.FetchModules(ctx, moduleFetcher(opts))...)
		s.diags = diags
	}
	if diags.HasErrors() {
		s.Close()
		return s, &Error{Stage: StageLoad, Diagnostics: diags}
	}
	if s.ignore, err = readIgnore(src, opts); err != nil {
		s.Close()
		return s, &Error{Stage: StageLoad, Err: err, Diagnostics: diags}
	}
	if opts.Workspace != "" && !state.ValidWorkspace(opts.Workspace) {
		s.Close()
		return s, &Error{Stage: StageState, Err: fmt.Errorf("workspace %q: a name may hold letters, digits and - _ . ~ only", opts.Workspace), Diagnostics: diags}
	}
	if s.state, err = stateOf(ctx, src, opts.States, opts.Workspace); err != nil {
		s.Close()
		return s, &Error{Stage: StageState, Err: err, Diagnostics: diags}
	}
	return s, nil
}

// NewStack is a Stack of a configuration and state already read (st nil:
// none), for callers that load them otherwise; its Location, Git and
// DriftIgnore settings are ignored (no ignore file is read; Filter
// applies), and it has no commit to report or blame.
func NewStack(factory providers.Factory, mod *config.Module, st *state.State, opts Options) *Stack {
	return &Stack{opts: opts, registry: providers.NewRegistry(factory), src: &Source{Module: mod, Dir: mod.Dir}, state: st}
}

// Name is the stack's name, as its reports have it.
func (s *Stack) Name() string { return s.opts.Stack }

// Module is the loaded configuration.
func (s *Stack) Module() *config.Module { return s.src.Module }

// Files are the configuration's sources, for diagnostics' snippets.
func (s *Stack) Files() map[string]*hcl.File {
	if s.src.Module == nil {
		return nil
	}
	return s.src.Module.Files()
}

// Diagnostics are the warnings of loading the configuration.
func (s *Stack) Diagnostics() hcl.Diagnostics { return s.diags }

// Registry is the scan's provider registry (schemas by type).
func (s *Stack) Registry() *providers.Registry { return s.registry }

// Close releases the source (a repository's cache lock) and stops the
// provider plugins' processes.
func (s *Stack) Close() error {
	s.plugins.release()
	s.plugins = nil
	if s.src.Close == nil {
		return nil
	}
	err := s.src.Close()
	s.src.Close = nil
	return err
}

// Session is a scan whose configured providers stay open, for
// remediation to change what the scan found. Close it.
type Session struct {
	Report *drift.Report
	// Providers are the scan's configured providers by configuration.
	Providers map[config.ProviderRef]providers.Configured
	// Diagnostics are the configuration's warnings (loading and
	// evaluation).
	Diagnostics hcl.Diagnostics
	// BlameErr says which drifted lines could not be blamed (Options.Blame).
	BlameErr error
	// Registry has the schema of every type the scan read, the provider
	// plugins' too (for planning remediation).
	Registry *providers.Registry
	// release lets the provider plugins' processes go, which the stack
	// and its open sessions share.
	release func()
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
	if s.release != nil {
		s.release()
	}
}

// Session scans the stack and keeps its providers open. created are the
// live IDs of resources remediation created since the state was written,
// by address; they match first. A failed scan is an *Error of
// StageEvaluate, whose Diagnostics hold every diagnostic.
func (s *Stack) Session(ctx context.Context, created map[string]string) (*Session, error) {
	if p := s.opts.Progress; p != nil {
		p.Start()
		defer p.Finish()
	}
	sess, diags := s.evaluate(ctx, created)
	diags = append(append(hcl.Diagnostics{}, s.diags...), diags...)
	if sess == nil {
		return nil, &Error{Stage: StageEvaluate, Diagnostics: diags}
	}
	sess.Diagnostics, sess.Registry, sess.release = diags, s.registry, s.plugins.hold()
	if blame := blameOf(s.src); s.opts.Blame && blame != nil {
		sess.BlameErr = AttributeBlame(ctx, sess.Report, blame)
	}
	return sess, nil
}

// evaluate configures the providers, starts the reads, evaluates the
// configuration (each resource resolved against the cloud as it is
// reached) and reports the unclaimed live resources.
func (s *Stack) evaluate(ctx context.Context, created map[string]string) (*Session, hcl.Diagnostics) {
	started := time.Now()
	mod := s.src.Module
	if !s.opts.AllowEmpty && mod.Empty() {
		return nil, hcl.Diagnostics{s.emptyConfiguration()}
	}
	var diags hcl.Diagnostics
	if !s.pluginsLoaded {
		s.pluginsLoaded = true
		if diags = s.loadPlugins(ctx); diags.HasErrors() {
			return nil, diags
		}
	}
	ev, evDiags := config.NewEvaluator(mod, schemaSource{s.registry}, s.opts.Vars, config.WithLimits(s.opts.Limits), config.WithWorkspace(s.opts.Workspace))
	diags = append(diags, evDiags...)
	if diags.HasErrors() {
		return nil, diags
	}
	configured, refTypes, pdiags := s.configure(ctx, ev)
	diags = append(diags, pdiags...)
	if diags.HasErrors() {
		return nil, diags
	}
	keep := false
	defer func() {
		if !keep {
			for _, p := range configured {
				_ = p.Close()
			}
		}
	}()
	e := s.newEvaluation(ctx, configured, refTypes, created)
	diags = append(diags, ev.Evaluate(ctx, dataReader{configured: configured, state: s.state, remote: newRemoteStates(s.src.Dir, s.src.FilesRoot)}, e)...)
	// The plugins' plans run beside the evaluation: their results are in
	// once they are done.
	e.planning.wait()
	if diags.HasErrors() {
		return nil, diags
	}
	e.discoverUnmanaged()
	results := e.results.Sorted()
	applyIgnore(results, s.ignore)
	results, err := s.opts.Filter.Apply(results)
	if err != nil {
		return nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot filter the results", Detail: err.Error()})
	}
	drift.SortResults(results)
	keep = true
	return &Session{Providers: configured, Report: &drift.Report{
		Stack:     s.opts.Stack,
		Commit:    commitOf(s.src, s.opts.Git.Path),
		StartedAt: started.UTC(),
		Duration:  time.Since(started),
		Results:   results,
		Errors:    e.errors(),
		Withheld:  e.sortedWithheld(),
		Providers: providerInfos(configured),
	}}, diags
}

// configure makes a configured provider of each provider block; a provider
// driftctl has no factory for is a warning, and its resources are unknown.
func (s *Stack) configure(ctx context.Context, ev *config.Evaluator) (map[config.ProviderRef]providers.Configured, map[config.ProviderRef]string, hcl.Diagnostics) {
	configured := map[config.ProviderRef]providers.Configured{}
	refTypes := map[config.ProviderRef]string{}
	provs, diags := ev.Providers(ctx)
	if diags.HasErrors() {
		return configured, refTypes, diags
	}
	for _, pc := range provs {
		refTypes[pc.Ref] = pc.Type
		f, ok := s.registry.Factory(pc.Type)
		if !ok && s.plugins.problem(pc.Type) != "" {
			// The plugin's problem is already a warning or an error.
			continue
		}
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Unsupported provider",
				Detail:   fmt.Sprintf("Provider %q is not supported by driftctl; its resources are not scanned.", pc.Type),
				Subject:  rangePtr(pc.DeclRange),
			})
			continue
		}
		p, err := f.New(ctx, providers.Config{Name: pc.Type, Alias: pc.Ref.Alias, Ref: pc.Ref.String(), Attrs: pc.Config})
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
		for _, p := range configured {
			_ = p.Close()
		}
	}
	return configured, refTypes, diags
}

// providerInfos describes the configured providers, sorted by name.
func providerInfos(configured map[config.ProviderRef]providers.Configured) []drift.ProviderInfo {
	out := make([]drift.ProviderInfo, 0, len(configured))
	for ref, p := range configured {
		out = append(out, drift.ProviderInfo{Name: ref.String(), Account: accountOf(p), Region: p.Region()})
	}
	slices.SortFunc(out, func(a, b drift.ProviderInfo) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// defaultTagsOf are the configurations' default_tags by name, for those
// that have some (nil when none has).
func defaultTagsOf(configured map[config.ProviderRef]providers.Configured) map[string]map[string]string {
	var out map[string]map[string]string
	for ref, p := range configured {
		if tags := p.DefaultTags(); len(tags) > 0 {
			if out == nil {
				out = map[string]map[string]string{}
			}
			out[ref.String()] = tags
		}
	}
	return out
}

// emptyConfiguration is the error for a configuration without resources,
// naming where it was read.
func (s *Stack) emptyConfiguration() *hcl.Diagnostic {
	where := fmt.Sprintf("The directory %q", s.src.Module.Dir)
	if c := commitOf(s.src, s.opts.Git.Path); c != nil && c.SHA != "" {
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
