package config

import (
	"context"
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

// Module calls are loaded with the configuration: a local source's
// directory, or the one `terraform init` installed the module in
// (.terraform/modules/modules.json). A remote source that is not
// installed is fetched by FetchModules, given a ModuleFetcher. Each called
// module is parsed once per directory, however many calls and instances
// use it; an Evaluator evaluates every instance in its own scope (see
// scope.go).

// maxModuleDepth bounds how deep module calls nest (Terraform has no
// limit; a chain of calls this deep is a mistake or an attack).
const maxModuleDepth = 32

// ModuleFetcher gets the files of a module whose source is not a local
// path (Git, a module registry, an archive).
type ModuleFetcher interface {
	FetchModule(ctx context.Context, source, version string) (*FetchedModule, error)
}

// FetchedModule is a module as a ModuleFetcher got it: its package (a
// repository, an archive) and its directory in it, where the local
// sources of its own module calls ("../other") resolve.
type FetchedModule struct {
	Package fs.FS
	// Subdir is the module's directory in Package, slash-separated, ""
	// for the root.
	Subdir string
	// Name is how to show a file of Package (slash-separated), without
	// credentials: "git::https://example.com/mods.git//vpc/main.tf?ref=v1".
	Name func(file string) string
	// repository is true for the scanned repository's tree (LoadTree):
	// its modules are not foreign.
	repository bool
}

// UnreadModule is a module call whose module is not loaded: its resources
// are not known.
type UnreadModule struct {
	// Address is the call's address without instance keys:
	// module.net.module.sg.
	Address string
	Source  string
	// Reason says why it is not read.
	Reason    string
	DeclRange hcl.Range
}

// UnreadModules lists the module calls, to any depth, whose module is not
// loaded.
func (m *Module) UnreadModules() []UnreadModule {
	var out []UnreadModule
	m.walkCalls("", func(addr string, mc *moduleCall) {
		if mc.Module == nil {
			out = append(out, UnreadModule{Address: addr, Source: mc.Source, Reason: mc.Unread, DeclRange: mc.DeclRange})
		}
	})
	return out
}

// walkCalls calls f for every module call of the tree, parents first, with
// its address without keys (prefix is m's).
func (m *Module) walkCalls(prefix string, f func(addr string, mc *moduleCall)) {
	for _, name := range slices.Sorted(maps.Keys(m.modules)) {
		mc := m.modules[name]
		addr := joinAddress(prefix, "module."+name)
		f(addr, mc)
		if mc.Module != nil {
			mc.Module.walkCalls(addr, f)
		}
	}
}

// modules are the distinct modules of the tree: m and every module it
// calls, to any depth, once each.
func (m *Module) tree() []*Module {
	out := []*Module{m}
	seen := map[*Module]bool{m: true}
	m.walkCalls("", func(_ string, mc *moduleCall) {
		if mc.Module != nil && !seen[mc.Module] {
			seen[mc.Module] = true
			out = append(out, mc.Module)
		}
	})
	return out
}

func joinAddress(prefix, addr string) string {
	if prefix == "" {
		return addr
	}
	return prefix + "." + addr
}

// moduleLoader loads a tree of modules, each directory once.
type moduleLoader struct {
	root moduleFiles
	// installed are the directories `terraform init` installed modules
	// in, by key ("net", "net.sg"), relative to the root module.
	installed map[string]string
	loaded    map[string]*Module // by directory as shown
	loading   map[string]bool
}

// loadCalls loads the modules m calls and, recursively, theirs. key is m's
// key in modules.json ("" for the root module), dir its path.module.
func (l *moduleLoader) loadCalls(m *Module, key, dir string, depth int) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range slices.Sorted(maps.Keys(m.modules)) {
		mc := m.modules[name]
		k := name
		if key != "" {
			k = key + "." + name
		}
		if mc.Source == "" {
			continue // decodeModuleCall reported it
		}
		if depth >= maxModuleDepth {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Module calls nested too deeply",
				Detail:   fmt.Sprintf("Module calls nest deeper than %d levels here; driftctl refuses to go on.", maxModuleDepth),
				Subject:  mc.DeclRange.Ptr(),
			})
			continue
		}
		var files moduleFiles
		var ok bool
		switch inst := l.installed[k]; {
		case inst != "":
			files, ok = l.root.sub(inst)
			mc.pathModule, mc.installed = inst, inDataDir(inst)
		case localSource(mc.Source):
			files, ok = m.files.sub(mc.Source)
			mc.pathModule = path.Join(dir, mc.Source)
		default:
			mc.remote = true
			mc.Unread = fmt.Sprintf("its source %q is not a local path and `terraform init` has not installed it", mc.Source)
			continue
		}
		if !ok {
			mc.Unread = "its directory is outside the repository (or the directory scanned), which driftctl does not read"
			continue
		}
		diags = append(diags, l.loadCall(mc, files, k, depth)...)
	}
	return diags
}

