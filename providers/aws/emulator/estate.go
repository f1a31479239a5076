package emulator

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Estate records what a test or the demo created, as Terraform's state
// would: the ID of every resource by its address, and the attributes the
// state keeps beside the ID.
type Estate struct {
	IDs   map[string]string
	Attrs map[string]map[string]any
}

// NewEstate returns an empty estate.
func NewEstate() Estate {
	return Estate{IDs: map[string]string{}, Attrs: map[string]map[string]any{}}
}

// StateJSON is a Terraform state (format v4) recording the estate, as
// `terraform apply` would have written it (with fewer attributes).
func (e *Estate) StateJSON() ([]byte, error) {
	type instance struct {
		IndexKey      any            `json:"index_key,omitempty"`
		SchemaVersion int            `json:"schema_version"`
		Attributes    map[string]any `json:"attributes"`
		Sensitive     []any          `json:"sensitive_attributes"`
	}
	type resource struct {
		Mode      string     `json:"mode"`
		Type      string     `json:"type"`
		Name      string     `json:"name"`
		Provider  string     `json:"provider"`
		Instances []instance `json:"instances"`
	}
	byRes := map[string]*resource{}
	var order []string
	for _, addr := range slices.Sorted(maps.Keys(e.IDs)) {
		typ, name, key := splitAddress(addr)
		rk := typ + "." + name
		r := byRes[rk]
		if r == nil {
			r = &resource{Mode: "managed", Type: typ, Name: name, Provider: `provider["registry.terraform.io/hashicorp/aws"]`}
			byRes[rk] = r
			order = append(order, rk)
		}
		attrs := map[string]any{"id": e.IDs[addr]}
		for k, v := range e.Attrs[addr] {
			attrs[k] = v
		}
		r.Instances = append(r.Instances, instance{IndexKey: key, Attributes: attrs, Sensitive: []any{}})
	}
	var resources []*resource
	for _, rk := range order {
		resources = append(resources, byRes[rk])
	}
	return json.MarshalIndent(map[string]any{
		"version":           4,
		"terraform_version": "1.11.0",
		"serial":            1,
		"lineage":           "5b0e6d2c-demo-4c1e-9a57-driftctl",
		"outputs":           map[string]any{},
		"resources":         resources,
		"check_results":     nil,
	}, "", "  ")
}

// splitAddress splits `type.name["key"]` or `type.name[0]` into its
// parts: key is nil, a string (for_each) or an int (count).
func splitAddress(addr string) (typ, name string, key any) {
	rest := addr
	if i := strings.IndexByte(rest, '['); i >= 0 {
		raw := rest[i+1 : len(rest)-1]
		if s, err := strconv.Unquote(raw); err == nil {
			key = s
		} else if n, err := strconv.Atoi(raw); err == nil {
			key = n
		}
		rest = rest[:i]
	}
	typ, name, _ = strings.Cut(rest, ".")
	return typ, name, key
}
