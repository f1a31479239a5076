package drift

import (
	"context"

	"github.com/gitdrift/driftctl/spec"
)

// CommitOf is the report's commit for a desired state read from Git, nil
// for a plain directory.
func CommitOf(src *spec.Source, path string) *Commit {
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
func BlameOf(src *spec.Source) BlameFunc {
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
