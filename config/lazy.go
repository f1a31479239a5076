package config

import (
	"fmt"
	"hash/fnv"
	"io/fs"
	"slices"
	"sync"

	"github.com/zclconf/go-cty/cty"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// A large configuration's syntax trees take far more memory than its
// source (about ten times), and its source more than what evaluation
// needs of it: a Module keeps where each resource block written in the
// native syntax is, reads its file again (a few recently read files are
// cached) and parses the block when it is evaluated, so that only the
// blocks being evaluated have a tree. The parse starts at the block's
// position in its file, so every range is the one the first parse gave. A
// file that changed since it was loaded is an error, never another file's
// configuration.

// sourceFile is a native-syntax file of a module, as it was loaded.
type sourceFile struct {
	name    string // in the module's fs.FS
	path    string // as diagnostics and ranges name it
	size    int
	sum     uint64 // FNV-64a of its bytes
	sources *sources
	// nav is the parsed file's Nav when it had errors (the module is not
	// evaluated then, so keeping it costs nothing): Files gives it to the
	// diagnostic printer rather than parsing a broken file again.
	nav any
}

func fileSum(src []byte) uint64 {
	h := fnv.New64a()
	_, _ = h.Write(src)
	return h.Sum64()
}

// sources reads a module's native-syntax files again, keeping the few
// read last.
type sources struct {
	files moduleFiles
	mu    sync.Mutex
	// recent are the last files read, the most recent first.
	recent []cachedSource
}

type cachedSource struct {
	file *sourceFile
	src  []byte
}

// recentSources is how many files sources keeps: evaluation goes through
// the blocks in order and into the few files their references lead to.
const recentSources = 4

// read returns f's bytes, or an error when they are not those loaded.
func (s *sources) read(f *sourceFile) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, c := range s.recent {
		if c.file == f {
			copy(s.recent[1:i+1], s.recent[:i])
			s.recent[0] = c
			return c.src, nil
		}
	}
	src, err := fs.ReadFile(s.files.fsys, f.name)
	if err != nil {
		return nil, fmt.Errorf("reading %s again: %w", f.path, err)
	}
	if len(src) != f.size || fileSum(src) != f.sum {
		return nil, fmt.Errorf("%s changed while it was scanned", f.path)
	}
	if len(s.recent) < recentSources {
		s.recent = append(s.recent, cachedSource{})
	}
	copy(s.recent[1:], s.recent[:len(s.recent)-1])
	s.recent[0] = cachedSource{file: f, src: src}
	return src, nil
}

// lazyBody is where a resource block is written, to parse it on demand:
// from its DeclRange's start (its type keyword) to end, the byte after its
// closing brace. It is kept for every block: it holds no more.
type lazyBody struct {
	file *sourceFile
	end  int
}

// syntaxBlocks indexes the top-level blocks of a native-syntax file by
// the offset of their type keyword; nil for another file.
func syntaxBlocks(f *hcl.File) map[int]*hclsyntax.Block {
	fb, ok := f.Body.(*hclsyntax.Body)
	if !ok || f.Bytes == nil {
		return nil
	}
	m := make(map[int]*hclsyntax.Block, len(fb.Blocks))
	for _, b := range fb.Blocks {
		m[b.TypeRange.Start.Byte] = b
	}
	return m
}

// lazyBodyOf returns where b is, a block of file (parsed as f without
// errors, whose blocks are blocks); nil when b is not one of them.
func lazyBodyOf(b *hcl.Block, f *hcl.File, blocks map[int]*hclsyntax.Block, file *sourceFile) *lazyBody {
	blk := blocks[b.TypeRange.Start.Byte]
	if blk == nil || blk.TypeRange != b.TypeRange || hcl.Body(blk.Body) != b.Body || file == nil {
		// Not the file's block as written (an override merged into it).
		return nil
	}
	start, end := blk.Range().Start, blk.Range().End
	if start != b.DefRange.Start || start.Byte < 0 || end.Byte > len(f.Bytes) || start.Byte >= end.Byte {
		return nil
	}
	return &lazyBody{file: file, end: end.Byte}
}

