package genconfig

import (
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// Names gives each resource a Terraform name: its Name tag, else its ID
// with any ARN in it shortened to the ARN's last segment (a policy's name),
// made a valid identifier (Identifier), unique among the resources of its
// type and none of taken (TYPE.NAME), by a suffix _2, _3, ... in the order
// given. Given the same resources in the same order (Generate sorts them
// by type and ID), the names are the same.
func Names(resources []Resource, taken map[string]bool) []string {
	used := map[string]bool{}
	for addr := range taken {
		used[addr] = true
	}
	names := make([]string, len(resources))
	for i, r := range resources {
		base := Identifier(nameSource(r))
		name := base
		for n := 2; used[r.Type+"."+name]; n++ {
			name = base + "_" + strconv.Itoa(n)
		}
		used[r.Type+"."+name] = true
		names[i] = name
	}
	return names
}

// nameSource is the Name tag of a resource, when it has one that holds no
// secret, else its ID.
func nameSource(r Resource) string {
	v := r.Live
	if v != cty.NilVal && v.IsKnown() && !v.IsNull() && v.Type().IsObjectType() && v.Type().HasAttribute("tags") {
		tags := v.GetAttr("tags")
		if tags.IsKnown() && !tags.IsNull() && !tags.IsMarked() && tags.Type().IsMapType() && tags.Type().ElementType() == cty.String {
			if n, ok := tags.AsValueMap()["Name"]; ok && n.IsKnown() && !n.IsNull() && strings.TrimSpace(n.AsString()) != "" && (r.Secret == nil || !r.Secret(n.AsString())) {
				return n.AsString()
			}
		}
	}
	return shortID(r.ID)
}

// shortID is an ID with the ARN it holds, if any, shortened to the ARN's
// resource name (its last segment): an IAM policy's
// arn:aws:iam::123456789012:policy/app/read is read, a role policy
// attachment's role/arn:... role/read.
func shortID(id string) string {
	before, arn, ok := strings.Cut(id, "arn:")
	if !ok {
		return id
	}
	return before + arn[strings.LastIndexAny(arn, ":/")+1:]
}

// Identifier makes s a valid Terraform name: letters, digits, _ and -,
// starting with a letter or _. Other runs of characters become one _,
// leading and trailing ones are dropped, and a name that would start with
// a digit or - gets a leading _ ("10.0.0.0/16" is _10_0_0_0_16); an empty
// one is "this".
func Identifier(s string) string {
	var b strings.Builder
	pending := false
	for _, c := range s {
		ok := c == '_' || c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
		if !ok {
			pending = b.Len() > 0
			continue
		}
		if pending {
			b.WriteByte('_')
			pending = false
		}
		b.WriteRune(c)
	}
	out := strings.TrimRight(b.String(), "_-")
	if out == "" {
		return "this"
	}
	if c := out[0]; c == '-' || (c >= '0' && c <= '9') {
		out = "_" + out
	}
	return out
}
