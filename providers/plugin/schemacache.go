package plugin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/google/renameio/v2"
	"github.com/zclconf/go-cty/cty"
)

// schemaCacheVersion is the format of the schema cache's files. A file of
// another version is ignored and rewritten: bump it whenever
// ProviderSchema or its JSON form below changes.
const schemaCacheVersion = 1

// schemaCache keeps providers' schemas on disk, one JSON file per binary
// (by its sha256) and protocol version: GetProviderSchema is slow for big
// providers (terraform-provider-aws answers 644 KB), and a binary's schema
// never changes. The protocol is part of the key because a provider that
// serves both may declare a different schema on each (protocol 5 has no
// nested attributes).
type schemaCache struct{ dir string }

func (c schemaCache) path(sum string, protocol int) string {
	return filepath.Join(c.dir, fmt.Sprintf("%s-p%d.json", sum, protocol))
}

// load returns the cached schema, or false when there is none or the file
// is unreadable, corrupt or of another format (the caller then fetches the
// schema and stores it over the file).
func (c schemaCache) load(sum string, protocol int) (*ProviderSchema, bool) {
	b, err := os.ReadFile(c.path(sum, protocol))
	if err != nil {
		return nil, false
	}
	var f schemaFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, false
	}
	if f.Version != schemaCacheVersion || f.SHA256 != sum || f.Protocol != protocol || f.Schema == nil {
		return nil, false
	}
	ps, err := f.Schema.decode()
	if err != nil {
		return nil, false
	}
	return ps, true
}

// loadNegotiated returns the cached schema of the protocol a process of
// the binary would negotiate, before one is started: go-plugin picks the
// highest version both sides speak, so a binary with a protocol 6 entry
// speaks 6, and one with only a protocol 5 entry was found speaking 5
// alone (a binary speaking both never gets a 5 entry from this client).
func (c schemaCache) loadNegotiated(sum string) (ps *ProviderSchema, protocol int, ok bool) {
	for _, protocol := range []int{6, 5} {
		if ps, ok := c.load(sum, protocol); ok {
			return ps, protocol, true
		}
	}
	return nil, 0, false
}

