package drift

import (
	"github.com/zclconf/go-cty/cty"
)

// tagsOf returns the string values of v's "tags" attribute, nil when v has
// none. A marked (sensitive) value, or one holding one of secrets, is
// SensitiveID.
func tagsOf(v cty.Value, secrets []string) map[string]string {
	if v == cty.NilVal || !v.IsKnown() || v.IsNull() || !v.Type().IsObjectType() || !v.Type().HasAttribute("tags") {
		return nil
	}
	tags, _ := v.GetAttr("tags").Unmark()
	if !tags.IsKnown() || tags.IsNull() || !(tags.Type().IsMapType() || tags.Type().IsObjectType()) || tags.LengthInt() == 0 {
		return nil
	}
	out := map[string]string{}
	for it := tags.ElementIterator(); it.Next(); {
		k, val := it.Element()
		if k.IsMarked() {
			continue
		}
		if val.IsMarked() {
			out[k.AsString()] = SensitiveID
			continue
		}
		if !val.IsKnown() || val.IsNull() || val.Type() != cty.String {
			continue
		}
		s := val.AsString()
		if holdsSecret(s, secrets) {
			s = SensitiveID
		}
		out[k.AsString()] = s
	}
	return out
}