// loadCall loads the module in files for mc, and the modules it calls.
func (l *moduleLoader) loadCall(mc *moduleCall, files moduleFiles, key string, depth int) hcl.Diagnostics {
	if l.loading[files.dir] {
		mc.Unread = "it calls itself"
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Module calls itself",
			Detail:   fmt.Sprintf("The module in %s calls itself, directly or through other modules.", files.dir),
			Subject:  mc.DeclRange.Ptr(),
		}}
	}
	if child := l.loaded[files.dir]; child != nil {
		mc.Module = child
		return nil
	}
	if _, err := files.readDir(); err != nil {
		mc.Unread = "its directory cannot be read"
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Unreadable module directory",
			Detail:   fmt.Sprintf("The source %q of module %q is not a directory that can be read: %v.", mc.Source, mc.Name, err),
			Subject:  mc.DeclRange.Ptr(),
		}}
	}
	child, diags := load(files)
	child.installed = mc.installed
	switch {
	case files.pkg != nil && files.pkg.repository:
		// path.module is relative to the root module's directory, which
		// file functions read from.
		mc.pathModule = relativePath(l.root.pkgDir, files.pkgDir)
	case files.pkg != nil:
		// A module of a fetched package reads its own files.
		child.fetched, mc.pathModule = true, "."
	}
	mc.Module = child
	l.loaded[files.dir] = child
	l.loading[files.dir] = true
	diags = append(diags, l.loadCalls(child, key, mc.pathModule, depth+1)...)
	delete(l.loading, files.dir)
	return diags
}

// loadModules loads the module calls of a root module.
func (m *Module) loadModules() hcl.Diagnostics {
	if len(m.modules) == 0 {
		return nil
	}
	l := &moduleLoader{root: m.files, installed: m.installedModules(), loaded: map[string]*Module{}, loading: map[string]bool{m.files.dir: true}}
	return l.loadCalls(m, "", ".", 0)
}

// FetchModules gets, through f, the modules of remote sources that
// `terraform init` has not installed, and the modules they call. A source
// that cannot be fetched is an error at its module block.
func (m *Module) FetchModules(ctx context.Context, f ModuleFetcher) hcl.Diagnostics {
	var diags hcl.Diagnostics
	l := &moduleLoader{loaded: map[string]*Module{}, loading: map[string]bool{}}
	var visit func(mod *Module, depth int)
	visit = func(mod *Module, depth int) {
		for _, name := range slices.Sorted(maps.Keys(mod.modules)) {
			mc := mod.modules[name]
			if mc.Module == nil && mc.remote && depth < maxModuleDepth {
				fetched, err := f.FetchModule(ctx, mc.Source, mc.Version)
				if err != nil {
					mc.Unread = fmt.Sprintf("fetching %q failed", mc.Source)
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Failed to fetch module",
						Detail:   fmt.Sprintf("Module %q: %v.", mc.Name, strings.TrimSuffix(err.Error(), ".")),
						Subject:  mc.SourceRange.Ptr(),
					})
					continue
				}
				mc.Unread, mc.pathModule = "", "."
				files, ok := packageFiles(fetched, fetched.Subdir)
				if !ok {
					mc.Unread = fmt.Sprintf("%q is not a directory of its package", fetched.Subdir)
					continue
				}
				diags = append(diags, l.loadCall(mc, files, "", depth)...)
			}
			if mc.Module != nil {
				visit(mc.Module, depth+1)
			}
		}
	}
	visit(m, 0)
	return diags
}

