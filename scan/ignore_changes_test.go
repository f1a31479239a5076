package scan

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// TestWithIgnoredChanges follows Terraform's processIgnoreChangesIndividual
// on the shapes of terraform-provider-aws: tags (a map, whole or by key),
// a list block's attribute (ttl[0].enabled), a scalar.
func TestWithIgnoredChanges(t *testing.T) {
	tags := func(kv ...string) cty.Value {
		if len(kv) == 0 {
			return cty.MapValEmpty(cty.String)
		}
		m := map[string]cty.Value{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = cty.StringVal(kv[i+1])
		}
		return cty.MapVal(m)
	}
	ttl := func(enabled bool) cty.Value {
		return cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"enabled": cty.BoolVal(enabled)})})
	}
	obj := func(name string, tags, ttl cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name), "tags": tags, "ttl": ttl})
	}
	config := obj("jobs", tags("Team", "core", "Env", "prod"), ttl(true))
	live := obj("jobs2", tags("Team", "ops", "Owner", "bob"), ttl(false))
	tests := []struct {
		name  string
		dst   cty.Value
		paths []string
		want  cty.Value
	}{
		{"none", config, nil, config},
		{"whole map", config, []string{"tags"}, obj("jobs", tags("Team", "ops", "Owner", "bob"), ttl(true))},
		{"map key in both", config, []string{"tags.Team"}, obj("jobs", tags("Team", "ops", "Env", "prod"), ttl(true))},
		{"map key only live", config, []string{"tags.Owner"}, obj("jobs", tags("Team", "core", "Env", "prod", "Owner", "bob"), ttl(true))},
		{"map key only config", config, []string{"tags.Env"}, obj("jobs", tags("Team", "core"), ttl(true))},
		{"map key into null map", obj("jobs", cty.NullVal(cty.Map(cty.String)), ttl(true)), []string{"tags.Owner"}, obj("jobs", tags("Owner", "bob"), ttl(true))},
		{"last key of a null map", obj("jobs", cty.NullVal(cty.Map(cty.String)), ttl(true)), []string{"tags.Env"}, obj("jobs", cty.NullVal(cty.Map(cty.String)), ttl(true))},
		{"block attribute", config, []string{"ttl[0].enabled"}, obj("jobs", tags("Team", "core", "Env", "prod"), ttl(false))},
		{"scalar", config, []string{"name"}, obj("jobs2", tags("Team", "core", "Env", "prod"), ttl(true))},
		{"beyond the list", config, []string{"ttl[1].enabled"}, config},
		{"no such attribute", config, []string{"nope", "name.x"}, config},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := withIgnoredChanges(tt.dst, live, tt.paths)
			if !got.RawEquals(tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParseDottedPath(t *testing.T) {
	ty := cty.Object(map[string]cty.Type{
		"tags":  cty.Map(cty.String),
		"rules": cty.List(cty.Object(map[string]cty.Type{"ports": cty.Map(cty.Object(map[string]cty.Type{"to": cty.Number}))})),
	})
	tests := []struct {
		in   string
		want cty.Path
	}{
		{"tags", cty.GetAttrPath("tags")},
		{"tags.kubernetes.io/role", cty.GetAttrPath("tags").Index(cty.StringVal("kubernetes.io/role"))},
		{"rules[2].ports.http.to", cty.GetAttrPath("rules").IndexInt(2).GetAttr("ports").Index(cty.StringVal("http")).GetAttr("to")},
		{"rules.x", nil},
		{"tags[0]", nil},
		{"nope", nil},
	}
	for _, tt := range tests {
		got, ok := parseDottedPath(ty, tt.in)
		if ok != (tt.want != nil) || (ok && !got.Equals(tt.want)) {
			t.Errorf("parseDottedPath(%q) = %#v, %v; want %#v", tt.in, got, ok, tt.want)
		}
	}
}
