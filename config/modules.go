package config

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Module calls are not evaluated yet: their resources are not compared.
// What a scan must still know of them is which resources they declare, so
// that none is left out of the report and no live resource they manage is
// called unmanaged. That is read from the modules' files, without
// evaluating them.

// ModuleCall is a module block of the configuration, with the resource
// blocks of the module and of the modules it calls.
type ModuleCall struct {
	Name      string
	Source    string
	DeclRange hcl.Range
	// Resources are the module's resource blocks, to any depth; nil when
	// the module could not be read (Unread says why).
	Resources []ModuleResource
	Unread    string
}

// ModuleResource is a resource block inside a module.
type ModuleResource struct {
	// Address is the block's address, with "[*]" after each module call
	// that has count or for_each and after the resource when it has one:
	// module.net.aws_subnet.private[*].
	Address   string
	Type      string
	Provider  ProviderRef
	DeclRange hcl.Range
}

// maxModuleDepth bounds how deep module calls are followed (Terraform has
// no limit; a cycle of local modules would otherwise never end).
const maxModuleDepth = 32

// ModuleCalls lists the module blocks of the configuration, each with the
// resource blocks it declares, read from its files: a local path relative
// to the module, or the directory `terraform init` installed it in
// (.terraform/modules/modules.json).
func (m *Module) ModuleCalls() []*ModuleCall {
	installed := m.installedModules()
	var out []*ModuleCall
	for _, name := range slices.Sorted(maps.Keys(m.modules)) {
		mc := m.modules[name]
		call := &ModuleCall{Name: name, Source: mc.Source, DeclRange: mc.DeclRange}
		call.Resources, call.Unread = m.moduleResources(m.files, mc, "module."+name+multi(mc.Multi), name, installed, 1)
		out = append(out, call)
	}
	return out
}

func multi(on bool) string {
	if on {
		return "[*]"
	}
	return ""
}

// moduleResources reads the module that mc calls and returns its resource
// blocks (prefix is the call's address, key its modules.json key), or why
// it could not be read. root is the root module's files, which installed
// modules' directories are relative to.
func (m *Module) moduleResources(root moduleFiles, mc *moduleCall, prefix, key string, installed map[string]string, depth int) ([]ModuleResource, string) {
	if depth > maxModuleDepth {
		return nil, fmt.Sprintf("module calls nest deeper than %d", maxModuleDepth)
	}
	files, ok := root.sub(installed[key])
	if installed[key] == "" {
		if !localSource(mc.Source) {
			return nil, fmt.Sprintf("its source %q is not a local path and `terraform init` has not installed it", mc.Source)
		}
		files, ok = m.files.sub(mc.Source)
	}
	if !ok {
		return nil, "its directory is outside the repository (or the directory scanned), which driftctl does not read"
	}
	child, diags := load(files)
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		if d.Subject == nil {
			return nil, fmt.Sprintf("%s: %s", d.Summary, d.Detail)
		}
		return nil, fmt.Sprintf("its files have errors: %s", d.Error())
	}
	var out []ModuleResource
	for _, k := range slices.Sorted(maps.Keys(child.resources)) {
		b := child.resources[k]
		out = append(out, ModuleResource{
			Address: prefix + "." + k + multi(b.Count != nil || b.ForEach != nil),
			Type:    b.Type, Provider: ProviderRef{Name: b.Provider.Name}, DeclRange: b.DeclRange,
		})
	}
	for _, name := range slices.Sorted(maps.Keys(child.modules)) {
		cc := child.modules[name]
		rs, unread := child.moduleResources(root, cc, prefix+".module."+name+multi(cc.Multi), key+"."+name, installed, depth+1)
		if unread != "" {
			return nil, fmt.Sprintf("module.%s in it: %s", name, unread)
		}
		out = append(out, rs...)
	}
	return out, ""
}

// checkLocalModules reports a module call whose local source names no
// directory, as terraform init does ("Unreadable module directory").
// Sources outside the files' tree are not read, and not errors.
func (m *Module) checkLocalModules() hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range slices.Sorted(maps.Keys(m.modules)) {
		mc := m.modules[name]
		if !localSource(mc.Source) {
			continue
		}
		files, ok := m.files.sub(mc.Source)
		if !ok {
			continue
		}
		if _, err := files.readDir(); err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unreadable module directory",
				Detail:   fmt.Sprintf("The source %q of module %q is not a directory that can be read: %v.", mc.Source, name, err),
				Subject:  mc.DeclRange.Ptr(),
			})
		}
	}
	return diags
}

// localSource reports whether a module source is a local path.
func localSource(source string) bool {
	return strings.HasPrefix(source, "./") || strings.HasPrefix(source, "../")
}

// sub is the files of the directory rel (slash-separated) relative to this
// module's; ok is false for "" and, in a Git tree, a path that leaves it.
func (mf moduleFiles) sub(rel string) (moduleFiles, bool) {
	if rel == "" {
		return moduleFiles{}, false
	}
	if mf.disk {
		if mf.root != "" {
			if _, err := mf.rootPath(filepath.FromSlash(rel)); err != nil {
				return moduleFiles{}, false
			}
		}
		return confinedFiles(filepath.Join(mf.dir, filepath.FromSlash(rel)), mf.root), true
	}
	clean := path.Clean(rel)
	if !fs.ValidPath(clean) {
		// A Git tree holds only the stack's directory.
		return moduleFiles{}, false
	}
	sub, err := fs.Sub(mf.fsys, clean)
	if err != nil {
		return moduleFiles{}, false
	}
	return moduleFiles{fsys: sub, dir: path.Join(mf.dir, clean)}, true
}

// installedModules reads .terraform/modules/modules.json: the directory
// `terraform init` installed each module call in, by key ("net",
// "net.subnets").
func (m *Module) installedModules() map[string]string {
	b, err := fs.ReadFile(m.files.fsys, ".terraform/modules/modules.json")
	if err != nil {
		return nil
	}
	var doc struct {
		Modules []struct {
			Key, Source, Dir string
		}
	}
	if json.Unmarshal(b, &doc) != nil {
		return nil
	}
	out := map[string]string{}
	for _, mod := range doc.Modules {
		if mod.Key != "" {
			out[mod.Key] = filepath.ToSlash(mod.Dir)
		}
	}
	return out
}

// decodeModuleCall reads what a scan needs of a module block: its literal
// source and whether it has count or for_each.
func decodeModuleCall(b *hcl.Block) *moduleCall {
	mc := &moduleCall{Name: b.Labels[0], DeclRange: b.DefRange}
	attrs, _ := b.Body.JustAttributes()
	if a, ok := attrs["source"]; ok {
		if v, d := a.Expr.Value(nil); !d.HasErrors() && v.Type() == cty.String && !v.IsNull() {
			mc.Source = v.AsString()
		}
	}
	_, hasCount := attrs["count"]
	_, hasEach := attrs["for_each"]
	mc.Multi = hasCount || hasEach
	return mc
}
