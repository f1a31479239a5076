package config

import (
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Module is a parsed directory of Terraform language files. It holds the
// declarations, not their values: an Evaluator evaluates them.
type Module struct {
	// Dir is the directory the files were read from, as given to Load or
	// LoadFS: file names in diagnostics and ranges start with it.
	Dir string
	// Backend is the terraform { backend "..." } block, nil when there is
	// none.
	Backend *Backend

	files  moduleFiles
	parser *hclparse.Parser
	// sources reads the native-syntax files again (see lazyBody);
	// sourceFiles are those files by path.
	sources     *sources
	sourceFiles map[string]*sourceFile
	// written are the top-level names written in the native-syntax
	// resource blocks of each type (WrittenAttributes).
	written map[string]map[string]bool
	// referenced are the "TYPE.NAME" of the resources some expression
	// refers to, with how they go on (see keptAttributes); with
	// referencedAll (a JSON file, whose expressions are not walked) every
	// resource may be, wholly.
	referenced    map[string][]refUse
	referencedAll bool
	names         map[string]string // see intern
	variables     map[string]*variable
	locals        map[string]*local
	providers     []*providerBlock
	resources     map[string]*resourceBlock // "TYPE.NAME"
	data          map[string]*resourceBlock // "TYPE.NAME", without "data."
	modules       map[string]*moduleCall
	outputs       map[string]*output
	imports       []*importBlock
	moves         []*Move
	// providerTypes are the types of the local names required_providers
	// gives a source ("awsprod" = { source = "hashicorp/aws" } is "aws").
	providerTypes map[string]string
	// requiredProviders are required_providers' entries by local name.
	requiredProviders map[string]requiredProvider
	// fetched is true for a module a ModuleFetcher got, whose file
	// functions read its own files.
	fetched bool
	// installed is true for a module `terraform init` installed (see
	// Foreign).
	installed bool
	// overrides are the blocks of the override files; nil without any.
	overrides *overrides
}

// Load parses every .tf and .tf.json file in dir (not its subdirectories)
// into a Module, with the override files merged in as Terraform does, and
// the modules it calls. The Module is returned even when diagnostics hold
// errors, with what could be decoded.
func Load(dir string) (*Module, hcl.Diagnostics) { return loadRoot(diskFiles(dir)) }

// LoadFS is Load for the files of fsys's root directory (a Git commit's
// tree): file names are shown as dir joined with their name, with slashes.
// file() and templatefile() read from fsys too.
func LoadFS(fsys fs.FS, dir string) (*Module, hcl.Diagnostics) {
	return loadRoot(moduleFiles{fsys: fsys, dir: dir})
}

// LoadTree is LoadFS for the directory dir (slash-separated, "" for the
// root) of a repository's tree: the module's local module calls and file
// functions may reach elsewhere in the tree (../../modules/vpc), never
// outside it. A file is shown as name says (its path in the tree).
func LoadTree(tree fs.FS, dir string, name func(file string) string) (*Module, hcl.Diagnostics) {
	files, ok := packageFiles(&FetchedModule{Package: tree, Subdir: dir, Name: name, repository: true}, dir)
	if !ok {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Failed to read module directory", Detail: fmt.Sprintf("%q is not a directory of the repository", dir)}}
	}
	return loadRoot(files)
}

// loadRoot loads a root module and the modules it calls.
func loadRoot(files moduleFiles) (*Module, hcl.Diagnostics) {
	m, diags := load(files)
	return m, append(diags, m.loadModules()...)
}

func load(files moduleFiles) (*Module, hcl.Diagnostics) {
	m := &Module{
		Dir:         files.dir,
		files:       files,
		parser:      hclparse.NewParser(),
		sources:     &sources{files: files},
		sourceFiles: map[string]*sourceFile{},
		written:     map[string]map[string]bool{},
		referenced:  map[string][]refUse{},
		names:       map[string]string{},
		variables:   map[string]*variable{},
		locals:      map[string]*local{},
		resources:   map[string]*resourceBlock{},
		data:        map[string]*resourceBlock{},
		modules:     map[string]*moduleCall{},
		outputs:     map[string]*output{},
	}
	entries, err := files.readDir()
	if err != nil {
		return m, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Failed to read module directory",
			Detail:   fmt.Sprintf("reading %s: %v", files.dir, err),
		}}
	}
	var primary, override []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || ignoredFile(name) || !strings.HasSuffix(name, ".tf") && !strings.HasSuffix(name, ".tf.json") {
			continue
		}
		if overrideFile(name) {
			override = append(override, name)
			continue
		}
		primary = append(primary, name)
	}
	// The override files are read first: their blocks merge into the
	// primary files' as these are decoded (override.go).
	overrideDiags := m.readOverrides(override)
	var diags hcl.Diagnostics
	for _, name := range primary {
		f, d := m.parseFile(name, files.display(name))
		diags = append(diags, d...)
		if f == nil || f.Body == nil {
			continue
		}
		diags = append(diags, m.decodeFile(f, !d.HasErrors())...)
	}
	diags = append(diags, overrideDiags...)
	diags = append(diags, m.finishOverrides()...)
	return m, diags
}