// relativePath is the slash-separated path of to relative to from, both
// relative to one root.
func relativePath(from, to string) string {
	rel, err := filepath.Rel(filepath.FromSlash(from), filepath.FromSlash(to))
	if err != nil {
		return to
	}
	return filepath.ToSlash(rel)
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
	if mf.pkg != nil {
		return packageFiles(mf.pkg, path.Join(mf.pkgDir, rel))
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

// packageFiles are the files of the directory dir of a fetched module's
// package; ok is false when dir leaves the package.
func packageFiles(pkg *FetchedModule, dir string) (moduleFiles, bool) {
	dir = path.Clean(dir)
	if dir == "" {
		dir = "."
	}
	if !fs.ValidPath(dir) {
		return moduleFiles{}, false
	}
	sub, err := fs.Sub(pkg.Package, dir)
	if err != nil {
		return moduleFiles{}, false
	}
	return moduleFiles{fsys: sub, dir: pkg.Name(dir), pkg: pkg, pkgDir: dir}, true
}

// inDataDir reports whether a directory of modules.json (relative to the
// root module) is one `terraform init` installed a module in, under
// .terraform/: the manifest also lists every local module call, at its
// own directory in the repository (Key "buckets", Dir "modules/bucket"),
// whose files are the repository's.
func inDataDir(dir string) bool {
	dir = path.Clean(dir)
	return dir == ".terraform" || strings.HasPrefix(dir, ".terraform/")
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

// decodeModuleCall reads a module block: its literal source and version,
// count or for_each, the providers it passes, and its inputs.
func decodeModuleCall(b *hcl.Block) (*moduleCall, hcl.Diagnostics) {
	mc := &moduleCall{Name: b.Labels[0], DeclRange: b.DefRange, Inputs: hcl.Attributes{}}
	attrs, diags := b.Body.JustAttributes()
	literal := func(a *hcl.Attribute, what string) string {
		v, d := a.Expr.Value(nil)
		if d.HasErrors() || v.Type() != cty.String || v.IsNull() || !v.IsKnown() {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid module " + what,
				Detail:   fmt.Sprintf("The module %s must be a literal string.", what),
				Subject:  a.Expr.Range().Ptr(),
			})
			return ""
		}
		return v.AsString()
	}
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		a := attrs[name]
		switch name {
		case "source":
			mc.Source, mc.SourceRange = literal(a, "source"), a.Expr.Range()
		case "version":
			mc.Version = literal(a, "version")
		case "count":
			mc.Count = a.Expr
		case "for_each":
			mc.ForEach = a.Expr
		case "providers":
			diags = append(diags, mc.decodeProviders(a)...)
		case "depends_on":
		default:
			mc.Inputs[name] = a
		}
	}
	if mc.Count != nil && mc.ForEach != nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  `Invalid combination of "count" and "for_each"`,
			Detail:   `The "count" and "for_each" meta-arguments are mutually-exclusive, only one should be used.`,
			Subject:  mc.ForEach.Range().Ptr(),
		})
	}
	if _, ok := attrs["source"]; !ok {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing required argument",
			Detail:   `The argument "source" is required, but no definition was found.`,
			Subject:  b.DefRange.Ptr(),
		})
	}
	return mc, diags
}

// decodeProviders reads `providers = { aws = aws.west, aws.east = aws }`.
func (mc *moduleCall) decodeProviders(a *hcl.Attribute) hcl.Diagnostics {
	pairs, diags := hcl.ExprMap(a.Expr)
	if diags.HasErrors() {
		return diags
	}
	mc.Providers = map[ProviderRef]ProviderRef{}
	for _, p := range pairs {
		in, d := parseProviderRef(p.Key)
		diags = append(diags, d...)
		out, d2 := parseProviderRef(p.Value)
		diags = append(diags, d2...)
		if !d.HasErrors() && !d2.HasErrors() {
			mc.Providers[in] = out
		}
	}
	return diags
}

// providerUse is a block of the tree and the root module's provider
// configuration it uses.
type providerUse struct {
	addr  string // the block's address without instance keys
	ref   ProviderRef
	block *resourceBlock
}

// providerUses lists every resource and data block of the tree whose
// provider configuration resolves to one of the root module's, root
// module first, each module's blocks by address.
func (m *Module) providerUses() []providerUse {
	var out []providerUse
	var visit func(mod *Module, prefix string, pm *providerMapping)
	visit = func(mod *Module, prefix string, pm *providerMapping) {
		for _, b := range mod.sortedBlocks() {
			if ref, why := pm.resolve(b.Provider); why == "" {
				out = append(out, providerUse{addr: joinAddress(prefix, b.addr()), ref: ref, block: b})
			}
		}
		for _, name := range slices.Sorted(maps.Keys(mod.modules)) {
			if mc := mod.modules[name]; mc.Module != nil {
				visit(mc.Module, joinAddress(prefix, "module."+name), pm.child(mc))
			}
		}
	}
	visit(m, "", &providerMapping{mod: m})
	return out
}

// calledTypes are the managed resource types the called modules declare,
// sorted.
func (m *Module) calledTypes() []string {
	seen := map[string]bool{}
	for _, mod := range m.tree()[1:] {
		for _, b := range mod.resources {
			seen[b.Type] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// Foreign reports whether a file (named as in ranges) is of a module that
// `terraform init` installed or driftctl fetched: not of the scanned
// repository, so not to blame.
func (m *Module) Foreign(filename string) bool {
	for _, mod := range m.tree() {
		if _, ok := mod.sourceFiles[filename]; ok {
			return mod.fetched || mod.installed
		}
	}
	return false
}

// moduleName names the scope's module in diagnostics.
func (s *scope) moduleName() string {
	if s.call == nil {
		return "the root module"
	}
	return s.path
}
