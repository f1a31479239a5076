package plugin

import (
	"context"

	"github.com/zclconf/go-cty/cty"
)

// dynamicValue is a protocol DynamicValue, whichever the version.
type dynamicValue struct{ msgpack, json []byte }

// rawImported is an ImportResourceState result before decoding.
type rawImported struct {
	typ     string
	state   dynamicValue
	private []byte
}

// rawPlan is a PlanResourceChange answer before decoding.
type rawPlan struct {
	planned         dynamicValue
	requiresReplace []cty.Path
	private         []byte
	legacy          bool
}

// wire is one protocol version's RPCs with values still encoded: v5 and v6
// implement it over their generated stubs, and client does the rest
// (encoding, deadlines, errors) once for both.
type wire interface {
	getSchema(ctx context.Context) (*ProviderSchema, []Diagnostic, error)
	configure(ctx context.Context, terraformVersion string, config []byte) ([]Diagnostic, error)
	upgradeResourceState(ctx context.Context, typ string, version int64, rawJSON []byte) (dynamicValue, []Diagnostic, error)
	readResource(ctx context.Context, typ string, current, private []byte) (dynamicValue, []byte, []Diagnostic, error)
	planResourceChange(ctx context.Context, typ string, prior, proposed, config, priorPrivate []byte) (rawPlan, []Diagnostic, error)
	applyResourceChange(ctx context.Context, typ string, prior, planned, config, plannedPrivate []byte) (dynamicValue, []byte, []Diagnostic, error)
	importResourceState(ctx context.Context, typ, id string) ([]rawImported, []Diagnostic, error)
	readDataSource(ctx context.Context, typ string, config []byte) (dynamicValue, []Diagnostic, error)
	stop(ctx context.Context) error
}
