package aws

import (
	"slices"

	"github.com/gitdrift/driftctl/providers"
)

// defaultPageSize is how many finished resources a reader holds before it
// gives them to the read's page sink, unless the provider says otherwise
// (Provider.pageSize).
const defaultPageSize = 500

// readRequest is what one Read asks of a type's reader: which resources,
// which optional+computed attributes the configuration writes, and where
// finished resources go as the read proceeds. Provider.Read makes one from
// providers.ReadRequest; a reader called for an apply (reading a new
// security group back) makes its own with ids only.
type readRequest struct {
	// ids, when non-empty, limits the read (an implementation may still
	// return more).
	ids []string
	// attributes are the attributes the configuration writes; nil: all
	// may be needed (ReadRequest.Attributes).
	attributes []string
	// page, when not nil, takes finished resources pageSize at a time
	// (ReadRequest.Page, behind the provider's finishing of them).
	page     func([]*providers.Live)
	pageSize int
}

// written reports whether a read must fetch an optional+computed
// attribute: when the configuration writes it, or when the read does not
// say what the configuration writes.
func (r *readRequest) written(name string) bool {
	return r.attributes == nil || slices.Contains(r.attributes, name)
}

// flushPage gives the finished resources in live to the read's page sink
// when it has one and there are at least pageSize of them (all of them
// with force), and returns what the reader still holds. Only resources a
// reader will not change again may be flushed.
func (r *readRequest) flushPage(live []*providers.Live, force bool) []*providers.Live {
	if r.page == nil || len(live) == 0 || (!force && len(live) < r.pageSize) {
		return live
	}
	r.page(live)
	return nil
}
