package aws

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// aws_iam_policy_document is computed locally, with the output of
// terraform-provider-aws v5 internal/service/iam/policy_document_data_source.go
// and policy_model.go, byte for byte: configurations compare its json with
// live policies, and a different rendering would read as drift wherever a
// policy is compared as text.

const (
	policyVersionDefault = "2012-10-17"
	policyVersionLegacy  = "2008-10-17"
)

// policyVarReplacer turns Terraform's escaped policy variables &{aws:username}
// into IAM's ${aws:username}.
var policyVarReplacer = strings.NewReplacer("&{", "${")

// iamPolicyDocumentData is aws_iam_policy_document.
func iamPolicyDocumentData() *dataSource {
	schema := iamPolicyDocumentSchema()
	return &dataSource{
		schema: schema,
		read: func(_ context.Context, _ *Provider, config cty.Value) (cty.Value, error) {
			doc, err := policyDocumentFromConfig(config)
			if err != nil {
				return cty.NilVal, err
			}
			pretty, minified, err := doc.render()
			if err != nil {
				return cty.NilVal, err
			}
			vals := map[string]cty.Value{}
			for name := range schema.Attributes {
				if v := attr(config, name); !v.IsNull() {
					vals[name] = v
				}
			}
			vals["version"] = cty.StringVal(doc.configVersion)
			vals["json"] = cty.StringVal(pretty)
			vals["minified_json"] = cty.StringVal(minified)
			// terraform-plugin-sdk's create.StringHashcode: the CRC-32 of
			// the JSON, which is never negative as a 64-bit int.
			vals["id"] = cty.StringVal(strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(pretty))), 10))
			return objectOf(schema.Attributes, vals), nil
		},
	}
}

func iamPolicyDocumentSchema() *providers.Schema {
	opt := func(t cty.Type) *providers.Attribute { return &providers.Attribute{Type: t, Optional: true} }
	req := func(t cty.Type) *providers.Attribute { return &providers.Attribute{Type: t, Required: true} }
	computed := &providers.Attribute{Type: cty.String, Computed: true}
	strSet, strList := cty.Set(cty.String), cty.List(cty.String)
	principals := func() *providers.Attribute {
		return &providers.Attribute{Optional: true, Nested: &providers.NestedBlock{
			Nesting:    providers.NestingSet,
			Attributes: map[string]*providers.Attribute{"identifiers": req(strSet), "type": req(cty.String)},
		}}
	}
	return &providers.Schema{
		Type: "aws_iam_policy_document",
		Attributes: map[string]*providers.Attribute{
			"id":            computed,
			"json":          computed,
			"minified_json": computed,
			// Deprecated and "not used" in v5: only "" is valid.
			"override_json":             opt(cty.String),
			"source_json":               opt(cty.String),
			"override_policy_documents": opt(strList),
			"source_policy_documents":   opt(strList),
			"policy_id":                 opt(cty.String),
			"version":                   {Type: cty.String, Optional: true, Default: cty.StringVal(policyVersionDefault)},
			"statement": {Optional: true, Nested: &providers.NestedBlock{
				Nesting: providers.NestingList,
				Attributes: map[string]*providers.Attribute{
					"actions": opt(strSet),
					"condition": {Optional: true, Nested: &providers.NestedBlock{
						Nesting: providers.NestingSet,
						Attributes: map[string]*providers.Attribute{
							"test": req(cty.String), "variable": req(cty.String), "values": req(strList),
						},
					}},
					"effect":         {Type: cty.String, Optional: true, Default: cty.StringVal("Allow")},
					"not_actions":    opt(strSet),
					"not_principals": principals(),
					"not_resources":  opt(strSet),
					"principals":     principals(),
					"resources":      opt(strSet),
					"sid":            opt(cty.String),
				},
			}},
		},
	}
}

// policyDoc is an IAM policy document in Terraform's JSON shape: fields in
// this order, empty ones left out, one-element lists written as strings.
type policyDoc struct {
	Version    string             `json:",omitempty"`
	ID         string             `json:"Id,omitempty"`
	Statements []*policyStatement `json:"Statement,omitempty"`

	// configVersion is the version attribute of the configuration.
	configVersion string
}

