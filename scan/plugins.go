package scan

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/plugin"
	"github.com/gitdrift/driftctl/providers/plugin/discovery"
)

// PluginTypes says which resource types are read through provider
// plugins (--plugin-types).
type PluginTypes string

// The choices of PluginTypes.
const (
	// PluginTypesMissing reads through a plugin only the types driftctl
	// has no native reader for (the default).
	PluginTypesMissing PluginTypes = "missing"
	// PluginTypesAll reads every type of a provider whose binary is
	// found through it, the native types too, so that the two paths can
	// be held against each other.
	PluginTypesAll PluginTypes = "all"
	// PluginTypesNone reads nothing through plugins.
	PluginTypesNone PluginTypes = "none"
)

// PluginOptions are where provider binaries are found and how their
// processes run.
type PluginOptions struct {
	// Dirs are searched first for provider packages (--plugin-dir), then
	// the stack's .terraform/providers and TF_PLUGIN_CACHE_DIR.
	Dirs []string
	// Types: "" is PluginTypesMissing.
	Types PluginTypes
	// Parallelism bounds the calls in flight per provider process
	// (0: plugin.DefaultParallelism).
	Parallelism int
	// CacheDir holds the providers' schemas, by binary, and the packages
	// unpacked from a --plugin-dir's .zip files ("": the user's cache
	// directory).
	CacheDir string
	// Environ is the environment for discovery (TF_PLUGIN_CACHE_DIR,
	// TF_DATA_DIR); nil is os.Environ(). The provider processes inherit
	// driftctl's own environment.
	Environ []string
	// Observe, when not nil, is called after every call to a provider
	// process, from several goroutines at once (for metrics).
	Observe func(provider, rpc string, err error)
	// Track, when not nil, is given the count of the scan's provider
	// processes when the first is needed; the scan calls the stop it
	// returns when its processes are stopped (for metrics).
	Track func(processes func() int) (stop func())
}

// parallelism is the calls in flight per provider process.
func (po PluginOptions) parallelism() int {
	if po.Parallelism <= 0 {
		return plugin.DefaultParallelism
	}
	return po.Parallelism
}

// pluginSetup is what a stack's plugins are: the registry with the plugin
// factories, their pool, and the providers that could not be used.
type pluginSetup struct {
	pool *plugin.Pool
	// missing says, by provider type, why its binary cannot be used;
	// fatal is true when that is an error of the scan (the stack was
	// initialized, or --plugin-dir given, so the binary was meant to be
	// there), false for a warning (never initialized).
	missing map[string]pluginProblem
	// untrack ends the metrics' count of the pool's processes.
	untrack func()
	// holders are the stack and its open sessions: the processes stop
	// when the last lets them go (a session outlives its stack in serve,
	// whose remediation applies through it).
	mu      sync.Mutex
	holders int
}

type pluginProblem struct {
	// message is the whole error; reason the short form for a
	// resource's reason.
	message, reason string
	fatal           bool
}

