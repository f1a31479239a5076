// Package genconfig writes Terraform configuration for live resources that
// no configuration declares, as `terraform plan -generate-config-out` does:
// for each one a resource block of the attributes a configuration sets
// (from the type's schema), and an import block with its ID. A scan's
// unmanaged results are its input (driftctl gen-import); adding its output
// to the configuration makes them managed and in sync.
package genconfig

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/providers"
)

// Resource is one live resource to write configuration for.
type Resource struct {
	Type string
	// ID is the resource's Terraform ID, what `terraform import` takes.
	ID string
	// Provider is the provider configuration that read it ("aws",
	// "aws.west"): the resource block names an aliased one.
	Provider string
	// Live are its attributes as read (the type's Schema.ImpliedType()).
	Live cty.Value
	// DefaultTags are its provider configuration's default_tags: a tag
	// equal to one of them is left out of tags, since the provider
	// merges it back.
	DefaultTags map[string]string
	// Secret, when not nil, reports whether a string holds a sensitive
	// value of the configuration (a password a variable marks sensitive):
	// an attribute holding one is left out as a sensitive one is.
	Secret func(s string) bool
}

// Header opens every generated file, as Terraform's own generated
// configuration says where it came from.
const Header = "# __generated__ by driftctl gen-import\n" +
	"# Review these resources and move them into your configuration.\n"

// Generated is a file of generated configuration.
type Generated struct {
	// HCL is the file, formatted (hclwrite), Header first; nil when there
	// is no resource.
	HCL []byte
	// Addresses are the resources written, in the file's order.
	Addresses []string
	// Notes say what the user must complete or know: sensitive
	// attributes left out, resources skipped. They never hold a
	// sensitive value.
	Notes []string
}

// Generate writes the configuration of resources: each gets a name from
// its Name tag or ID (see Names) that is none of taken (the addresses,
// TYPE.NAME, the configuration already declares), an import block, and a
// resource block of its configurable attributes (see Body), in the order
// of their addresses. schemaOf finds each type's schema; a type without
// one is an error.
func Generate(resources []Resource, schemaOf func(typ string) (*providers.Schema, bool), taken map[string]bool) (*Generated, error) {
	sorted := slices.Clone(resources)
	slices.SortFunc(sorted, func(a, b Resource) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Provider, b.Provider))
	})
	names := Names(sorted, taken)
	// The file lists the resources by address.
	order := make([]int, len(sorted))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		return cmp.Or(cmp.Compare(sorted[i].Type, sorted[j].Type), cmp.Compare(names[i], names[j]))
	})
	out := &Generated{}
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	for _, i := range order {
		r := sorted[i]
		schema, ok := schemaOf(r.Type)
		if !ok {
			return nil, fmt.Errorf("generating %s %s: no schema for the type", r.Type, r.ID)
		}
		addr := r.Type + "." + names[i]
		if r.Live == cty.NilVal || r.Live.IsNull() || !r.Live.IsKnown() {
			return nil, fmt.Errorf("generating %s (%s): its live attributes were not kept by the scan", addr, r.ID)
		}
		alias, aliased := providerAlias(r.Provider)
		body.AppendNewline()
		imp := body.AppendNewBlock("import", nil).Body()
		imp.SetAttributeTraversal("to", hcl.Traversal{hcl.TraverseRoot{Name: r.Type}, hcl.TraverseAttr{Name: names[i]}})
		imp.SetAttributeValue("id", cty.StringVal(r.ID))
		body.AppendNewline()
		block := body.AppendNewBlock("resource", []string{r.Type, names[i]})
		if aliased {
			// Both blocks name it, as Terraform's import documentation
			// shows for a non-default provider configuration.
			imp.SetAttributeTraversal("provider", alias)
			block.Body().SetAttributeTraversal("provider", alias)
		} else if r.Provider != "" && strings.Contains(r.Provider, ".") {
			out.Notes = append(out.Notes, fmt.Sprintf("%s: read through provider %s, which a root module resource cannot name: set its provider yourself", addr, r.Provider))
		}
		for _, sensitive := range writeBody(block.Body(), schema, r.Live, r.DefaultTags, r.Secret) {
			out.Notes = append(out.Notes, fmt.Sprintf("%s: %s is sensitive: its value is not written; set it yourself", addr, sensitive))
		}
		out.Addresses = append(out.Addresses, addr)
	}
	if len(out.Addresses) == 0 {
		return out, nil
	}
	out.HCL = append([]byte(Header), hclwrite.Format(f.Bytes())...)
	return out, nil
}

