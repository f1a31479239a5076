package drift

import (
	"context"
	"errors"
)

// BlameFunc returns who last wrote a line (1-based) of a file, named as in
// the diffs' ranges.
type BlameFunc func(ctx context.Context, file string, line int) (*Blame, error)

// AttributeBlame fills the Blame of every diff of a drifted resource that
// has a source range: only those, since blame is costly. It goes on past a
// line it cannot blame and returns the errors joined.
func AttributeBlame(ctx context.Context, r *Report, blame BlameFunc) error {
	var errs []error
	for i := range r.Results {
		res := &r.Results[i]
		if res.Status != Drifted && res.Status != Ignored {
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