// parse reads and parses the block again and returns what remains of its
// body once the meta-arguments are taken out, as decodeResource does.
func (l *lazyBody) parse(declRange hcl.Range) (hcl.Body, hcl.Diagnostics) {
	src, err := l.file.sources.read(l.file)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Configuration changed during the scan",
			Detail:   err.Error() + "; scan again.",
			Subject:  declRange.Ptr(),
		}}
	}
	start := declRange.Start
	f, diags := hclsyntax.ParseConfig(src[start.Byte:l.end:l.end], l.file.path, start)
	if diags.HasErrors() || f == nil {
		// The file is the one that parsed when the module was loaded.
		panic("config: a block that parsed once does not parse again: " + diags.Error())
	}
	content, _ := f.Body.Content(fileSchema)
	if len(content.Blocks) != 1 {
		panic("config: a block parsed again is not one block")
	}
	_, remain, _ := content.Blocks[0].Body.PartialContent(resourceMetaSchema)
	return remain, nil
}

// body is the block's body without its meta-arguments.
func (r *resourceBlock) body() (hcl.Body, hcl.Diagnostics) {
	if r.lazy != nil {
		return r.lazy.parse(r.DeclRange)
	}
	return r.Body, nil
}

// writtenNames adds to seen the top-level attributes and blocks of body
// (a dynamic block by its label) that schema has.
func writtenNames(body hcl.Body, schema *hcl.BodySchema, seen map[string]bool) {
	content, _, _ := body.PartialContent(schema)
	if content == nil {
		return
	}
	for name := range content.Attributes {
		seen[name] = true
	}
	for _, blk := range content.Blocks {
		seen[blockName(blk.Type, blk.Labels)] = true
	}
}

// blockName is what a nested block writes: its type, or a dynamic
// block's label.
func blockName(typ string, labels []string) string {
	if typ == "dynamic" && len(labels) == 1 {
		return labels[0]
	}
	return typ
}

// rawWrittenNames adds to seen every top-level attribute and block name of
// a native-syntax body (a dynamic block by its label): WrittenAttributes
// keeps those the type's schema has.
func rawWrittenNames(body hcl.Body, seen map[string]bool) bool {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		return false
	}
	for name := range sb.Attributes {
		seen[name] = true
	}
	for _, blk := range sb.Blocks {
		seen[blockName(blk.Type, blk.Labels)] = true
	}
	return true
}

// schemaHas reports whether name is an attribute or a block type of
// schema (a resource's meta-arguments are neither).
func schemaHas(schema *hcl.BodySchema, name string) bool {
	for _, a := range schema.Attributes {
		if a.Name == name {
			return true
		}
	}
	for _, b := range schema.Blocks {
		if b.Type == name && b.Type != "dynamic" {
			return true
		}
	}
	return false
}

// noteReferences records the resources that the expressions of f refer
// to, and how (refUse). An evaluation keeps the value of those only: a
// resource nothing refers to is compared and forgotten.
func (m *Module) noteReferences(f *hcl.File) {
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		m.referencedAll = true
		return
	}
	_ = hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
		st, ok := n.(*hclsyntax.ScopeTraversalExpr)
		if !ok {
			return nil
		}
		name, ok := traversalName(st.Traversal, 1)
		if !ok {
			return nil
		}
		key := st.Traversal.RootName() + "." + name
		u := useOf(st.Traversal)
		if u.first != "" {
			u.first = m.intern(u.first)
		}
		if u.next != "" {
			u.next = m.intern(u.next)
		}
		if uses := m.referenced[key]; !slices.Contains(uses, u) {
			m.referenced[key] = append(uses, u)
		}
		return nil
	})
}

// refUse is how a reference TYPE.NAME... goes on: what it names at its
// third step (an attribute first, or an index of kind index) and the
// attribute after it, next. Whether aws_x.y.a.id names attribute a of one
// instance or attribute id of the for_each instance "a" depends on the
// block, which may be in another file: keptValue decides.
type refUse struct {
	first string // TYPE.NAME.first
	index byte   // TYPE.NAME[number] 'n', TYPE.NAME["string"] 's'; 0 for neither
	next  string // the attribute after the third step
}

func useOf(t hcl.Traversal) refUse {
	var u refUse
	if len(t) > 2 {
		switch s := t[2].(type) {
		case hcl.TraverseAttr:
			u.first = s.Name
		case hcl.TraverseIndex:
			switch {
			case s.Key.Type() == cty.Number:
				u.index = 'n'
			case s.Key.Type() == cty.String:
				u.index = 's'
			default:
				u.index = '?'
			}
		}
	}
	if len(t) > 3 {
		if a, ok := t[3].(hcl.TraverseAttr); ok {
			u.next = a.Name
		}
	}
	return u
}

