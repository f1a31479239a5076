package aws

import (
	"context"
	"slices"
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
