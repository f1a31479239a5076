package scan

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/state"
)

// Modules are not evaluated yet. So that the report still has every
// resource they declare, each is an unknown result: each instance the
// state records under the module, with its address and ID, else each
// resource block read from the module's files. So that what they manage is
// never called unmanaged, the state's instances claim their live
// resources by ID; without a state, the unmanaged resources of the
// modules' types are withheld (of every type when a module cannot be
// read).

// moduleScope is what the configuration's module calls declare.
type moduleScope struct {
	calls []*config.ModuleCall
	// types are the resource types the modules declare, with the call
	// that declares each first.
	types map[string]*config.ModuleCall
	// unread is a module whose resources are not known: every type is
	// withheld.
	unread *config.ModuleCall
	// withhold is false when a state gives the modules' instances: they
	// claim their live resources, and nothing need be withheld.
	withhold bool
}

func newModuleScope(calls []*config.ModuleCall, st *state.State) moduleScope {
	ms := moduleScope{calls: calls, types: map[string]*config.ModuleCall{}, withhold: st == nil}
	for _, c := range calls {
		if c.Unread != "" {
			if ms.unread == nil {
				ms.unread = c
			}
			continue
		}
		for _, r := range c.Resources {
			if _, ok := ms.types[r.Type]; !ok {
				ms.types[r.Type] = c
			}
		}
	}
	return ms
}

// withholds says why the unmanaged resources of typ are not reported, ""
// when they are.
func (ms moduleScope) withholds(typ string) string {
	if !ms.withhold {
		return ""
	}
	if c := ms.unread; c != nil {
		return fmt.Sprintf("module.%s (%s) is not read: %s, so any type may be declared there", c.Name, loc(c.DeclRange), c.Unread)
	}
	if c, ok := ms.types[typ]; ok {
		return fmt.Sprintf("module.%s (%s) declares %s, driftctl does not evaluate modules yet and there is no state", c.Name, loc(c.DeclRange), typ)
	}
	return ""
}

// addModuleResults reports the modules' resources as unknown: the state's
// instances under each module call, which claim their live resources, and
// the resource blocks of its files that no instance stands for.
func (e *evaluation) addModuleResults(ctx context.Context) {
	for _, c := range e.modules.calls {
		reason := fmt.Sprintf("it is in module.%s (%s): driftctl does not evaluate modules yet", c.Name, loc(c.DeclRange))
		covered := map[string]bool{}
		instances := moduleInstances(e.state, "module."+c.Name)
		var patterns []*regexp.Regexp
		if len(instances) > 0 {
			patterns = make([]*regexp.Regexp, len(c.Resources))
			for i, r := range c.Resources {
				patterns[i] = addressPattern(r.Address)
			}
		}
		for _, inst := range instances {
			res := drift.Result{Address: inst.Address, Type: inst.Type, ID: inst.ID, DeclRange: c.DeclRange,
				Status: drift.Unknown, Reason: reason, Unsupported: true}
			for i, r := range c.Resources {
				if patterns[i].MatchString(inst.Address) {
					covered[r.Address] = true
					res.DeclRange = r.DeclRange
				}
			}
			ref := config.ProviderRef{Name: providerType(inst.ProviderSource), Alias: inst.ProviderAlias}
			e.placeModuleResult(&res, ref)
			e.claimByState(ctx, ref, inst)
			e.results.Add(res, nil)
		}
		if c.Unread != "" {
			if len(instances) == 0 {
				e.results.Add(drift.Result{Address: "module." + c.Name, Type: "module", DeclRange: c.DeclRange, Status: drift.Unknown,
					Reason: fmt.Sprintf("module.%s is not read: %s", c.Name, c.Unread), Unsupported: true}, nil)
			}
			continue
		}
		for _, r := range c.Resources {
			if covered[r.Address] {
				continue
			}
			res := drift.Result{Address: r.Address, Type: r.Type, DeclRange: r.DeclRange, Status: drift.Unknown, Reason: reason, Unsupported: true}
			e.placeModuleResult(&res, r.Provider)
			e.results.Add(res, nil)
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
	e.claimAs(schema, inst.Address, drift.Identity{StateID: inst.ID, StateAttrs: inst.Value}, read.index)
}

// moduleInstances are the state's managed instances in the module call at
// prefix ("module.net") and its nested modules, in the state's order.
func moduleInstances(st *state.State, prefix string) []*state.Instance {
	if st == nil {
		return nil
	}
	var out []*state.Instance
	for _, inst := range st.Instances {
		if inst.Mode != state.ModeManaged {
			continue
		}
		if m := inst.Module; m == prefix || strings.HasPrefix(m, prefix+".") || strings.HasPrefix(m, prefix+"[") {
			out = append(out, inst)
		}
	}
	return out
}

// addressPattern matches the instance addresses of a block's address
// (whose "[*]" stand for any instance key).
func addressPattern(block string) *regexp.Regexp {
	parts := strings.Split(block, "[*]")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, `\[[^\]]*\]`) + "$")
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