// loadPlugins finds the binaries of the providers the configuration needs
// a plugin for, reads their schemas and puts their factories in the
// registry: alone for a provider driftctl has no native reader for,
// layered under the native one otherwise. It returns the warnings.
func (s *Stack) loadPlugins(ctx context.Context) hcl.Diagnostics {
	po := s.opts.Plugins
	if po.Types == PluginTypesNone {
		return nil
	}
	mod := s.src.Module
	var reqs []discovery.Requirement
	var needed []config.ProviderRequirement
	used := mod.TypesByProvider()
	for _, r := range mod.ProviderRequirements() {
		if !s.needsPlugin(r.Type, used[r.Type], po.Types) {
			continue
		}
		needed = append(needed, r)
		reqs = append(reqs, discovery.Requirement{LocalName: r.LocalName, Source: r.Source, VersionConstraint: r.Version})
	}
	if len(reqs) == 0 {
		return nil
	}
	cacheDir := po.CacheDir
	if cacheDir == "" {
		if dir, err := os.UserCacheDir(); err == nil {
			cacheDir = filepath.Join(dir, "driftctl")
		}
	}
	dopts := discovery.Options{PluginDirs: po.Dirs, Environ: po.Environ}
	if cacheDir != "" {
		dopts.UnpackDir = filepath.Join(cacheDir, "providers")
	}
	root := s.src.Dir
	results, err := discovery.Find(root, reqs, dopts)
	if err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot look for provider plugins", Detail: err.Error()}}
	}
	popts := []plugin.PoolOption{plugin.WithParallelism(po.parallelism())}
	if cacheDir != "" {
		popts = append(popts, plugin.WithSchemaCacheDir(filepath.Join(cacheDir, "schemas")))
	}
	if po.Observe != nil {
		popts = append(popts, plugin.WithCallObserver(po.Observe))
	}
	setup := &pluginSetup{pool: plugin.NewPool(popts...), missing: map[string]pluginProblem{}, holders: 1}
	if po.Track != nil {
		setup.untrack = po.Track(setup.pool.Processes)
	}
	s.plugins = setup
	initialized := len(po.Dirs) > 0 || fileExists(filepath.Join(root, discovery.LockFileName)) || fileExists(filepath.Join(root, ".terraform", "providers"))
	var diags hcl.Diagnostics
	factories := map[string]providers.Factory{}
	for _, res := range results {
		typ := ""
		for _, n := range needed {
			if src, err := discovery.ParseSource(n.Source); err == nil && src == res.Source {
				typ = n.Type
			}
		}
		if res.Err != nil {
			var nie *discovery.NotInstalledError
			notInstalled := errors.As(res.Err, &nie)
			fatal := initialized || !notInstalled
			reason := fmt.Sprintf("driftctl has no native reader, and the plugin of %s cannot be used (see the errors)", res.Source)
			if notInstalled {
				reason = fmt.Sprintf("driftctl has no native reader, and the plugin of %s is not installed: run `terraform init`, or give --plugin-dir", res.Source)
			}
			setup.missing[typ] = pluginProblem{message: res.Err.Error(), reason: reason, fatal: fatal}
			if !fatal {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagWarning,
					Summary:  "Provider plugin not installed",
					Detail:   fmt.Sprintf("The types of %s that driftctl has no native reader for are not checked: %s.", res.Source, res.Err),
				})
			}
			continue
		}
		schema, err := setup.pool.Schema(ctx, res.Provider.Path)
		if err != nil {
			setup.missing[typ] = pluginProblem{message: fmt.Sprintf("provider %s %s (%s): %v", res.Source, res.Provider.Version, res.Provider.Path, err),
				reason: fmt.Sprintf("driftctl has no native reader, and the plugin of %s did not start (see the errors)", res.Source), fatal: true}
			continue
		}
		pf := plugin.NewFactory(typ, setup.pool, res.Provider.Path, schema)
		if native, ok := s.registry.Factory(typ); ok {
			factories[typ] = &layeredFactory{native: native, plugin: pf, all: po.Types == PluginTypesAll}
		} else {
			factories[typ] = pf
		}
	}
	if len(factories) > 0 {
		var all []providers.Factory
		for _, name := range s.registry.Names() {
			if _, ok := factories[name]; !ok {
				f, _ := s.registry.Factory(name)
				all = append(all, f)
			}
		}
		for _, f := range factories {
			all = append(all, f)
		}
		s.registry = providers.NewRegistry(all...)
	}
	return diags
}

// needsPlugin says whether a provider's types need its plugin: it has no
// native reader, or one of the types (managed, or data sources as
// "data.TYPE") is not native, or every type goes through plugins.
func (s *Stack) needsPlugin(typ string, used []string, mode PluginTypes) bool {
	native, ok := s.registry.Factory(typ)
	if !ok || mode == PluginTypesAll {
		return true
	}
	ns := native.Schema()
	return slices.ContainsFunc(used, func(t string) bool {
		if dt, isData := cutData(t); isData {
			_, ok := ns.DataSources[dt]
			return !ok && dt != remoteStateType
		}
		_, ok := ns.Resources[t]
		return !ok
	})
}

