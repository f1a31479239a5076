package drift

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/state"
)

// match finds the live resource of a desired one: by a known ID (one that
// remediation created since the state was written), by the ID the state
// records for its address (or, where the state's ID is not the cloud's, by
// the natural identity of the state's attributes), by its import block's ID,
// or by the natural identity of its configuration. identified is false when
// none of these could be tried: then an absent live resource is not known
// to be missing. The scan unpacks the resource when it claims it.
func match(schema *providers.Schema, r *config.Resource, st *state.State, idx *liveIndex, known string) (live *packedLive, identified bool) {
	if known != "" {
		if l := idx.byID[known]; l != nil {
			return l, true
		}
	}
	if st != nil {
		if inst := st.Lookup(r.Address); inst != nil && inst.ID != "" {
			identified = true
			if l := idx.byID[inst.ID]; l != nil {
				return l, true
			}
			if schema.Identity != nil {
				if k := schema.Identity(inst.Value()); k != "" {
					if l := idx.byKey[k]; l != nil {
						return l, true
					}
				}
			}
		}
	}
	if r.ImportID != "" {
		identified = true
		if l := idx.byID[r.ImportID]; l != nil {
			return l, true
		}
	}
	if schema.Identity != nil && r.Config.IsWhollyKnown() {
		if k := schema.Identity(r.Config); k != "" {
			if l := idx.byKey[k]; l != nil {
				return l, true
			}
			identified = true
		}
	}
	return nil, identified
}

// referenceValue is what other resources see when they refer to r: the
// live attributes when it was found, else what the state recorded, else its
// configuration with computed attributes unknown.
func referenceValue(schema *providers.Schema, r *config.Resource, live *providers.Live, st *state.State) cty.Value {
	if live != nil && live.Attrs != cty.NilVal && !live.Attrs.IsNull() {
		return withID(live.Attrs, live.ID)
	}
	if st != nil {
		if inst := st.Lookup(r.Address); inst != nil {
			return inst.Value()
		}
	}
	m := map[string]cty.Value{}
	if r.Config != cty.NilVal && !r.Config.IsNull() && r.Config.IsKnown() {
		m = r.Config.AsValueMap()
		if m == nil {
			m = map[string]cty.Value{}
		}
	}
	for name, a := range schema.Attributes {
		if v, ok := m[name]; ok && !v.IsNull() {
			continue
		}
		if a.Computed {
			m[name] = cty.UnknownVal(a.ImpliedType())
		} else if _, ok := m[name]; !ok {
			m[name] = cty.NullVal(a.ImpliedType())
		}
	}
	if _, ok := m["id"]; !ok {
		m["id"] = cty.UnknownVal(cty.String)
	}
	return cty.ObjectVal(m)
}

// withID makes sure a live object has its Terraform ID as "id".
func withID(attrs cty.Value, id string) cty.Value {
	if attrs.Type().IsObjectType() && attrs.Type().HasAttribute("id") {
		if v := attrs.GetAttr("id"); !v.IsNull() {
			return attrs
		}
	}
	m := attrs.AsValueMap()
	if m == nil {
		m = map[string]cty.Value{}
	}
	m["id"] = cty.StringVal(id)
	return cty.ObjectVal(m)
}

// withDefaultTags merges a provider's default_tags under a configuration's
// tags, as Terraform's tags_all: a tag that only default_tags declares is
// still expected live, and the resource's own tags win.
func withDefaultTags(config cty.Value, defaults map[string]string) cty.Value {
	if len(defaults) == 0 || config.IsNull() || !config.IsKnown() || !config.Type().HasAttribute("tags") {
		return config
	}
	tags := config.GetAttr("tags")
	if !tags.IsKnown() {
		return config
	}
	merged := map[string]cty.Value{}
	for k, v := range defaults {
		merged[k] = cty.StringVal(v)
	}
	if !tags.IsNull() {
		for k, v := range tags.AsValueMap() {
			merged[k] = v
		}
	}
	m := config.AsValueMap()
	m["tags"] = cty.MapVal(merged)
	return cty.ObjectVal(m)
}
