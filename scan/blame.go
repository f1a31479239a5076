package scan

import (
	"context"
	"errors"

	"github.com/gitdrift/driftctl/drift"
)

// BlameFunc returns who last wrote a line (1-based) of a file, named as in
// the diffs' ranges.
type BlameFunc func(ctx context.Context, file string, line int) (*drift.Blame, error)

// AttributeBlame fills the Blame of every diff of a drifted resource that
// has a source range: only those, since blame is costly. It goes on past a
// line it cannot blame and returns the errors joined.
func AttributeBlame(ctx context.Context, r *drift.Report, blame BlameFunc) error {
	var errs []error
	for i := range r.Results {
		res := &r.Results[i]
		if res.Status != drift.Drifted && res.Status != drift.Ignored {
			continue
		}
		for j := range res.Diffs {
			d := &res.Diffs[j]
			if d.Range == nil || d.Range.Filename == "" {
				continue
			}
			b, err := blame(ctx, d.Range.Filename, d.Range.Start.Line)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			d.Blame = b
		}
	}
	return errors.Join(errs...)
}

// blameOf adapts a source's blame to AttributeBlame; nil for a plain
// directory.
func blameOf(src *Source) BlameFunc {
	if src.Blame == nil {
		return nil
	}
	return func(ctx context.Context, file string, line int) (*drift.Blame, error) {
		if src.Module != nil && src.Module.Foreign(file) {
			// A module from elsewhere: its lines are not the repository's.
			return nil, nil
		}
		b, err := src.Blame(ctx, file, line)
		if err != nil || b == nil {
			return nil, err
		}
		return &drift.Blame{SHA: b.SHA, Author: b.Author, Email: b.Email, Time: b.Time}, nil
	}
}
