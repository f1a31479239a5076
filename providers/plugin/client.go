// Package plugin drives Terraform provider binaries over the Terraform
// plugin protocol (gRPC through hashicorp/go-plugin), versions 5 and 6,
// behind one protocol-neutral Client: schema, configure, upgrade, read,
// plan, apply, import and data source reads, with values as cty.Value.
//
// The wire definitions are driftctl's own trimmed copies of the published
// protocol (internal/tfplugin5, internal/tfplugin6; `just proto`).
package plugin

import (
	"context"

	"github.com/zclconf/go-cty/cty"
)

// Client is one running provider process, configured at most once. Its
// methods are safe for concurrent use; each call has a deadline (the
// context's, or the client's call timeout when sooner). A call that fails
// because the process crashed or the deadline passed returns a *CallError;
// problems the provider reports are *DiagnosticsError.
type Client interface {
	// ProtocolVersion is the protocol negotiated with the provider: 5 or 6.
	ProtocolVersion() int
	// Schema returns the provider's schema, fetched on the first call and
	// kept.
	Schema(ctx context.Context) (*ProviderSchema, error)
	// Configure configures the provider with a value of its configuration
	// schema's type (cty.NilVal or null: an empty configuration).
	Configure(ctx context.Context, config cty.Value) error
	// UpgradeResourceState turns a resource's state as stored (its JSON
	// attributes and the schema_version it was written with) into a value
	// of the type's current schema.
	UpgradeResourceState(ctx context.Context, typ string, version int64, rawJSON []byte) (cty.Value, error)
	// ReadResource refreshes a resource from the cloud. A null newState
	// means the resource is gone.
	ReadResource(ctx context.Context, typ string, current cty.Value, private []byte) (newState cty.Value, newPrivate []byte, err error)
	// PlanResourceChange asks the provider what applying proposed (the
	// prior state merged with the configuration) to prior would give, and
	// which attribute paths force a replacement.
	PlanResourceChange(ctx context.Context, req PlanRequest) (*PlanResponse, error)
	// ApplyResourceChange makes a planned change. A null Planned deletes.
	ApplyResourceChange(ctx context.Context, req ApplyRequest) (newState cty.Value, newPrivate []byte, err error)
	// ImportResourceState returns the resources an import ID stands for
	// (usually one, with little more than its ID set: ReadResource fills
	// it in).
	ImportResourceState(ctx context.Context, typ, id string) ([]ImportedResource, error)
	// ReadDataSource reads a data source with its configuration.
	ReadDataSource(ctx context.Context, typ string, config cty.Value) (cty.Value, error)
	// Close stops the provider process; it is killed if it does not exit
	// promptly. Close is idempotent.
	Close() error
}

// PlanRequest is one PlanResourceChange call. Prior is null for a create,
// Proposed null for a delete.
type PlanRequest struct {
	Type                    string
	Prior, Proposed, Config cty.Value
	PriorPrivate            []byte
}

// PlanResponse is a provider's plan: the planned state (unknown where
// only applying can tell), the paths whose change forces a replacement,
// and the private data to pass to ApplyResourceChange.
type PlanResponse struct {
	Planned         cty.Value
	RequiresReplace []cty.Path
	PlannedPrivate  []byte
	// LegacyTypeSystem is set by providers of the legacy SDK
	// (helper/schema), whose plans Terraform does not hold to its
	// consistency rules.
	LegacyTypeSystem bool
}

// ApplyRequest is one ApplyResourceChange call, with what the plan
// returned.
type ApplyRequest struct {
	Type                   string
	Prior, Planned, Config cty.Value
	PlannedPrivate         []byte
}

// ImportedResource is one resource an import ID resolved to.
type ImportedResource struct {
	Type    string
	State   cty.Value
	Private []byte
}