// policyStatement is one statement. Actions and resources are a string or a
// []string (from configuration) or []any (from a source document).
type policyStatement struct {
	Sid           string           `json:",omitempty"`
	Effect        string           `json:",omitempty"`
	Actions       any              `json:"Action,omitempty"`
	NotActions    any              `json:"NotAction,omitempty"`
	Resources     any              `json:"Resource,omitempty"`
	NotResources  any              `json:"NotResource,omitempty"`
	Principals    policyPrincipals `json:"Principal,omitempty"`
	NotPrincipals policyPrincipals `json:"NotPrincipal,omitempty"`
	Conditions    policyConditions `json:"Condition,omitempty"`
}

// render returns the document as Terraform's json (json.MarshalIndent with
// two spaces) and minified_json.
func (d *policyDoc) render() (string, string, error) {
	pretty, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return "", "", fmt.Errorf("formatting policy JSON: %w", err)
	}
	minified, err := json.Marshal(d)
	if err != nil {
		return "", "", fmt.Errorf("formatting policy JSON: %w", err)
	}
	return string(pretty), string(minified), nil
}

// merge adds other's statements to d, a statement with the Sid of an
// existing one replacing it; other's Id wins and its Version may upgrade
// d's (as policy_model.go's Merge).
func (d *policyDoc) merge(other *policyDoc) {
	if other.ID != "" {
		d.ID = other.ID
	}
	if other.Version > d.Version {
		d.Version = other.Version
	}
next:
	for _, s := range other.Statements {
		if s.Sid != "" {
			for i, existing := range d.Statements {
				if existing.Sid == s.Sid {
					d.Statements[i] = s
					continue next
				}
			}
		}
		d.Statements = append(d.Statements, s)
	}
}

// policyDocumentFromConfig merges, in Terraform's order, the source
// documents, the configured statements and the override documents.
func policyDocumentFromConfig(config cty.Value) (*policyDoc, error) {
	merged := &policyDoc{}
	seen := map[string]bool{}
	for i, src := range stringElems(attr(config, "source_policy_documents")) {
		if src == "" {
			continue
		}
		doc := &policyDoc{}
		if err := json.Unmarshal([]byte(src), doc); err != nil {
			return nil, fmt.Errorf("merging source policy document %d: %w", i, err)
		}
		for j, s := range doc.Statements {
			if s.Sid == "" {
				continue
			}
			if seen[s.Sid] {
				return nil, fmt.Errorf("merging source policy document %d: duplicate Sid (%s) in source_policy_documents (statement %d)", i, s.Sid, j)
			}
			seen[s.Sid] = true
		}
		merged.merge(doc)
	}

	version := policyVersionDefault
	if v, ok := knownString(config, "version"); ok && v != "" {
		version = v
	}
	doc := &policyDoc{Version: version}
	doc.ID, _ = knownString(config, "policy_id")
	sids := map[string]bool{}
	for _, block := range blocks(config, "statement") {
		s, err := statementFromConfig(block, version)
		if err != nil {
			return nil, err
		}
		if s.Sid != "" {
			if sids[s.Sid] {
				return nil, fmt.Errorf("duplicate Sid (%s): remove the Sid or make it unique", s.Sid)
			}
			sids[s.Sid] = true
		}
		doc.Statements = append(doc.Statements, s)
	}
	merged.merge(doc)

	for i, o := range stringElems(attr(config, "override_policy_documents")) {
		if o == "" {
			continue
		}
		od := &policyDoc{}
		if err := json.Unmarshal([]byte(o), od); err != nil {
			return nil, fmt.Errorf("merging override policy document %d: %w", i, err)
		}
		merged.merge(od)
	}
	merged.configVersion = version
	return merged, nil
}

