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

// packedLive is one live resource as a read keeps it.
type packedLive struct {
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

// liveIndex holds the live resources of one read, in the order read, and
// finds them by ID and by natural identity.
type liveIndex struct {
	typ   string
	ty    cty.Type
	list  []*packedLive
	byID  map[string]*packedLive
	byKey map[string]*packedLive
	// unpacked holds the attributes that do not conform to ty (a
	// provider's mistake), as they were read.
	unpacked map[*packedLive]cty.Value
}

func newLiveIndex(schema *providers.Schema, typ string) *liveIndex {
	return &liveIndex{typ: typ, ty: schema.ImpliedType(), byID: map[string]*packedLive{}, byKey: map[string]*packedLive{}, unpacked: map[*packedLive]cty.Value{}}
}

// add packs l into the index.
func (idx *liveIndex) add(schema *providers.Schema, l *providers.Live) {
	p := &packedLive{id: l.ID, region: l.Region, cloudManaged: l.CloudManaged}
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

// live unpacks p.
func (idx *liveIndex) live(p *packedLive) *providers.Live {
	if p == nil {
		return nil
	}
	l := &providers.Live{Type: idx.typ, ID: p.id, Region: p.region, CloudManaged: p.cloudManaged, Attrs: idx.unpacked[p]}
	if p.attrs != nil {
		l.Attrs = ctypack.Unpack(p.attrs, idx.ty)
	}
	return l
}

// claim unpacks p for the desired resource addr and releases the packed
// attributes: nothing else needs them. ok is false when another desired
// resource claimed p first (its address is in by).
func (idx *liveIndex) claim(p *packedLive, addr string) (l *providers.Live, by string, ok bool) {
	if p.claimedBy != "" {
		return nil, p.claimedBy, false
	}
	l = idx.live(p)
	p.claimedBy, p.attrs = addr, nil
	delete(idx.unpacked, p)
	return l, "", true
}