// store writes the schema to a temporary file and renames it into place,
// so a concurrent reader (another driftctl) sees the old file or the new
// one, never half of one.
func (c schemaCache) store(sum string, protocol int, ps *ProviderSchema) error {
	b, err := json.Marshal(schemaFile{Version: schemaCacheVersion, SHA256: sum, Protocol: protocol, Schema: encodeProviderSchema(ps)})
	if err != nil {
		return fmt.Errorf("encoding the schema: %w", err)
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	return renameio.WriteFile(c.path(sum, protocol), b, 0o644)
}

// loadSchema gives c its schema from Schema's memo or the cache, or
// fetches it and stores it in the cache. A cache that cannot be read or
// written costs a GetProviderSchema, never the scan.
func (p *Pool) loadSchema(ctx context.Context, e *poolEntry, c Client) error {
	seeder, canSeed := c.(interface{ useSchema(*ProviderSchema) })
	if canSeed {
		var memo *ProviderSchema
		p.mu.Lock()
		if m := p.schemas[e.path]; m != nil && m.protocol == c.ProtocolVersion() {
			memo = m.schema
		}
		p.mu.Unlock()
		if memo != nil {
			seeder.useSchema(memo)
			return nil
		}
	}
	var sum string
	if canSeed {
		sum = p.cacheSum(e.key, e.path)
	}
	if sum != "" {
		if ps, ok := p.cache.load(sum, c.ProtocolVersion()); ok {
			seeder.useSchema(ps)
			return nil
		}
	}
	ps, err := c.Schema(ctx)
	p.observe(e.key, "GetProviderSchema", err)
	if err != nil {
		return err
	}
	p.storeSchema(e.key, sum, c.ProtocolVersion(), ps)
	return nil
}

// cacheSum is the binary's sum for the schema cache, or "" when the cache
// is disabled or the binary cannot be read (the start then says why).
func (p *Pool) cacheSum(name, path string) string {
	if p.cache.dir == "" {
		return ""
	}
	sum, err := p.binarySum(path)
	if err != nil {
		p.log.Warn("hashing a provider binary for the schema cache", "provider", name, "path", path, "err", err)
		return ""
	}
	return sum
}

// storeSchema writes ps to the cache (nothing when sum is "").
func (p *Pool) storeSchema(name, sum string, protocol int, ps *ProviderSchema) {
	if sum == "" {
		return
	}
	if err := p.cache.store(sum, protocol, ps); err != nil {
		p.log.Warn("writing the schema cache", "provider", name, "dir", p.cache.dir, "err", err)
	}
}

// binarySum hashes a binary once per pool: terraform-provider-aws is
// several hundred megabytes.
func (p *Pool) binarySum(path string) (string, error) {
	p.mu.Lock()
	sum, ok := p.sums[path]
	p.mu.Unlock()
	if ok {
		return sum, nil
	}
	fi, statErr := os.Stat(path)
	if statErr == nil {
		sum, ok = p.cache.knownSum(path, fi)
	}
	if !ok {
		var err error
		if sum, err = fileSHA256(path); err != nil {
			return "", err
		}
		if statErr == nil {
			p.cache.rememberSum(path, fi, sum)
		}
	}
	p.mu.Lock()
	p.sums[path] = sum
	p.mu.Unlock()
	return sum, nil
}

// sumRecord is what the cache remembers of a binary it hashed: the sum,
// and what stat said of the file then.
type sumRecord struct {
	Path    string `json:"path"`
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime_ns"`
	SHA256  string `json:"sha256"`
}

// sumPath is where the record of a binary's sum is kept.
func (c schemaCache) sumPath(path string) string {
	h := sha256.Sum256([]byte(path))
	return filepath.Join(c.dir, "sums", hex.EncodeToString(h[:16])+".json")
}

func recordOf(path string, fi os.FileInfo, sum string) sumRecord {
	return sumRecord{Path: path, Size: fi.Size(), ModTime: fi.ModTime().UnixNano(), SHA256: sum}
}

// knownSum is the sum the cache recorded for the binary at path when it
// had the same size and modification time (to the nanosecond): hashing
// terraform-provider-aws (a quarter of a gigabyte) takes most of a second
// on every scan otherwise. The sum only names the binary's schema in the
// cache; the lock file's hashes are checked by discovery, on every run.
func (c schemaCache) knownSum(path string, fi os.FileInfo) (string, bool) {
	if c.dir == "" {
		return "", false
	}
	b, err := os.ReadFile(c.sumPath(path))
	if err != nil {
		return "", false
	}
	var r sumRecord
	if json.Unmarshal(b, &r) != nil || r.SHA256 == "" || r != recordOf(path, fi, r.SHA256) {
		return "", false
	}
	return r.SHA256, true
}

// rememberSum records a binary's sum for knownSum; a cache that cannot be
// written costs a hash next time, nothing else.
func (c schemaCache) rememberSum(path string, fi os.FileInfo, sum string) {
	if c.dir == "" {
		return
	}
	b, err := json.Marshal(recordOf(path, fi, sum))
	if err != nil {
		return
	}
	file := c.sumPath(path)
	if os.MkdirAll(filepath.Dir(file), 0o755) != nil {
		return
	}
	_ = renameio.WriteFile(file, b, 0o644)
}

// fileSHA256 is the hex sha256 of a file's content.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// The JSON form of the cache's files. It mirrors ProviderSchema rather
// than tagging it: a zero cty.Type (an attribute with a NestedType)
// cannot be marshalled, and the domain type stays free of a file format.
type schemaFile struct {
	Version  int                 `json:"version"`
	SHA256   string              `json:"sha256"`
	Protocol int                 `json:"protocol"`
	Schema   *providerSchemaJSON `json:"schema"`
}

type providerSchemaJSON struct {
	Provider      *schemaJSON            `json:"provider,omitempty"`
	ResourceTypes map[string]*schemaJSON `json:"resource_types"`
	DataSources   map[string]*schemaJSON `json:"data_sources"`
}

type schemaJSON struct {
	Version int64      `json:"version,omitempty"`
	Block   *blockJSON `json:"block,omitempty"`
}

type blockJSON struct {
	Attributes map[string]*attributeJSON   `json:"attributes,omitempty"`
	BlockTypes map[string]*nestedBlockJSON `json:"block_types,omitempty"`
	Deprecated bool                        `json:"deprecated,omitempty"`
}

type nestedBlockJSON struct {
	Block    blockJSON `json:"block"`
	Nesting  Nesting   `json:"nesting"`
	MinItems int64     `json:"min_items,omitempty"`
	MaxItems int64     `json:"max_items,omitempty"`
}

type attributeJSON struct {
	Type       *cty.Type   `json:"type,omitempty"`
	NestedType *objectJSON `json:"nested_type,omitempty"`
	Required   bool        `json:"required,omitempty"`
	Optional   bool        `json:"optional,omitempty"`
	Computed   bool        `json:"computed,omitempty"`
	Sensitive  bool        `json:"sensitive,omitempty"`
	WriteOnly  bool        `json:"write_only,omitempty"`
	Deprecated bool        `json:"deprecated,omitempty"`
}

type objectJSON struct {
	Attributes map[string]*attributeJSON `json:"attributes"`
	Nesting    Nesting                   `json:"nesting"`
}

func encodeProviderSchema(ps *ProviderSchema) *providerSchemaJSON {
	out := &providerSchemaJSON{
		Provider:      encodeSchema(ps.Provider),
		ResourceTypes: make(map[string]*schemaJSON, len(ps.ResourceTypes)),
		DataSources:   make(map[string]*schemaJSON, len(ps.DataSources)),
	}
	for name, s := range ps.ResourceTypes {
		out.ResourceTypes[name] = encodeSchema(s)
	}
	for name, s := range ps.DataSources {
		out.DataSources[name] = encodeSchema(s)
	}
	return out
}

func encodeSchema(s *Schema) *schemaJSON {
	if s == nil {
		return nil
	}
	out := &schemaJSON{Version: s.Version}
	if s.Block != nil {
		b := encodeBlock(s.Block)
		out.Block = &b
	}
	return out
}

func encodeBlock(b *Block) blockJSON {
	out := blockJSON{Deprecated: b.Deprecated}
	if len(b.Attributes) > 0 {
		out.Attributes = encodeAttributes(b.Attributes)
	}
	if len(b.BlockTypes) > 0 {
		out.BlockTypes = make(map[string]*nestedBlockJSON, len(b.BlockTypes))
		for name, nb := range b.BlockTypes {
			out.BlockTypes[name] = &nestedBlockJSON{Block: encodeBlock(&nb.Block), Nesting: nb.Nesting, MinItems: nb.MinItems, MaxItems: nb.MaxItems}
		}
	}
	return out
}

func encodeAttributes(attrs map[string]*Attribute) map[string]*attributeJSON {
	out := make(map[string]*attributeJSON, len(attrs))
	for name, a := range attrs {
		aj := &attributeJSON{
			Required: a.Required, Optional: a.Optional, Computed: a.Computed,
			Sensitive: a.Sensitive, WriteOnly: a.WriteOnly, Deprecated: a.Deprecated,
		}
		if a.NestedType != nil {
			aj.NestedType = &objectJSON{Attributes: encodeAttributes(a.NestedType.Attributes), Nesting: a.NestedType.Nesting}
		} else {
			ty := a.Type
			aj.Type = &ty
		}
		out[name] = aj
	}
	return out
}

func (p *providerSchemaJSON) decode() (*ProviderSchema, error) {
	var err error
	out := &ProviderSchema{
		ResourceTypes: make(map[string]*Schema, len(p.ResourceTypes)),
		DataSources:   make(map[string]*Schema, len(p.DataSources)),
	}
	if out.Provider, err = p.Provider.decode(); err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	for name, s := range p.ResourceTypes {
		if out.ResourceTypes[name], err = s.decode(); err != nil {
			return nil, fmt.Errorf("resource type %s: %w", name, err)
		}
	}
	for name, s := range p.DataSources {
		if out.DataSources[name], err = s.decode(); err != nil {
			return nil, fmt.Errorf("data source %s: %w", name, err)
		}
	}
	return out, nil
}

func (s *schemaJSON) decode() (*Schema, error) {
	if s == nil {
		return nil, nil
	}
	out := &Schema{Version: s.Version}
	if s.Block != nil {
		b, err := s.Block.decode()
		if err != nil {
			return nil, err
		}
		out.Block = b
	}
	return out, nil
}

// decode makes maps that are never nil, as the wire conversions do.
func (b *blockJSON) decode() (*Block, error) {
	attrs, err := decodeAttributes(b.Attributes)
	if err != nil {
		return nil, err
	}
	out := &Block{Attributes: attrs, BlockTypes: make(map[string]*NestedBlock, len(b.BlockTypes)), Deprecated: b.Deprecated}
	for name, nb := range b.BlockTypes {
		if nb == nil {
			return nil, fmt.Errorf("block type %s: empty", name)
		}
		inner, err := nb.Block.decode()
		if err != nil {
			return nil, fmt.Errorf("block type %s: %w", name, err)
		}
		out.BlockTypes[name] = &NestedBlock{Block: *inner, Nesting: nb.Nesting, MinItems: nb.MinItems, MaxItems: nb.MaxItems}
	}
	return out, nil
}

func decodeAttributes(attrs map[string]*attributeJSON) (map[string]*Attribute, error) {
	out := make(map[string]*Attribute, len(attrs))
	for name, aj := range attrs {
		if aj == nil || (aj.Type == nil) == (aj.NestedType == nil) {
			return nil, fmt.Errorf("attribute %s: want exactly one of type and nested_type", name)
		}
		a := &Attribute{
			Required: aj.Required, Optional: aj.Optional, Computed: aj.Computed,
			Sensitive: aj.Sensitive, WriteOnly: aj.WriteOnly, Deprecated: aj.Deprecated,
		}
		if aj.NestedType != nil {
			nested, err := decodeAttributes(aj.NestedType.Attributes)
			if err != nil {
				return nil, fmt.Errorf("attribute %s: %w", name, err)
			}
			a.NestedType = &Object{Attributes: nested, Nesting: aj.NestedType.Nesting}
		} else {
			a.Type = *aj.Type
		}
		out[name] = a
	}
	return out, nil
}
