package scan

import (
	"context"

	"github.com/gitdrift/driftctl/state"
)

// stateOf reads the Terraform state of a loaded source: the locations
// given, else the module's backend, else terraform.tfstate beside it (see
// state.Discover); nil when there is none.
func stateOf(ctx context.Context, src *Source, locations []string) (*state.State, error) {
	var backend *state.Backend
	if b := src.Module.Backend; b != nil {
		backend = &state.Backend{Type: b.Type, Config: b.Config}
	}
	return state.Discover(ctx, locations, backend, src.Dir)
}