// parseFile parses a file of the module, named path in diagnostics.
func (m *Module) parseFile(name, path string) (*hcl.File, hcl.Diagnostics) {
	src, err := fs.ReadFile(m.files.fsys, name)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Failed to read file",
			Detail:   fmt.Sprintf("reading %s: %v", path, err),
		}}
	}
	if strings.HasSuffix(name, ".json") {
		if diags := checkJSONNesting(src, path); diags.HasErrors() {
			return nil, diags
		}
		return m.parser.ParseJSON(src, path)
	}
	sf := &sourceFile{name: name, path: path, size: len(src), sum: fileSum(src), sources: m.sources}
	m.sourceFiles[path] = sf
	if diags := checkConfigNesting(src, path); diags.HasErrors() {
		sf.nav = struct{}{} // no block context: the file is not parsed
		return nil, diags
	}
	f, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	if diags.HasErrors() && f != nil {
		sf.nav = f.Nav
	}
	return f, diags
}

// ignoredFile reports editor and hidden files, which Terraform skips too.
func ignoredFile(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") ||
		(strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#"))
}

// Files are the parsed sources by file name, for printing diagnostics with
// hcl.NewDiagnosticTextWriter. It includes variable files read by an
// Evaluator.
func (m *Module) Files() map[string]*hcl.File {
	files := map[string]*hcl.File{}
	for _, mod := range m.tree() {
		mod.addFiles(files)
	}
	return files
}

func (m *Module) addFiles(files map[string]*hcl.File) {
	for path, sf := range m.sourceFiles {
		// Read again: a module does not keep its files' bytes.
		if src, err := fs.ReadFile(m.files.fsys, sf.name); err == nil {
			var nav any = &lazyNav{src: src, filename: path}
			if sf.nav != nil {
				nav = sf.nav
			}
			files[path] = &hcl.File{Bytes: src, Nav: nav}
		}
	}
	for name, f := range m.parser.Files() {
		files[name] = f
	}
}

// ResourceBlocks is the number of managed resource blocks (before count
// and for_each expansion) of the module and the modules it calls, each
// module counted once.
func (m *Module) ResourceBlocks() int {
	n := 0
	for _, mod := range m.tree() {
		n += len(mod.resources)
	}
	return n
}

// ResourceAddresses are the module's own managed resource blocks,
// TYPE.NAME (before count and for_each expansion: a block of count = 0
// is there), sorted.
func (m *Module) ResourceAddresses() []string {
	return slices.Sorted(maps.Keys(m.resources))
}

// Empty reports whether the configuration declares no managed resource,
// in the module or a module it calls, and no import block: there is
// nothing to compare (data sources, variables and outputs alone describe
// nothing in the cloud). A wrong directory or path looks like this. A
// module that is not read may declare some: then it is not empty.
func (m *Module) Empty() bool {
	if len(m.imports) > 0 || len(m.UnreadModules()) > 0 {
		return false
	}
	for _, mod := range m.tree() {
		if len(mod.resources) > 0 {
			return false
		}
	}
	return true
}

// ResourceTypes lists, for each of the root module's provider
// configurations, the managed resource types that use it, in the module
// or a module it calls, sorted and without duplicates. A block's provider
// is its `provider` argument or else the type's prefix before the first
// "_", passed down from the calling modules.
func (m *Module) ResourceTypes() map[ProviderRef][]string {
	seen := map[ProviderRef]map[string]bool{}
	for _, u := range m.providerUses() {
		if u.block.Data {
			continue
		}
		if seen[u.ref] == nil {
			seen[u.ref] = map[string]bool{}
		}
		seen[u.ref][u.block.Type] = true
	}
	out := make(map[ProviderRef][]string, len(seen))
	for ref, types := range seen {
		out[ref] = slices.Sorted(maps.Keys(types))
	}
	return out
}

// TypesByProvider lists, by provider type, the resource types and data
// sources ("data.TYPE") the whole module tree uses through it, sorted.
func (m *Module) TypesByProvider() map[string][]string {
	seen := map[string]map[string]bool{}
	for _, u := range m.providerUses() {
		typ := m.ProviderType(u.ref.Name)
		if seen[typ] == nil {
			seen[typ] = map[string]bool{}
		}
		t := u.block.Type
		if u.block.Data {
			t = "data." + t
		}
		seen[typ][t] = true
	}
	out := make(map[string][]string, len(seen))
	for typ, types := range seen {
		out[typ] = slices.Sorted(maps.Keys(types))
	}
	return out
}

// decodeFile decodes the blocks of f; lazy says its resource blocks may
// be parsed again on demand (the file parsed without errors).
func (m *Module) decodeFile(f *hcl.File, lazy bool) hcl.Diagnostics {
	content, diags := f.Body.Content(fileSchema)
	var blocks map[int]*hclsyntax.Block
	if lazy {
		blocks = syntaxBlocks(f)
	}
	m.noteReferences(f)
	for _, b := range content.Blocks {
		b = m.merged(b)
		switch b.Type {
		case "terraform":
			diags = append(diags, m.decodeTerraform(b)...)
		case "provider":
			p, d := decodeProvider(b)
			diags = append(diags, d...)
			if p != nil {
				for _, o := range m.providers {
					if o.Ref == p.Ref {
						diags = append(diags, duplicate("provider configuration", p.Ref.String(), o.DeclRange, b.DefRange))
					}
				}
				m.providers = append(m.providers, p)
			}
		case "variable":
			v, d := decodeVariable(b)
			diags = append(diags, d...)
			if o, ok := m.variables[v.Name]; ok {
				diags = append(diags, duplicate("variable", v.Name, o.DeclRange, b.DefRange))
				continue
			}
			m.variables[v.Name] = v
		case "locals":
			attrs, d := b.Body.JustAttributes()
			diags = append(diags, d...)
			for name, a := range attrs {
				if o, ok := m.locals[name]; ok {
					diags = append(diags, duplicate("local value", name, o.DeclRange, a.Range))
					continue
				}
				m.locals[name] = &local{Name: name, Expr: a.Expr, DeclRange: a.Range}
			}
		case "resource", "data":
			r, d := decodeResource(b)
			diags = append(diags, d...)
			target, what := m.resources, "resource"
			if r.Data {
				target, what = m.data, "data source"
			}
			key := r.Type + "." + r.Name
			if o, ok := target[key]; ok {
				diags = append(diags, duplicate(what, key, o.DeclRange, b.DefRange))
				continue
			}
			r.Type = m.intern(r.Type)
			target[key] = r
			if r.Data {
				continue
			}
			if r.lazy = lazyBodyOf(b, f, blocks, m.sourceFiles[b.TypeRange.Filename]); r.lazy != nil {
				if m.written[r.Type] == nil {
					m.written[r.Type] = map[string]bool{}
				}
				rawWrittenNames(b.Body, m.written[r.Type])
				r.Body = nil
			}
		case "module":
			name := b.Labels[0]
			if o, ok := m.modules[name]; ok {
				diags = append(diags, duplicate("module call", name, o.DeclRange, b.DefRange))
				continue
			}
			mc, d := decodeModuleCall(b)
			diags = append(diags, d...)
			m.modules[name] = mc
		case "output":
			o, d := decodeOutput(b)
			diags = append(diags, d...)
			if prev, ok := m.outputs[o.Name]; ok {
				diags = append(diags, duplicate("output", o.Name, prev.DeclRange, b.DefRange))
				continue
			}
			m.outputs[o.Name] = o
		case "import":
			i, d := decodeImport(b)
			diags = append(diags, d...)
			if i != nil {
				m.imports = append(m.imports, i)
			}
		case "moved":
			mv, d := decodeMoved(b)
			diags = append(diags, d...)
			if mv != nil {
				m.moves = append(m.moves, mv)
			}
		case "check", "removed":
			// Accepted and ignored: they say nothing about desired resources.
		}
	}
	return diags
}

func duplicate(what, name string, first, again hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Duplicate %s", what),
		Detail:   fmt.Sprintf("A %s named %q was already declared at %s.", what, name, first.String()),
		Subject:  again.Ptr(),
	}
}

