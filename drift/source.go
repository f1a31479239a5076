package drift

import (
	"context"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/state"
)

// CommitOf is the report's commit for a desired state read from Git, nil
// for a plain directory.
func CommitOf(src *config.Source, path string) *Commit {
	c := src.Commit
	if c == nil {
		return nil
	}
	return &Commit{
		SHA: c.SHA, Ref: c.Ref, Author: c.Author, Email: c.Email, Time: c.Time,
		Message: c.Message, Dirty: c.Dirty, Repository: c.Repository, Path: path,
	}
}

// BlameOf adapts a source's blame to AttributeBlame; nil for a plain
// directory.
func BlameOf(src *config.Source) BlameFunc {
	if src.Blame == nil {
		return nil
	}
	return func(ctx context.Context, file string, line int) (*Blame, error) {
		b, err := src.Blame(ctx, file, line)
		if err != nil || b == nil {
			return nil, err
		}
		return &Blame{SHA: b.SHA, Author: b.Author, Email: b.Email, Time: b.Time}, nil
	}
}

// StateOf reads the Terraform state of a loaded source: the locations
// given, else the module's backend, else terraform.tfstate beside it (see
// state.Discover); nil when there is none.
func StateOf(ctx context.Context, src *config.Source, locations []string) (*state.State, error) {
	var backend *state.Backend
	if b := src.Module.Backend; b != nil {
		backend = &state.Backend{Type: b.Type, Config: b.Config}
	}
	return state.Discover(ctx, locations, backend, src.Dir)
}
