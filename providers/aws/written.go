package aws

import (
	"context"
	"slices"

	"github.com/gitdrift/driftctl/providers"
)

// writtenKey carries a read's ReadRequest.Attributes in its context.
type writtenKey struct{}

// withWritten records which attributes the configuration writes (nil: all
// may be needed).
func withWritten(ctx context.Context, attrs []string) context.Context {
	if attrs == nil {
		return ctx
	}
	return context.WithValue(ctx, writtenKey{}, attrs)
}

// written reports whether a read must fetch an optional+computed
// attribute: when the configuration writes it, or when the read does not
// say what the configuration writes.
func written(ctx context.Context, name string) bool {
	attrs, ok := ctx.Value(writtenKey{}).([]string)
	return !ok || slices.Contains(attrs, name)
}

// pageKey carries a read's page sink (ReadRequest.Page) in its context.
type pageKey struct{}

// withPages lets a read give its resources to sink as it goes.
func withPages(ctx context.Context, sink func([]*providers.Live)) context.Context {
	return context.WithValue(ctx, pageKey{}, sink)
}

// pageSize is how many finished resources a reader holds before it gives
// them to the read's page sink.
var pageSize = 500

// flushPage gives the finished resources in live to the read's page sink
// when it has one and there are at least pageSize of them (all of them
// with force), and returns what the reader still holds. Only resources a
// reader will not change again may be flushed.
func flushPage(ctx context.Context, live []*providers.Live, force bool) []*providers.Live {
	sink, ok := ctx.Value(pageKey{}).(func([]*providers.Live))
	if !ok || len(live) == 0 || (!force && len(live) < pageSize) {
		return live
	}
	sink(live)
	return nil
}