func (m *Module) decodeTerraform(b *hcl.Block) hcl.Diagnostics {
	content, diags := b.Body.Content(terraformSchema)
	for _, bb := range content.Blocks {
		if bb.Type == "required_providers" {
			diags = append(diags, m.decodeRequiredProviders(bb)...)
			continue
		}
		if bb.Type != "backend" && bb.Type != "cloud" {
			continue
		}
		typ := "cloud"
		if bb.Type == "backend" {
			typ = bb.Labels[0]
		}
		if m.Backend != nil {
			diags = append(diags, duplicate("backend configuration", typ, m.Backend.DeclRange, bb.DefRange))
			continue
		}
		be := &Backend{Type: typ, Config: map[string]string{}, DeclRange: bb.DefRange}
		var decoded []hcl.Range
		if typ == "cloud" || typ == "remote" {
			// HCP Terraform's workspaces { name | prefix | tags } block.
			content, _, d := bb.Body.PartialContent(workspacesSchema)
			diags = append(diags, d...)
			for _, wb := range content.Blocks {
				diags = append(diags, decodeBackendSettings(be.Config, "workspaces.", wb.Body, "workspaces", nil)...)
				decoded = append(decoded, wb.TypeRange)
			}
		}
		diags = append(diags, decodeBackendSettings(be.Config, "", bb.Body, "backend", decoded)...)
		m.Backend = be
	}
	return diags
}

