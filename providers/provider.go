package providers

import (
	"context"
	"errors"
	"fmt"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Provider reads the live resources of one configured provider instance (one
// `provider "aws"` block: an account and a region). Implementations are safe
// for concurrent use.
type Provider interface {
	// Read returns the live resources of one type. It lists every resource
	// of the type in the provider's region when req.IDs is empty, and
	// otherwise at least those of req.IDs that exist. A failed read returns a
	// *ReadError; it never returns a partial list as if it were complete.
	Read(ctx context.Context, req ReadRequest) (*ReadResponse, error)
	// ReadData evaluates a data source (aws_caller_identity,
	// aws_iam_policy_document, ...) with its decoded configuration.
	ReadData(ctx context.Context, typ string, config cty.Value) (cty.Value, error)
	// Apply makes one change to the cloud toward a desired configuration:
	// creates, updates in place or deletes one resource. It is only called
	// for remediation, after a person or a configuration approved it.
	Apply(ctx context.Context, req ApplyRequest) (*ApplyResponse, error)
	// Close releases what the provider holds.
	Close() error
}

// ChangeKind is what an Apply does.
type ChangeKind string

// The kinds of change. A replace is a Delete then a Create, ordered by the
// caller.
const (
	Create ChangeKind = "create"
	Update ChangeKind = "update"
	Delete ChangeKind = "delete"
)

// ApplyRequest is one change to one resource.
type ApplyRequest struct {
	Type string
	Kind ChangeKind
	// ID of the live resource (Update, Delete).
	ID string
	// Desired is the configuration to reach (Create, Update), with the
	// provider's default tags merged into tags; null for Delete. It is
	// wholly known.
	Desired cty.Value
	// Live is the resource as last read (Update, Delete); null for Create.
	Live cty.Value
	// Changed lists the top-level attributes an Update must change; the
	// others already match.
	Changed []string
}

// ApplyResponse is the outcome of a successful Apply.
type ApplyResponse struct {
	// ID of the resource after the change ("" after a Delete).
	ID string
}

// ErrNotSupported is returned by Apply for a change a type cannot make
// (for example an attribute AWS cannot update in place, which needs a
// replace instead).
var ErrNotSupported = errors.New("not supported")

// ReadRequest asks for the live resources of one type.
type ReadRequest struct {
	Type string
	// IDs limits the read to these resource IDs; empty means all.
	IDs []string
	// Attributes, when not nil, are the attributes the configuration writes
	// for this type. A provider may then skip reading optional+computed
	// attributes not listed (they are never compared), to save calls; it
	// must still read every other attribute.
	Attributes []string
	// Page, when not nil, may receive the live resources as they are read,
	// a page at a time, so that neither side holds them all at once: a
	// provider gives each resource either to Page or in the response, and
	// the caller takes both. Page may be called from several goroutines.
	Page func([]*Live)
}

// ReadResponse holds what a read found.
type ReadResponse struct {
	Resources []*Live
}

// Live is one resource as the cloud has it.
type Live struct {
	Type string
	// ID is the resource's Terraform ID (what `terraform import` takes).
	ID     string
	Region string
	// Attrs conforms to the type's Schema.ImpliedType().
	Attrs cty.Value
	// CloudManaged marks what the cloud makes by itself (the default VPC,
	// its subnets and security group, AWS-managed policies, service-linked
	// roles): never reported as unmanaged unless asked.
	CloudManaged bool
}

// ReadError is a failed read of one resource type in one region. Resources of
// that type there are unknown, never missing.
type ReadError struct {
	Type   string
	Region string
	// Operation is the API operation that failed, as "service:Operation"
	// (e.g. "ec2:DescribeVpcs").
	Operation string
	Err       error
}

func (e *ReadError) Error() string {
	return fmt.Sprintf("reading %s in %s (%s): %v", e.Type, e.Region, e.Operation, e.Err)
}

func (e *ReadError) Unwrap() error { return e.Err }

// Config is an evaluated provider block.
type Config struct {
	// Name of the provider ("aws") and the block's alias ("" for the default).
	Name  string
	Alias string
	// Ref names the configuration in messages: "aws.west", or
	// "module.legacy.aws" for a provider block inside a module; "" is
	// Name and Alias.
	Ref string
	// Attrs is the evaluated provider block; the provider reads its own
	// settings (region, endpoints, default_tags, ...) from it.
	Attrs cty.Value
}

// ProviderSchema is everything a provider declares before it is configured.
type ProviderSchema struct {
	// Provider is the schema of the provider block.
	Provider *Schema
	// Resources and DataSources by type name.
	Resources   map[string]*Schema
	DataSources map[string]*Schema
	// Functions are the provider-defined functions by name, which a
	// configuration calls as provider::LOCAL_NAME::NAME (Terraform 1.8+).
	Functions map[string]function.Function
}

// Factory makes configured providers of one kind.
type Factory interface {
	// Name is the provider's local name ("aws").
	Name() string
	// Schema is the static schema, available before configuration.
	Schema() *ProviderSchema
	// New configures a provider instance from an evaluated provider block.
	New(ctx context.Context, cfg Config) (Configured, error)
}

// Configured is a provider instance together with what its configuration
// says about comparison.
type Configured interface {
	Provider
	// Region is where this instance reads ("" for none).
	Region() string
	// DefaultTags are the provider's default_tags, merged into each
	// resource's tags before comparison.
	DefaultTags() map[string]string
}

// AccountProvider is a Configured provider that knows which account its
// credentials are in.
type AccountProvider interface {
	// Account is the account ID ("" when not known: the identity check
	// was skipped).
	Account() string
}