// keptAttributes are the attributes of b's instances that its references
// name, or nil when one may use an instance (or the whole value) whole:
// aws_vpc.main.id for a single resource, aws_x.y[0].id for count,
// aws_x.y["a"].id and aws_x.y.a.id for for_each.
func keptAttributes(b *resourceBlock, uses []refUse) []string {
	var attrs []string
	for _, u := range uses {
		var attr string
		switch {
		case b.Count == nil && b.ForEach == nil && u.first != "":
			attr = u.first
		case b.Count != nil && u.index == 'n' && u.next != "":
			attr = u.next
		case b.ForEach != nil && (u.index == 's' || u.first != "") && u.next != "":
			attr = u.next
		default:
			return nil
		}
		if !slices.Contains(attrs, attr) {
			attrs = append(attrs, attr)
		}
	}
	return attrs
}

// intern returns one copy of the strings a module repeats in every block
// (attribute names, resource types).
func (m *Module) intern(s string) string {
	if i, ok := m.names[s]; ok {
		return i
	}
	m.names[s] = s
	return s
}

// isReferenced reports whether an expression may refer to the managed
// resource addr ("TYPE.NAME").
func (m *Module) isReferenced(addr string) bool {
	_, ok := m.referenced[addr]
	return m.referencedAll || ok
}

// keptValue is what an evaluation keeps of a managed resource's value for
// the references to it: nothing when there is none, and only the
// attributes they name when each names one (aws_vpc.main.id).
func (m *Module) keptValue(b *resourceBlock, v cty.Value) cty.Value {
	if m.referencedAll {
		return v
	}
	uses, ok := m.referenced[b.addr()]
	if !ok {
		return cty.DynamicVal
	}
	attrs := keptAttributes(b, uses)
	if attrs == nil || !v.IsKnown() || v.IsNull() || v.IsMarked() {
		return v
	}
	instance := func(o cty.Value) cty.Value {
		if !o.Type().IsObjectType() || !o.IsKnown() || o.IsNull() || o.IsMarked() {
			return o
		}
		kept := make(map[string]cty.Value, len(attrs))
		for _, name := range attrs {
			if o.Type().HasAttribute(name) {
				kept[name] = o.GetAttr(name)
			}
		}
		return cty.ObjectVal(kept)
	}
	switch {
	case b.Count != nil && v.Type().IsTupleType():
		elems := make([]cty.Value, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			elems = append(elems, instance(e))
		}
		if len(elems) == 0 {
			return v
		}
		return cty.TupleVal(elems)
	case b.ForEach != nil && v.Type().IsObjectType():
		insts := make(map[string]cty.Value, len(v.Type().AttributeTypes()))
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			insts[k.AsString()] = instance(e)
		}
		return cty.ObjectVal(insts)
	case b.Count == nil && b.ForEach == nil:
		return instance(v)
	}
	return v
}

// lazyNav is the Nav of a native-syntax file whose tree is not kept: the
// diagnostic printer asks it for the block around a position ("in
// resource ..."), and it parses the file the first time it is asked.
type lazyNav struct {
	src      []byte
	filename string
	once     sync.Once
	nav      any
}

func (n *lazyNav) parsed() any {
	n.once.Do(func() {
		if checkConfigNesting(n.src, n.filename).HasErrors() {
			return
		}
		if f, _ := hclsyntax.ParseConfig(n.src, n.filename, hcl.InitialPos); f != nil {
			n.nav = f.Nav
		}
	})
	return n.nav
}

// ContextString is hclsyntax's description of the block around offset.
func (n *lazyNav) ContextString(offset int) string {
	if c, ok := n.parsed().(interface{ ContextString(int) string }); ok {
		return c.ContextString(offset)
	}
	return ""
}

// ContextDefRange is hclsyntax's definition range of the block around
// offset.
func (n *lazyNav) ContextDefRange(offset int) hcl.Range {
	if c, ok := n.parsed().(interface{ ContextDefRange(int) hcl.Range }); ok {
		return c.ContextDefRange(offset)
	}
	return hcl.Range{}
}