// providerAlias is the traversal of an aliased root-module provider
// configuration ("aws.west"); ok is false for a default one and for one
// inside a module.
func providerAlias(ref string) (hcl.Traversal, bool) {
	name, alias, ok := strings.Cut(ref, ".")
	if !ok || strings.HasPrefix(ref, "module.") || !hclsyntax.ValidIdentifier(name) || !hclsyntax.ValidIdentifier(alias) {
		return nil, false
	}
	return hcl.Traversal{hcl.TraverseRoot{Name: name}, hcl.TraverseAttr{Name: alias}}, true
}

// Target names one unmanaged resource, TYPE/ID (--target).
type Target struct{ Type, ID string }

// ParseTarget reads TYPE/ID; the ID may hold slashes (an IAM role policy
// attachment's role/arn).
func ParseTarget(s string) (Target, error) {
	typ, id, ok := strings.Cut(s, "/")
	if !ok || typ == "" || id == "" || !hclsyntax.ValidIdentifier(typ) {
		return Target{}, fmt.Errorf("--target %q: expected TYPE/ID, such as aws_vpc/vpc-0abc", s)
	}
	return Target{Type: typ, ID: id}, nil
}

func (t Target) String() string { return t.Type + "/" + t.ID }

// Unmanaged returns the resources to generate from a scan's report: its
// unmanaged results, all of them or those targets name, with their live
// values and their provider configuration's default tags (by name). A
// target that is not an unmanaged resource of the report is an error
// naming it. An unmanaged resource whose ID holds a sensitive value is
// left out, with a note: its import block would write the value.
func Unmanaged(rep *drift.Report, defaultTags map[string]map[string]string, targets []Target) ([]Resource, []string, error) {
	wanted := map[Target]bool{}
	for _, t := range targets {
		wanted[t] = false
	}
	var out []Resource
	var notes []string
	for i := range rep.Results {
		r := &rep.Results[i]
		if r.Status != drift.Unmanaged {
			continue
		}
		t := Target{Type: r.Type, ID: r.ID}
		if len(targets) > 0 {
			if _, ok := wanted[t]; !ok {
				continue
			}
			wanted[t] = true
		}
		if r.IDSensitive {
			notes = append(notes, fmt.Sprintf("%s %s: its ID holds a sensitive value: not generated", r.Type, drift.SensitiveID))
			continue
		}
		out = append(out, Resource{Type: r.Type, ID: r.ID, Provider: r.Provider, Live: r.LiveValue(), DefaultTags: defaultTags[r.Provider],
			Secret: func(s string) bool { return r.ShownID(s) == drift.SensitiveID }})
	}
	for _, t := range targets {
		if !wanted[t] {
			return nil, nil, fmt.Errorf("--target %s: not an unmanaged resource of the scan (the report lists them)", t)
		}
	}
	return out, notes, nil
}

// Declared are the root-module resource addresses (TYPE.NAME) a report's
// results hold, which generated names must avoid.
func Declared(rep *drift.Report) map[string]bool {
	taken := map[string]bool{}
	for _, r := range rep.Results {
		addr := r.Address
		if addr == "" || strings.HasPrefix(addr, "module.") || strings.HasPrefix(addr, "data.") {
			continue
		}
		if i := strings.IndexByte(addr, '['); i >= 0 {
			addr = addr[:i]
		}
		taken[addr] = true
	}
	return taken
}
