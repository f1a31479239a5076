package scan

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/drift"
)

// Modules are not evaluated yet. So that the report still has every
// resource they declare, each resource block of a module is an unknown
// result; and so that what they manage is never called unmanaged, the
// unmanaged resources of their types are withheld (of every type when a
// module cannot be read).

// moduleScope is what the configuration's module calls declare.
type moduleScope struct {
	calls []*config.ModuleCall
	// types are the resource types the modules declare, with the call
	// that declares each first.
	types map[string]*config.ModuleCall
	// unread is a module whose resources are not known: every type is
	// withheld.
	unread *config.ModuleCall
}

func newModuleScope(calls []*config.ModuleCall) moduleScope {
	ms := moduleScope{calls: calls, types: map[string]*config.ModuleCall{}}
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
	if c := ms.unread; c != nil {
		return fmt.Sprintf("module.%s (%s) is not read: %s, so any type may be declared there", c.Name, loc(c.DeclRange), c.Unread)
	}
	if c, ok := ms.types[typ]; ok {
		return fmt.Sprintf("module.%s (%s) declares %s and driftctl does not evaluate modules yet", c.Name, loc(c.DeclRange), typ)
	}
	return ""
}

// addModuleResults reports every resource block of the modules as
// unknown, and a module that could not be read as one unknown result.
func (e *evaluation) addModuleResults() {
	for _, c := range e.modules.calls {
		if c.Unread != "" {
			e.results.Add(drift.Result{Address: "module." + c.Name, Type: "module", DeclRange: c.DeclRange, Status: drift.Unknown,
				Reason: fmt.Sprintf("module.%s is not read: %s", c.Name, c.Unread), Unsupported: true}, nil)
			continue
		}
		for _, r := range c.Resources {
			res := drift.Result{Address: r.Address, Type: r.Type, Provider: r.Provider.String(), DeclRange: r.DeclRange, Status: drift.Unknown,
				Reason: fmt.Sprintf("it is in module.%s (%s): driftctl does not evaluate modules yet", c.Name, loc(c.DeclRange)), Unsupported: true}
			if p := e.configured[r.Provider]; p != nil {
				res.Region, res.Account = p.Region(), accountOf(p)
				if schema, ok := e.registry.ResourceSchema(r.Type); ok && schema.Global {
					res.Region = "global"
				}
			}
			e.results.Add(res, nil)
		}
	}
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
