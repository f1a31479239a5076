package aws

import (
	"context"
	"fmt"

	"github.com/gitdrift/driftctl/providers"
)

// applyFunc makes one change to one resource of a type.
type applyFunc func(ctx context.Context, p *Provider, req providers.ApplyRequest) (*providers.ApplyResponse, error)

// Apply makes one change toward a desired configuration.
func (p *Provider) Apply(ctx context.Context, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	rt, ok := p.f.resources[req.Type]
	if !ok {
		return nil, fmt.Errorf("resource type %s is not supported by the aws provider", req.Type)
	}
	if rt.apply == nil {
		return nil, fmt.Errorf("%s %s: %w", req.Kind, req.Type, providers.ErrNotSupported)
	}
	resp, err := rt.apply(ctx, p, req)
	if err != nil {
		return nil, fmt.Errorf("%s %s %s (%s): %w", req.Kind, req.Type, req.ID, operationOf(err), err)
	}
	// A change makes the reads this provider cached stale.
	p.forgetReads()
	return resp, nil
}