// statementFromConfig converts one statement block.
func statementFromConfig(block cty.Value, version string) (*policyStatement, error) {
	s := &policyStatement{Effect: "Allow"}
	if e, ok := knownString(block, "effect"); ok && e != "" {
		s.Effect = e
	}
	s.Sid, _ = knownString(block, "sid")
	if l := stringElems(attr(block, "actions")); len(l) > 0 {
		s.Actions = singleOrReversed(l)
	}
	if l := stringElems(attr(block, "not_actions")); len(l) > 0 {
		s.NotActions = singleOrReversed(l)
	}
	var err error
	if l := stringElems(attr(block, "resources")); len(l) > 0 {
		if s.Resources, err = replacePolicyVars(singleOrReversed(l), version); err != nil {
			return nil, fmt.Errorf("reading resources: %w", err)
		}
	}
	if l := stringElems(attr(block, "not_resources")); len(l) > 0 {
		if s.NotResources, err = replacePolicyVars(singleOrReversed(l), version); err != nil {
			return nil, fmt.Errorf("reading not_resources: %w", err)
		}
	}
	if s.Principals, err = principalsFromConfig(blocks(block, "principals"), version); err != nil {
		return nil, fmt.Errorf("reading principals: %w", err)
	}
	if s.NotPrincipals, err = principalsFromConfig(blocks(block, "not_principals"), version); err != nil {
		return nil, fmt.Errorf("reading not_principals: %w", err)
	}
	for _, c := range blocks(block, "condition") {
		test, _ := knownString(c, "test")
		variable, _ := knownString(c, "variable")
		values, err := replacePolicyVars(stringElems(attr(c, "values")), version)
		if err != nil {
			return nil, fmt.Errorf("reading condition values: %w", err)
		}
		s.Conditions = append(s.Conditions, policyCondition{Test: test, Variable: variable, Values: values.([]string)})
	}
	return s, nil
}

func principalsFromConfig(bs []cty.Value, version string) (policyPrincipals, error) {
	var out policyPrincipals
	for _, b := range bs {
		typ, _ := knownString(b, "type")
		ids, err := replacePolicyVars(singleOrReversed(stringElems(attr(b, "identifiers"))), version)
		if err != nil {
			return nil, err
		}
		out = append(out, policyPrincipal{Type: typ, Identifiers: ids})
	}
	return out, nil
}

// singleOrReversed is policyDecodeConfigStrings: a single element as a
// string, several sorted in reverse order (why reverse is Terraform's
// history; it is what its json holds).
func singleOrReversed(l []string) any {
	if len(l) == 1 {
		return l[0]
	}
	out := append([]string(nil), l...)
	sort.Sort(sort.Reverse(sort.StringSlice(out)))
	return out
}