// decodeRequiredProviders records the provider type of each local name
// that required_providers gives a source. An entry that is a string (a
// version constraint, before Terraform 0.13) keeps its local name's type.
func (m *Module) decodeRequiredProviders(b *hcl.Block) hcl.Diagnostics {
	attrs, diags := b.Body.JustAttributes()
	for name, a := range attrs {
		v, d := a.Expr.Value(nil)
		if d.HasErrors() || v.IsNull() || !v.IsKnown() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
			continue
		}
		if v.Type().IsObjectType() && !v.Type().HasAttribute("source") {
			continue
		}
		src := v.GetAttr("source")
		if v.Type().IsMapType() {
			src = v.Index(cty.StringVal("source"))
		}
		if src.IsNull() || !src.IsKnown() || src.Type() != cty.String {
			continue
		}
		source := src.AsString()
		typ := strings.ToLower(source[strings.LastIndex(source, "/")+1:])
		version := ""
		if ver := attrOf(v, "version"); ver.Type() == cty.String && ver.IsKnown() && !ver.IsNull() {
			version = ver.AsString()
		}
		if typ == "" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid provider source",
				Detail:   fmt.Sprintf("The source %q of provider %q names no provider type: expected NAMESPACE/TYPE or HOST/NAMESPACE/TYPE.", source, name),
				Subject:  a.Expr.Range().Ptr(),
			})
			continue
		}
		if m.providerTypes == nil {
			m.providerTypes = map[string]string{}
		}
		m.providerTypes[name] = typ
		if m.requiredProviders == nil {
			m.requiredProviders = map[string]requiredProvider{}
		}
		m.requiredProviders[name] = requiredProvider{source: source, version: version}
	}
	return diags
}

