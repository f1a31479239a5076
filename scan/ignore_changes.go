package scan

import (
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// withIgnoredChanges returns dst with src's values at the paths of
// lifecycle.ignore_changes (in the dotted form of
// config.Resource.IgnoreChanges), as Terraform core does to a
// configuration before it plans (processIgnoreChangesIndividual in
// internal/terraform/node_resource_abstract_instance.go): with dst the
// configuration and src the prior state, the provider then plans nothing
// at those paths, and nothing that follows from them either (the tags_all
// that terraform-provider-aws computes from an ignored tags). A path
// ending in a map key keeps or drops that key alone. A path that does
// not apply to the values (through a null, an index beyond a list, a
// value of another type) is left alone.
func withIgnoredChanges(dst, src cty.Value, paths []string) cty.Value {
	if dst.IsNull() || src.IsNull() || !dst.IsKnown() || !src.IsKnown() {
		return dst
	}
	type ignored struct {
		path  cty.Path
		value cty.Value
		key   cty.Value // a map key, or null when the whole value
	}
	var found []ignored
	for _, s := range paths {
		path, ok := parseDottedPath(dst.Type(), s)
		if !ok || len(path) == 0 {
			continue
		}
		key := cty.NullVal(cty.String)
		if last, ok := path[len(path)-1].(cty.IndexStep); ok && last.Key.Type() == cty.String {
			path, key = path[:len(path)-1], last.Key
		}
		sv, err := path.Apply(src)
		if err != nil {
			continue
		}
		dv, err := path.Apply(dst)
		if err != nil || !sv.Type().Equals(dv.Type()) {
			continue
		}
		if !sv.RawEquals(dv) {
			found = append(found, ignored{path, sv, key})
		}
	}
	if len(found) == 0 {
		return dst
	}
	out, err := cty.Transform(dst, func(path cty.Path, v cty.Value) (cty.Value, error) {
		if !v.Type().IsMapType() {
			for _, ig := range found {
				if path.Equals(ig.path) {
					return ig.value, nil
				}
			}
			return v, nil
		}
		if !v.IsKnown() {
			return v, nil
		}
		v, marks := v.Unmark()
		m := map[string]cty.Value{}
		if !v.IsNull() {
			m = v.AsValueMap()
		}
		for _, ig := range found {
			if !path.Equals(ig.path) {
				continue
			}
			if ig.key.IsNull() {
				return ig.value, nil
			}
			prior, _ := ig.value.Unmark()
			k := ig.key.AsString()
			if prior.IsNull() || !prior.IsKnown() || !prior.HasIndex(ig.key).True() {
				delete(m, k)
			} else {
				if m == nil {
					m = map[string]cty.Value{}
				}
				m[k] = prior.Index(ig.key)
			}
		}
		var nv cty.Value
		switch {
		case len(m) > 0:
			nv = cty.MapVal(m)
		case v.IsNull():
			nv = v
		default:
			nv = cty.MapValEmpty(v.Type().ElementType())
		}
		return nv.WithMarks(marks), nil
	})
	if err != nil {
		return dst
	}
	return out
}

// parseDottedPath turns a path in the dotted form of drift.PathString
// ("tags.Env", "rule[0].status") into a cty.Path through values of type
// ty. A map of primitive values takes the rest of the path as its key
// ("tags.kubernetes.io/role"). ok is false when the path does not fit ty.
func parseDottedPath(ty cty.Type, s string) (cty.Path, bool) {
	var path cty.Path
	for s != "" {
		switch {
		case strings.HasPrefix(s, "["):
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return nil, false
			}
			n, err := strconv.Atoi(s[1:end])
			if err != nil || !(ty.IsListType() || ty.IsTupleType()) {
				return nil, false
			}
			path = path.IndexInt(n)
			if ty.IsListType() {
				ty = ty.ElementType()
			} else if types := ty.TupleElementTypes(); n < len(types) {
				ty = types[n]
			} else {
				return nil, false
			}
			s = strings.TrimPrefix(s[end+1:], ".")
		case ty.IsMapType():
			key := s
			if !ty.ElementType().IsPrimitiveType() {
				if i := strings.IndexAny(s, ".["); i >= 0 {
					key = s[:i]
				}
			}
			path = path.Index(cty.StringVal(key))
			ty = ty.ElementType()
			s = strings.TrimPrefix(s[len(key):], ".")
		case ty.IsObjectType():
			name := s
			if i := strings.IndexAny(s, ".["); i >= 0 {
				name = s[:i]
			}
			if !ty.HasAttribute(name) {
				return nil, false
			}
			path = path.GetAttr(name)
			ty = ty.AttributeType(name)
			s = strings.TrimPrefix(s[len(name):], ".")
		default:
			return nil, false
		}
	}
	return path, true
}
