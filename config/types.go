// Package config loads the desired state: a directory of Terraform language
// files (.tf, .tf.json) parsed with hcl/v2 and evaluated with cty into
// desired resources, each attribute keeping its source range.
//
// config knows no provider: resource, data source and provider bodies are
// decoded with hcldec specs from a SchemaSource, data sources are evaluated by
// a DataReader, and what a reference to another resource yields is decided by
// a Resolver. The scan package wires providers and the drift engine into these.
package config

import (
	"context"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
)

// ProviderRef names a provider configuration: `aws` or `aws.west`; one
// written inside a called module (a legacy module with its own provider
// block) has that module's address too.
type ProviderRef struct {
	Name  string
	Alias string
	// Module is the address of the module whose provider block this is,
	// "" for the root module.
	Module string
}

// String is "aws", "aws.west" or "module.legacy.aws".
func (p ProviderRef) String() string {
	s := p.Name
	if p.Alias != "" {
		s += "." + p.Alias
	}
	return joinAddress(p.Module, s)
}

// SchemaSource gives the hcldec spec that decodes a body of each provider,
// resource and data source type. The second result is false for unknown
// types.
type SchemaSource interface {
	ProviderSpec(name string) (hcldec.Spec, bool)
	ResourceSpec(typ string) (hcldec.Spec, bool)
	DataSpec(typ string) (hcldec.Spec, bool)
}

// DataReader evaluates a supported data source with its decoded
// configuration, using the given provider configuration.
type DataReader interface {
	ReadData(ctx context.Context, provider ProviderRef, typ string, config cty.Value) (cty.Value, error)
}

// StateDataReader is a DataReader that also has the values the state
// recorded for data sources: Evaluate uses them for a data source driftctl
// cannot read itself, so that what depends on it can still be compared.
type StateDataReader interface {
	DataReader
	// StateData returns the value recorded for a data source instance
	// ("data.aws_ami.base[0]") and the paths the state recorded as
	// sensitive in it; ok is false when the state has none.
	StateData(address string) (v cty.Value, sensitive []cty.Path, ok bool)
}

// Resolver decides what a reference to a resource instance yields. Evaluate
// calls Resolve once per resource instance, in dependency order, right after
// the instance's configuration was evaluated; the returned object (for
// example the live attributes, with "id") is what other resources see as
// aws_vpc.main. Returning r.Config with unknown computed attributes is
// correct when nothing better is known.
type Resolver interface {
	Resolve(ctx context.Context, r *Resource) cty.Value
}

// AttributeBlocksSource is a SchemaSource whose resource types accept
// some nested blocks also as an attribute, a list of objects (Terraform's
// attributes as blocks: `ingress = [{...}]`).
type AttributeBlocksSource interface {
	// AttributeBlocks maps those blocks' names to the attribute's type: a
	// list or set of objects.
	AttributeBlocks(typ string) map[string]cty.Type
}

// TypeDoneResolver is a Resolver that wants to know when every resource
// block of a type has been evaluated (Evaluate calls TypeDone once per
// type, after the type's last Resolve): a drift engine can then release
// what it held for matching that type.
type TypeDoneResolver interface {
	Resolver
	TypeDone(typ string)
}

// ProviderConfig is an evaluated provider block (or the implicit empty one
// for a provider that resources use without a block).
type ProviderConfig struct {
	Ref ProviderRef
	// Type is the provider's type, the last part of its source in
	// required_providers ("hashicorp/aws" is "aws"); without an entry
	// there, the local name.
	Type string
	// Config is the body decoded with SchemaSource.ProviderSpec.
	Config    cty.Value
	DeclRange hcl.Range
}

// Resource is one desired resource instance after count/for_each expansion.
type Resource struct {
	// Address is Terraform's instance address: aws_subnet.private["a"],
	// aws_instance.web[0], aws_vpc.main.
	Address string
	// Module is the module instance the resource is in: "" for the root
	// module, module.svc["api"].module.bucket[0].
	Module string
	Type   string
	Name   string
	// Key is the instance key: cty.NilVal without count/for_each, a number
	// with count, a string with for_each. When count or for_each is not
	// known, one instance stands for all: its Key is unknown, its Address
	// ends in [*] and Unsupported says why.
	Key      cty.Value
	Provider ProviderRef
	// Config is the body decoded with SchemaSource.ResourceSpec: an object
	// whose attributes are null where configuration leaves them out and
	// unknown where they depend on something not known (a computed
	// attribute of a resource not yet created, an unsupported construct).
	Config cty.Value
	// Ranges maps attribute paths to where they are written: "tags",
	// "tags.Env" (a key of a literal map), "ingress" (the first block),
	// "versioning_configuration.status".
	Ranges    map[string]hcl.Range
	DeclRange hcl.Range
	// IgnoreChanges lists lifecycle.ignore_changes paths in the same dotted
	// form as Ranges; IgnoreAll is `ignore_changes = all`.
	IgnoreChanges  []string
	IgnoreAll      bool
	PreventDestroy bool
	// ImportID is the ID an `import` block gives this instance, if any.
	ImportID string
	// References are the managed resources (module path and "TYPE.NAME")
	// the configuration depends on in its module, directly or through
	// locals and data sources.
	References []string
	// Unsupported lists why this instance cannot be evaluated faithfully
	// (it refers to a module or an unsupported data source), each naming
	// file:line. The drift engine reports such resources as unknown.
	Unsupported []string
	// SensitivePaths lists, in the dotted form of Ranges, the parts of
	// Config that come from sensitive variables. Config itself is unmarked.
	SensitivePaths []string
	// sensitive are the paths of SensitivePaths (see SensitiveStrings).
	sensitive []cty.Path
	// AttributeSyntax lists the nested blocks written as an attribute
	// (`egress = []`): for those, even an empty list says "none", where no
	// blocks leave an optional+computed block to the cloud.
	AttributeSyntax []string
}

// Backend is the terraform { backend "..." } block.
type Backend struct {
	Type string // "local", "s3", ...; "cloud" for a cloud block
	// Config holds the backend's literal string settings (path; bucket,
	// key, region, endpoint, use_path_style, profile, ...).
	Config    map[string]string
	DeclRange hcl.Range
}
