package scan

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/modsource"
	"github.com/gitdrift/driftctl/state"
)

// The configuration's modules are evaluated with it, and their resources
// compared as any other. A module that is not read (a remote source
// neither installed nor fetched) still has its resources in the report:
// each instance the state records under it is unknown, with its address
// and ID, and claims its live resource by ID so that it is not called
// unmanaged; without a state, no unmanaged resource is reported at all,
// since the module may declare any type.

// moduleScope is what the configuration's unread modules hide.
type moduleScope struct {
	unread []config.UnreadModule
	// withhold is false when a state gives the modules' instances: they
	// claim their live resources, and nothing need be withheld.
	withhold bool
}

func newModuleScope(unread []config.UnreadModule, st *state.State) moduleScope {
	return moduleScope{unread: unread, withhold: st == nil}
}

// withholds says why the unmanaged resources of typ are not reported, ""
// when they are.
func (ms moduleScope) withholds(string) string {
	if !ms.withhold || len(ms.unread) == 0 {
		return ""
	}
	u := ms.unread[0]
	return fmt.Sprintf("%s (%s) is not read: %s, so any type may be declared there", u.Address, loc(u.DeclRange), u.Reason)
}

// addModuleResults reports the unread modules' resources as unknown: the
// state's instances under each, which claim their live resources, or the
// module itself when the state has none.
func (e *evaluation) addModuleResults(ctx context.Context) {
	for _, u := range e.modules.unread {
		reason := fmt.Sprintf("it is in %s (%s), which is not read: %s", u.Address, loc(u.DeclRange), u.Reason)
		instances := moduleInstances(e.state, u.Address)
		for _, inst := range instances {
			res := drift.Result{Address: inst.Address, Type: inst.Type, ID: inst.ID, DeclRange: u.DeclRange,
				Status: drift.Unknown, Reason: reason, Unsupported: true}
			ref := config.ProviderRef{Name: providerType(inst.ProviderSource), Alias: inst.ProviderAlias}
			e.placeModuleResult(&res, ref)
			e.claimByState(ctx, ref, inst)
			e.results.Add(res, nil)
		}
		if len(instances) == 0 {
			e.results.Add(drift.Result{Address: u.Address, Type: "module", DeclRange: u.DeclRange, Status: drift.Unknown,
				Reason: fmt.Sprintf("%s is not read: %s", u.Address, u.Reason), Unsupported: true}, nil)
		}
	}
}

// placeModuleResult sets a module result's provider, account and region.
func (e *evaluation) placeModuleResult(res *drift.Result, ref config.ProviderRef) {
	res.Provider = ref.String()
	if p := e.configured[ref]; p != nil {
		res.Region, res.Account = p.Region(), accountOf(p)
		if schema, ok := e.registry.ResourceSchema(res.Type); ok && schema.Global {
			res.Region = "global"
		}
	}
}

// claimByState claims, in the read of its type through ref, the live
// resource a module's state instance records, so that it is not called
// unmanaged. It waits for that read.
func (e *evaluation) claimByState(ctx context.Context, ref config.ProviderRef, inst *state.Instance) {
	schema, ok := e.registry.ResourceSchema(inst.Type)
	if !ok || inst.ID == "" {
		return
	}
	read, ok := e.reads.wait(ctx, ref, inst.Type)
	if !ok || read.err != nil || read.index == nil {
		return
	}
	// A live resource another claimed first stays theirs.
	e.claimAs(schema, ref, inst.Address, drift.Identity{StateID: inst.ID, StateAttrs: inst.Value}, read.index)
}

// moduleInstances are the state's managed instances in the module call
// at addr (without instance keys: module.net.module.sg), of any of its
// instances, and in the modules it calls, in the state's order.
func moduleInstances(st *state.State, addr string) []*state.Instance {
	if st == nil {
		return nil
	}
	var out []*state.Instance
	for _, inst := range st.Instances {
		if inst.Mode != state.ModeManaged {
			continue
		}
		if m := config.ModulePath(inst.Module); m == addr || strings.HasPrefix(m, addr+".") {
			out = append(out, inst)
		}
	}
	return out
}

// providerType is a provider source's type: registry.terraform.io/hashicorp/aws
// is aws.
func providerType(source string) string {
	return source[strings.LastIndex(source, "/")+1:]
}

// sortedWithheld returns the withheld types by type and provider.
func (e *evaluation) sortedWithheld() []drift.Withheld {
	e.mu.Lock()
	defer e.mu.Unlock()
	slices.SortFunc(e.withheld, func(a, b drift.Withheld) int {
		return cmp.Or(strings.Compare(a.Type, b.Type), strings.Compare(a.Provider, b.Provider))
	})
	return e.withheld
}

// loc is where a block is, as file:line.
func loc(r hcl.Range) string { return fmt.Sprintf("%s:%d", r.Filename, r.Start.Line) }

// moduleFetcher is opts.Modules, or else modsource's Fetcher with the Git
// source's cache and environment.
func moduleFetcher(opts Options) config.ModuleFetcher {
	if opts.Modules != nil {
		return opts.Modules
	}
	f := &modsource.Fetcher{Environ: opts.Git.Environ}
	if opts.Git.CacheDir != "" {
		f.CacheDir = filepath.Join(opts.Git.CacheDir, "modules")
	}
	return fetcher{f}
}

// fetcher adapts a modsource.Fetcher to config.
type fetcher struct{ f *modsource.Fetcher }

func (f fetcher) FetchModule(ctx context.Context, source, version string) (*config.FetchedModule, error) {
	m, err := f.f.Fetch(ctx, source, version)
	if err != nil {
		return nil, err
	}
	return &config.FetchedModule{Package: m.Package, Subdir: m.Subdir, Name: m.PackageFile}, nil
}
