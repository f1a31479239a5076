package drift

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// Identity is what can find a desired resource in the cloud, most
// trusted first.
type Identity struct {
	// KnownID is the ID of a resource remediation created since the state
	// was written ("" for none).
	KnownID string
	// StateID is the ID the state records for the resource's address (""
	// when the state has none); StateAttrs, called only when no live
	// resource has that ID, returns the state's attributes, whose natural
	// identity may find it where the state's ID is not the cloud's.
	StateID    string
	StateAttrs func() cty.Value
	// ImportID is the ID of the resource's import block ("" for none).
	ImportID string
	// Config is the evaluated configuration, whose natural identity finds
	// the resource when it is wholly known.
	Config cty.Value
}

// Match finds the live resource of a desired one in idx: by a known ID,
// by the state's ID (or the natural identity of the state's attributes),
// by its import block's ID, or by the natural identity of its
// configuration. identified is false when none of these could be tried:
// then an absent live resource is not known to be missing. The caller
// claims the entry it found (Index.Claim).
func Match(schema *providers.Schema, id Identity, idx *Index) (live *Entry, identified bool) {
	if id.KnownID != "" {
		if l := idx.byID[id.KnownID]; l != nil {
			return l, true
		}
	}
	if id.StateID != "" {
		identified = true
		if l := idx.byID[id.StateID]; l != nil {
			return l, true
		}
		if schema.Identity != nil && id.StateAttrs != nil {
			if k := schema.Identity(id.StateAttrs()); k != "" {
				if l := idx.byKey[k]; l != nil {
					return l, true
				}
			}
		}
	}
	if id.ImportID != "" {
		identified = true
		if l := idx.byID[id.ImportID]; l != nil {
			return l, true
		}
	}
	if schema.Identity != nil && id.Config != cty.NilVal && id.Config.IsWhollyKnown() {
		if k := schema.Identity(id.Config); k != "" {
			if l := idx.byKey[k]; l != nil {
				return l, true
			}
			identified = true
		}
	}
	return nil, identified
}

// WithDefaultTags merges a provider's default_tags under a configuration's
// tags, as Terraform's tags_all: a tag that only default_tags declares is
// still expected live, and the resource's own tags win.
func WithDefaultTags(config cty.Value, defaults map[string]string) cty.Value {
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
