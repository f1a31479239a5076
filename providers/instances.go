package providers

import (
	"context"

	"github.com/zclconf/go-cty/cty"
)

// InstanceReader is a Configured provider that reads resources one at a
// time from what the state recorded of each, and plans each against its
// configuration with its own semantics (defaults, normalization, diff
// suppression): a Terraform provider plugin, whose protocol has no
// listing. It reads the types whose Schema is ByInstance.
type InstanceReader interface {
	// Refresh reads one resource as the state recorded it (upgraded to the
	// provider's current schema first). A nil Instance, or one whose State
	// is null, means the resource no longer exists.
	Refresh(ctx context.Context, req RefreshRequest) (*Instance, error)
	// Import reads the resource an import ID names; nil when none exists.
	Import(ctx context.Context, typ, id string) (*Instance, error)
	// Plan is the provider's plan toward cfg (the resource's evaluated
	// configuration) from prior (a Refresh's or an Import's result).
	Plan(ctx context.Context, prior *Instance, cfg cty.Value) (*Plan, error)
	// ApplyPlan carries out a plan: an update or a replace's create from
	// prior (null State for a create), or a delete (plan nil). It returns
	// the resource's new state (nil after a delete).
	ApplyPlan(ctx context.Context, prior *Instance, plan *Plan, cfg cty.Value) (*Instance, error)
}

// RefreshRequest is one resource as the state recorded it.
type RefreshRequest struct {
	Type string
	// SchemaVersion and Attributes (JSON) are the state's; Private the
	// provider's private data the state kept.
	SchemaVersion uint64
	Attributes    []byte
	Private       []byte
}

// Instance is one resource as the provider has it: State conforms to the
// type's schema.
type Instance struct {
	Type    string
	State   cty.Value
	Private []byte
}

// Plan is what a provider would do to make a resource match its
// configuration.
type Plan struct {
	Type string
	// Planned is the planned new state, unknown where only applying can
	// tell (never drift).
	Planned cty.Value
	// RequiresReplace are the paths whose change the provider cannot make
	// in place.
	RequiresReplace []cty.Path
	// Private is the provider's private data for applying the plan.
	Private []byte
}
