package scan

import (
	"context"
	"errors"
	"fmt"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/state"
)

// stateOf reads the Terraform state of a loaded source: the locations
// given (patterns expanded), else the module's backend's state of the
// workspace, else terraform.tfstate beside it (see state.Discover); nil
// when there is none.
func stateOf(ctx context.Context, src *Source, locations []string, workspace string) (*state.State, error) {
	var backend *state.Backend
	if workspace != "" && workspace != state.DefaultWorkspace {
		// Terraform's implicit local backend keeps workspaces too.
		backend = &state.Backend{Workspace: workspace}
	}
	if b := src.Module.Backend; b != nil {
		backend = &state.Backend{Type: b.Type, Config: b.Config, Workspace: workspace}
		if _, _, err := state.Resolve(*backend, src.Dir); err != nil && len(locations) == 0 {
			// Reading no state would match resources by their
			// configuration alone: every one without a natural identity
			// would be unknown, and what they create unmanaged. Nor is a
			// terraform.tfstate beside the configuration the backend's.
			return nil, unreadableBackend(b, err)
		}
	}
	return state.Discover(ctx, locations, backend, src.Dir)
}

// unreadableBackend is the error for a backend whose state driftctl
// cannot read (err says why), when no --state gives it.
func unreadableBackend(b *config.Backend, err error) error {
	if errors.Is(err, state.ErrUnsupportedBackend) {
		what := fmt.Sprintf("a %q backend", b.Type)
		return fmt.Errorf("%s: the state is in %s, which driftctl does not read; give it with --state (a path or glob, s3://BUCKET/KEY, an https URL), for example the file `terraform state pull` writes",
			b.DeclRange, what)
	}
	hint := "; or give the state with --state"
	if errors.Is(err, state.ErrIncomplete) {
		hint = " (settings given to terraform init -backend-config are not in the configuration): set it, or give the state with --state"
	}
	return fmt.Errorf("%s: %w%s (a path or glob, s3://BUCKET/KEY, an https URL)", b.DeclRange, err, hint)
}
