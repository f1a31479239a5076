package scan

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/state"
)

// referenceValue is what other resources see when they refer to r: the
// live attributes when it was found, else what the state recorded (inst),
// else its configuration with computed attributes unknown.
func referenceValue(schema *providers.Schema, r *config.Resource, live *providers.Live, inst *state.Instance) cty.Value {
	if live != nil && live.Attrs != cty.NilVal && !live.Attrs.IsNull() {
		return withID(live.Attrs, live.ID)
	}
	if inst != nil {
		return inst.Value()
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
