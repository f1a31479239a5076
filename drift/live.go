package drift

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/internal/ctypack"
	"github.com/gitdrift/driftctl/providers"
)

// A scan holds every live resource it read from its read until the end,
// for matching and for finding the unmanaged ones. A cty object takes
// several kilobytes (its attribute map, its own type's map, boxed values);
// the same attributes encoded by ctypack a few hundred bytes. So reads
// keep each live resource packed, and a match unpacks the one it found.

// Entry is one live resource as an Index keeps it.
type Entry struct {
	id, region   string
	cloudManaged bool
	// attrs is the ctypack encoding of the resource's attributes as
	// the index's type; when they do not conform to it, the index's
	// unpacked holds them.
	attrs []byte
	// claimedBy is the address of the desired resource that matched it;
	// its attributes are then released.
	claimedBy string
}

// Index holds the live resources of one read, in the order read, and
// finds them by ID and by natural identity. It is not safe for concurrent
// use: a read adds to it under its own lock, and a scan claims from it
// under the scan's.
type Index struct {
	typ   string
	ty    cty.Type
	list  []*Entry
	byID  map[string]*Entry
	byKey map[string]*Entry
	// unpacked holds the attributes that do not conform to ty (a
	// provider's mistake), as they were read.
	unpacked map[*Entry]cty.Value
}

// NewIndex returns an empty index of live resources of typ.
func NewIndex(schema *providers.Schema, typ string) *Index {
	return &Index{typ: typ, ty: schema.ImpliedType(), byID: map[string]*Entry{}, byKey: map[string]*Entry{}, unpacked: map[*Entry]cty.Value{}}
}

// Add packs l into the index.
func (idx *Index) Add(schema *providers.Schema, l *providers.Live) {
	p := &Entry{id: l.ID, region: l.Region, cloudManaged: l.CloudManaged}
	if b, err := ctypack.Marshal(l.Attrs, idx.ty); err == nil {
		p.attrs = b
	} else {
		idx.unpacked[p] = l.Attrs
	}
	idx.list = append(idx.list, p)
	idx.byID[l.ID] = p
	if schema.Identity != nil {
		if k := schema.Identity(l.Attrs); k != "" {
			idx.byKey[k] = p
		}
	}
}

// Len is how many live resources the index holds.
func (idx *Index) Len() int { return len(idx.list) }

// ID is the live resource's ID.
func (p *Entry) ID() string { return p.id }

// Region is where the live resource is ("global" for a global type).
func (p *Entry) Region() string { return p.region }

// live unpacks p.
func (idx *Index) live(p *Entry) *providers.Live {
	if p == nil {
		return nil
	}
	l := &providers.Live{Type: idx.typ, ID: p.id, Region: p.region, CloudManaged: p.cloudManaged, Attrs: idx.unpacked[p]}
	if p.attrs != nil {
		l.Attrs = ctypack.Unpack(p.attrs, idx.ty)
	}
	return l
}

// Claim unpacks p for the desired resource addr and releases the packed
// attributes: nothing else needs them. ok is false when another desired
// resource claimed p first (its address is in by).
func (idx *Index) Claim(p *Entry, addr string) (l *providers.Live, by string, ok bool) {
	if p.claimedBy != "" {
		return nil, p.claimedBy, false
	}
	l = idx.live(p)
	p.claimedBy, p.attrs = addr, nil
	delete(idx.unpacked, p)
	return l, "", true
}