// replacePolicyVars replaces &{ with ${ in a string or []string; version
// 2008-10-17 has no policy variables and rejects them.
func replacePolicyVars(in any, version string) (any, error) {
	one := func(s string) (string, error) {
		if version == policyVersionLegacy && strings.Contains(s, "&{") {
			return "", fmt.Errorf("found &{ sequence in (%s), which is not supported in document version %s", s, policyVersionLegacy)
		}
		return policyVarReplacer.Replace(s), nil
	}
	switch v := in.(type) {
	case string:
		return one(v)
	case []string:
		out := make([]string, len(v))
		for i, s := range v {
			r, err := one(s)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return in, nil
}

// policyPrincipal is one principals block: Identifiers is a string or a
// []string.
type policyPrincipal struct {
	Type        string
	Identifiers any
}

// policyPrincipals marshals as IAM's Principal element.
type policyPrincipals []policyPrincipal

// MarshalJSON writes {"TYPE": ids, ...}, or "*" for the single principal
// type "*" with identifier "*" (IAM refuses "*" for {"AWS": "*"} in trust
// policies, so only that one form is shortened).
func (ps policyPrincipals) MarshalJSON() ([]byte, error) {
	if len(ps) == 1 && ps[0].Type == "*" {
		switch i := ps[0].Identifiers.(type) {
		case string:
			if i == "*" {
				return []byte(`"*"`), nil
			}
		case []string:
			if len(i) == 1 && i[0] == "*" {
				return []byte(`"*"`), nil
			}
		}
	}
	raw := map[string]any{}
	for _, p := range ps {
		switch ids := p.Identifiers.(type) {
		case []string:
			var list []string
			switch prev := raw[p.Type].(type) {
			case string:
				list = []string{prev}
			case []string:
				list = prev
			}
			sorted := append([]string(nil), ids...)
			sort.Sort(sort.Reverse(sort.StringSlice(sorted)))
			raw[p.Type] = append(list, sorted...)
		case string:
			switch prev := raw[p.Type].(type) {
			case nil:
				raw[p.Type] = ids
			case string:
				raw[p.Type] = []string{prev, ids}
			case []string:
				raw[p.Type] = append(prev, ids)
			}
		default:
			return nil, fmt.Errorf("unsupported principal identifiers %T", ids)
		}
	}
	return json.Marshal(raw)
}

// UnmarshalJSON reads a Principal element of a source or override document.
func (ps *policyPrincipals) UnmarshalJSON(b []byte) error {
	var data any
	if err := json.Unmarshal(b, &data); err != nil {
		return err
	}
	var out policyPrincipals
	switch d := data.(type) {
	case string:
		out = append(out, policyPrincipal{Type: "*", Identifiers: []string{"*"}})
	case map[string]any:
		for _, typ := range slices.Sorted(maps.Keys(d)) {
			switch v := d[typ].(type) {
			case string:
				out = append(out, policyPrincipal{Type: typ, Identifiers: v})
			case []any:
				ids := make([]string, 0, len(v))
				for i, e := range v {
					s, ok := e.(string)
					if !ok {
						return fmt.Errorf("principal %s identifier %d is a %T, not a string", typ, i, e)
					}
					ids = append(ids, s)
				}
				sort.Strings(ids)
				out = append(out, policyPrincipal{Type: typ, Identifiers: ids})
			default:
				return fmt.Errorf("principal %s identifiers are a %T", typ, v)
			}
		}
	default:
		return fmt.Errorf("unsupported Principal %T", d)
	}
	*ps = out
	return nil
}

// policyCondition is one condition block.
type policyCondition struct {
	Test     string
	Variable string
	Values   []string
}

// policyConditions marshals as IAM's Condition element.
type policyConditions []policyCondition

// MarshalJSON writes {"TEST": {"VARIABLE": values}}, values of repeated
// test and variable pairs appended in order, single values as strings.
func (cs policyConditions) MarshalJSON() ([]byte, error) {
	raw := map[string]map[string][]string{}
	for _, c := range cs {
		if raw[c.Test] == nil {
			raw[c.Test] = map[string][]string{}
		}
		if raw[c.Test][c.Variable] == nil {
			raw[c.Test][c.Variable] = []string{}
		}
		raw[c.Test][c.Variable] = append(raw[c.Test][c.Variable], c.Values...)
	}
	out := map[string]map[string]any{}
	for test, vars := range raw {
		out[test] = map[string]any{}
		for variable, values := range vars {
			if len(values) == 1 {
				out[test][variable] = values[0]
			} else {
				out[test][variable] = values
			}
		}
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads a Condition element of a source or override document.
// Booleans become their text, as Terraform reads them; other non-string
// values are dropped, as Terraform drops them.
func (cs *policyConditions) UnmarshalJSON(b []byte) error {
	var data map[string]map[string]any
	if err := json.Unmarshal(b, &data); err != nil {
		return err
	}
	var out policyConditions
	for _, test := range slices.Sorted(maps.Keys(data)) {
		for _, variable := range slices.Sorted(maps.Keys(data[test])) {
			switch v := data[test][variable].(type) {
			case string:
				out = append(out, policyCondition{Test: test, Variable: variable, Values: []string{v}})
			case bool:
				out = append(out, policyCondition{Test: test, Variable: variable, Values: []string{strconv.FormatBool(v)}})
			case []any:
				var values []string
				for _, e := range v {
					if s, ok := e.(string); ok {
						values = append(values, s)
					}
				}
				out = append(out, policyCondition{Test: test, Variable: variable, Values: values})
			}
		}
	}
	*cs = out
	return nil
}