// providerLocalNames are the provider local names the module uses: in
// required_providers, provider blocks, and resources' and data sources'
// providers (a type's prefix by default).
func (m *Module) providerLocalNames() []string {
	names := map[string]bool{}
	for name := range m.providerTypes {
		names[name] = true
	}
	for _, p := range m.providers {
		names[p.Ref.Name] = true
	}
	for _, bs := range []map[string]*resourceBlock{m.resources, m.data} {
		for _, b := range bs {
			names[b.Provider.Name] = true
		}
	}
	return slices.Sorted(maps.Keys(names))
}

// ProviderType is the provider type of a local name: the last part of its
// required_providers source, else the local name itself.
func (m *Module) ProviderType(local string) string {
	if t, ok := m.providerTypes[local]; ok {
		return t
	}
	return local
}

// justAttributes reads the attributes of a body that may also hold nested
// blocks (an s3 backend's assume_role), warning that the blocks are ignored.
func justAttributes(body hcl.Body, what string) (hcl.Attributes, hcl.Diagnostics) {
	attrs, diags := body.JustAttributes()
	var keep hcl.Diagnostics
	for _, d := range diags {
		if strings.HasPrefix(d.Summary, "Unexpected \"") && strings.HasSuffix(d.Summary, "\" block") {
			keep = append(keep, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  fmt.Sprintf("Nested blocks in a %s block are ignored", what),
				Detail:   d.Detail,
				Subject:  d.Subject,
			})
			continue
		}
		keep = append(keep, d)
	}
	return attrs, keep
}

func decodeProvider(b *hcl.Block) (*providerBlock, hcl.Diagnostics) {
	content, remain, diags := b.Body.PartialContent(providerMetaSchema)
	p := &providerBlock{Ref: ProviderRef{Name: b.Labels[0]}, Body: remain, DeclRange: b.DefRange}
	if a, ok := content.Attributes["alias"]; ok {
		v, d := a.Expr.Value(nil)
		diags = append(diags, d...)
		if !d.HasErrors() {
			if v.Type() != cty.String || v.IsNull() || !hclValidName(v.AsString()) {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid provider alias",
					Detail:   "An alias must be a valid name: a letter or underscore followed by letters, digits, underscores and dashes.",
					Subject:  a.Expr.Range().Ptr(),
				})
			} else {
				p.Ref.Alias = v.AsString()
			}
		}
	}
	return p, diags
}

func hclValidName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !letter && (i == 0 || !(r == '-' || (r >= '0' && r <= '9'))) {
			return false
		}
	}
	return true
}

// parseProviderRef reads a `provider = aws.west` argument.
func parseProviderRef(expr hcl.Expression) (ProviderRef, hcl.Diagnostics) {
	trav, diags := hcl.AbsTraversalForExpr(expr)
	if diags.HasErrors() {
		return ProviderRef{}, diags
	}
	ref := ProviderRef{Name: trav.RootName()}
	switch len(trav) {
	case 1:
	case 2:
		if a, ok := trav[1].(hcl.TraverseAttr); ok {
			ref.Alias = a.Name
			break
		}
		fallthrough
	default:
		return ref, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid provider reference",
			Detail:   "A provider reference is a provider name, optionally followed by a dot and an alias: aws or aws.west.",
			Subject:  expr.Range().Ptr(),
		}}
	}
	return ref, nil
}

// WrittenAttributes lists the top-level attributes and blocks that the
// configuration writes in any resource of a type (dynamic blocks count by
// their label), sorted. A provider may skip reading optional+computed
// attributes that no configuration writes: they are never compared.
func (m *Module) WrittenAttributes(typ string, schemas SchemaSource) []string {
	spec, ok := schemas.ResourceSpec(typ)
	if !ok {
		return nil
	}
	schema := hcldec.ImpliedSchema(spec)
	schema.Blocks = append(schema.Blocks, hcl.BlockHeaderSchema{Type: "dynamic", LabelNames: []string{"name"}})
	seen := map[string]bool{}
	for _, mod := range m.tree() {
		for _, b := range mod.resources {
			if b.Type == typ && b.lazy == nil {
				writtenNames(b.Body, schema, seen)
			}
		}
		for name := range mod.written[typ] {
			if schemaHas(schema, name) {
				seen[name] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
