package config

import (
	"cmp"
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// requiredProvider is one entry of a module's required_providers.
type requiredProvider struct {
	source, version string
}

// ProviderRequirement is one provider a configuration needs, as
// `terraform init` would install it: its source, and the version
// constraints of every module that requires it.
type ProviderRequirement struct {
	// Type is the provider's type ("aws"), as ProviderConfig.Type has it.
	Type string
	// LocalName is a module's name for it (the root module's when the root
	// uses it), for messages.
	LocalName string
	// Source is the source address as written ("hashicorp/aws",
	// "registry.example.com/acme/widgets"); a provider that no
	// required_providers names has Terraform's implied source,
	// "hashicorp/TYPE".
	Source string
	// Version is every module's constraint joined with ", " (all must
	// hold); "" accepts any version.
	Version string
}

// ProviderRequirements lists the providers the whole module tree uses
// (required_providers, provider blocks, and the resources' and data
// sources' providers), one per source, sorted by type. The built-in
// "terraform" provider is left out.
func (m *Module) ProviderRequirements() []ProviderRequirement {
	bySource := map[string]*ProviderRequirement{}
	var order []string
	for _, mod := range m.tree() {
		for _, local := range mod.providerLocalNames() {
			req, ok := mod.requiredProviders[local]
			if !ok {
				if local == "terraform" {
					continue
				}
				req.source = "hashicorp/" + local
			}
			key := strings.ToLower(req.source)
			r, seen := bySource[key]
			if !seen {
				r = &ProviderRequirement{Type: mod.ProviderType(local), LocalName: local, Source: req.source}
				bySource[key] = r
				order = append(order, key)
			}
			if req.version != "" && !slices.Contains(strings.Split(r.Version, ", "), req.version) {
				if r.Version != "" {
					r.Version += ", "
				}
				r.Version += req.version
			}
		}
	}
	out := make([]ProviderRequirement, 0, len(order))
	for _, k := range order {
		out = append(out, *bySource[k])
	}
	slices.SortStableFunc(out, func(a, b ProviderRequirement) int { return cmp.Compare(a.Type, b.Type) })
	return out
}

// attrOf is an object's attribute or a map's element by name, null when
// it has none.
func attrOf(v cty.Value, name string) cty.Value {
	switch {
	case v.Type().IsObjectType() && v.Type().HasAttribute(name):
		return v.GetAttr(name)
	case v.Type().IsMapType() && v.IsKnown() && !v.IsNull() && v.HasIndex(cty.StringVal(name)).True():
		return v.Index(cty.StringVal(name))
	}
	return cty.NullVal(cty.DynamicPseudoType)
}
