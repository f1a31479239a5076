package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// workspacesSchema is the nested block of the remote backend and the cloud
// block.
var workspacesSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "workspaces"}}}

// decodeBackendSettings puts the literal settings of a backend block's body
// (or of its nested block what) into config, their names after prefix,
// and warns about the nested blocks it ignores, but for those decoded
// already (decoded holds their type ranges). In a nested block (prefix not
// empty), a list of strings (the cloud block's workspaces tags) is kept
// joined by commas.
func decodeBackendSettings(config map[string]string, prefix string, body hcl.Body, what string, decoded []hcl.Range) hcl.Diagnostics {
	attrs, all := justAttributes(body, what)
	var diags hcl.Diagnostics
	for _, d := range all {
		// The nested blocks decoded already (decoded: their type ranges)
		// are not ignored.
		if d.Subject == nil || !slices.ContainsFunc(decoded, func(r hcl.Range) bool { return r.Start == d.Subject.Start && r.Filename == d.Subject.Filename }) {
			diags = append(diags, d)
		}
	}
	for name, a := range attrs {
		v, d := a.Expr.Value(nil)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		if s, ok := stringList(v); ok && prefix != "" {
			config[prefix+name] = strings.Join(s, ",")
			continue
		}
		if !flattenSetting(config, prefix+name, v) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid backend setting",
				Detail:   fmt.Sprintf("The backend setting %q must be a literal string, number, bool, list or object.", name),
				Subject:  a.Expr.Range().Ptr(),
			})
		}
	}
	return diags
}

// stringList returns the strings of a known, non-empty list, set or tuple
// of strings.
func stringList(v cty.Value) ([]string, bool) {
	if !v.IsWhollyKnown() || v.IsNull() || !(v.Type().IsListType() || v.Type().IsSetType() || v.Type().IsTupleType()) || v.LengthInt() == 0 {
		return nil, false
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() || e.Type() != cty.String {
			return nil, false
		}
		out = append(out, e.AsString())
	}
	return out, true
}

// BackendSettings flattens a backend configuration given as a value (the
// config argument of a terraform_remote_state data source) as a backend
// block's settings are read (see Backend.Config): an object's or map's
// attributes under "name.key" (endpoints = { s3 = ... } is
// "endpoints.s3"), primitives as strings, lists and nulls left out. A null
// v has no settings; ok is false when v is not an object or map, or holds
// an unknown value.
func BackendSettings(v cty.Value) (settings map[string]string, ok bool) {
	settings = map[string]string{}
	switch {
	case v.IsNull():
		return settings, true
	case !v.IsKnown() || !(v.Type().IsObjectType() || v.Type().IsMapType()):
		return nil, false
	}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if !flattenSetting(settings, k.AsString(), e) {
			return nil, false
		}
	}
	return settings, true
}

// flattenSetting puts a literal backend setting into config as strings:
// an object's or map's attributes under "name.key" (the s3 backend's
// endpoints = { s3 = ... }), a primitive as itself; lists and nulls are
// accepted and left out (no backend setting driftctl reads is a list). It
// reports false for a value that is none of these.
func flattenSetting(config map[string]string, name string, v cty.Value) bool {
	switch {
	case !v.IsKnown():
		return false
	case v.IsNull():
		return true
	case v.Type().IsObjectType() || v.Type().IsMapType():
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if !flattenSetting(config, name+"."+k.AsString(), e) {
				return false
			}
		}
		return true
	case v.Type().IsListType() || v.Type().IsTupleType() || v.Type().IsSetType():
		return true
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil || s.IsNull() {
		return false
	}
	config[name] = s.AsString()
	return true
}
