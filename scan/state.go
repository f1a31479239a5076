package scan

import (
	"context"
	"fmt"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/state"
)

// stateOf reads the Terraform state of a loaded source: the locations
// given, else the module's backend's state of the workspace, else
// terraform.tfstate beside it (see state.Discover); nil when there is none.
func stateOf(ctx context.Context, src *Source, locations []string, workspace string) (*state.State, error) {
	var backend *state.Backend
	if workspace != "" && workspace != state.DefaultWorkspace {
		// Terraform's implicit local backend keeps workspaces too.
		backend = &state.Backend{Workspace: workspace}
	}
	if b := src.Module.Backend; b != nil {
		backend = &state.Backend{Type: b.Type, Config: b.Config, Workspace: workspace}
		if _, _, ok := state.FromBackend(*backend, src.Dir); !ok && len(locations) == 0 {
			// Reading no state would match resources by their
			// configuration alone: every one without a natural identity
			// would be unknown, and what they create unmanaged.
			return nil, unreadableBackend(b, workspace)
		}
	}
	return state.Discover(ctx, locations, backend, src.Dir)
}

// unreadableBackend is the error for a backend whose state driftctl
// cannot read, when no --state gives it.
func unreadableBackend(b *config.Backend, workspace string) error {
	what := fmt.Sprintf("a %q backend", b.Type)
	switch {
	case b.Type == "http" && b.Config["address"] != "" && workspace != "" && workspace != state.DefaultWorkspace:
		return fmt.Errorf("%s: the http backend has only the default workspace, not %q", b.DeclRange, workspace)
	case b.Type == "cloud":
		what = "HCP Terraform (a cloud block)"
	case b.Type == "s3" || b.Type == "http":
		what = fmt.Sprintf("an %q backend whose settings are given outside the configuration (terraform init -backend-config)", b.Type)
	}
	return fmt.Errorf("%s: the state is in %s, which driftctl cannot read; give it with --state (a path, s3://BUCKET/KEY or an https URL), for example the file `terraform state pull` writes",
		b.DeclRange, what)
}