func cutData(t string) (string, bool) {
	const prefix = "data."
	if len(t) > len(prefix) && t[:len(prefix)] == prefix {
		return t[len(prefix):], true
	}
	return t, false
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// pluginErrors are the report's errors for providers whose binaries were
// meant to be there but cannot be used.
func (p *pluginSetup) errors() []drift.Error {
	if p == nil {
		return nil
	}
	var out []drift.Error
	for _, typ := range slices.Sorted(maps.Keys(p.missing)) {
		if pr := p.missing[typ]; pr.fatal {
			out = append(out, drift.Error{Type: typ, Operation: "plugin:discovery", Message: pr.message})
		}
	}
	return out
}

// problem is why a provider type's plugin cannot be used, in short, ""
// when it can or none is needed.
func (p *pluginSetup) problem(typ string) string {
	if p == nil {
		return ""
	}
	return p.missing[typ].reason
}

// hold keeps the processes running until the returned func is called
// (once or more); nil for no plugins.
func (p *pluginSetup) hold() func() {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	p.holders++
	p.mu.Unlock()
	var once sync.Once
	return func() { once.Do(p.release) }
}

// release lets one holder go; the last stops the processes.
func (p *pluginSetup) release() {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.holders--
	last := p.holders == 0
	p.mu.Unlock()
	if !last {
		return
	}
	_ = p.pool.Close()
	if p.untrack != nil {
		p.untrack()
	}
}

// layeredFactory is a provider driftctl reads natively, with its plugin for
// the types it has no reader for (or for all, with PluginTypesAll). The
// provider block is decoded with the native schema, which knows every
// argument of the provider and driftctl's own; the plugin gets what of it
// its own schema has (plugin.Conform).
type layeredFactory struct {
	native providers.Factory
	plugin *plugin.Factory
	all    bool
	schema *providers.ProviderSchema
}

func (f *layeredFactory) Name() string { return f.native.Name() }

func (f *layeredFactory) Schema() *providers.ProviderSchema {
	if f.schema != nil {
		return f.schema
	}
	ns, ps := f.native.Schema(), f.plugin.Schema()
	s := &providers.ProviderSchema{
		Provider:    ns.Provider,
		Resources:   map[string]*providers.Schema{},
		DataSources: map[string]*providers.Schema{},
		Functions:   ns.Functions,
	}
	for t, sc := range ps.Resources {
		if nsc, ok := ns.Resources[t]; ok && f.all {
			sc = withNativeSemantics(sc, nsc)
		}
		s.Resources[t] = sc
	}
	for t, sc := range ps.DataSources {
		s.DataSources[t] = sc
	}
	for _, pair := range []struct{ native, plugin, out map[string]*providers.Schema }{
		{ns.Resources, ps.Resources, s.Resources},
		{ns.DataSources, ps.DataSources, s.DataSources},
	} {
		for t, sc := range pair.native {
			if _, inPlugin := pair.plugin[t]; !f.all || !inPlugin {
				pair.out[t] = sc
			}
		}
	}
	f.schema = s
	return s
}

// withNativeSemantics is a plugin's schema of a type that driftctl also
// reads natively, with what the native schema knows and the plugin's
// cannot say: the type is global (IAM: the report's region is "global"),
// and which attributes exist only in Terraform (force_destroy), never to
// be compared with the cloud. With PluginTypesAll the two paths then
// report the same resources the same way.
func withNativeSemantics(plugin, native *providers.Schema) *providers.Schema {
	out := *plugin
	out.Global = native.Global
	out.Attributes = maps.Clone(plugin.Attributes)
	for name, na := range native.Attributes {
		if pa, ok := out.Attributes[name]; ok && na.TerraformOnly && !pa.TerraformOnly {
			c := *pa
			c.TerraformOnly = true
			out.Attributes[name] = &c
		}
	}
	return &out
}

func (f *layeredFactory) New(ctx context.Context, cfg providers.Config) (providers.Configured, error) {
	n, err := f.native.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	p, err := f.plugin.New(ctx, cfg)
	if err != nil {
		_ = n.Close()
		return nil, err
	}
	return &layeredProvider{Configured: n, plugin: p.(*plugin.Provider), schema: f.Schema()}, nil
}

// layeredProvider reads and applies natively, except the data sources
// that the layered schema takes from the plugin; instance reads go to the
// plugin.
type layeredProvider struct {
	providers.Configured
	plugin *plugin.Provider
	schema *providers.ProviderSchema
}

func (p *layeredProvider) ReadData(ctx context.Context, typ string, cfg cty.Value) (cty.Value, error) {
	if s, ok := p.schema.DataSources[typ]; ok && s == p.plugin.DataSchema(typ) {
		return p.plugin.ReadData(ctx, typ, cfg)
	}
	return p.Configured.ReadData(ctx, typ, cfg)
}

func (p *layeredProvider) Refresh(ctx context.Context, req providers.RefreshRequest) (*providers.Instance, error) {
	return p.plugin.Refresh(ctx, req)
}

func (p *layeredProvider) Import(ctx context.Context, typ, id string) (*providers.Instance, error) {
	return p.plugin.Import(ctx, typ, id)
}

func (p *layeredProvider) Plan(ctx context.Context, prior *providers.Instance, cfg cty.Value) (*providers.Plan, error) {
	return p.plugin.Plan(ctx, prior, cfg)
}

func (p *layeredProvider) ApplyPlan(ctx context.Context, prior *providers.Instance, plan *providers.Plan, cfg cty.Value) (*providers.Instance, error) {
	return p.plugin.ApplyPlan(ctx, prior, plan, cfg)
}

// Account is the native provider's account.
func (p *layeredProvider) Account() string { return accountOf(p.Configured) }
