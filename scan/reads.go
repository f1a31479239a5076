package scan

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/providers"
)

// readKey names one read: a resource type through one provider
// configuration.
type readKey struct {
	provider config.ProviderRef
	typ      string
}

// readResult is the outcome of one read, available once done is closed.
type readResult struct {
	done   chan struct{}
	region string
	// index holds what the read found, once done is closed.
	index *drift.Index
	err   error
}

// reads runs every planned read concurrently, at most limit at a time, and
// lets evaluation wait for the one it needs.
type reads struct {
	results map[readKey]*readResult
	order   []readKey
}

func startReads(ctx context.Context, plan map[config.ProviderRef][]string, schemaOf func(typ string) *providers.Schema, attributes func(typ string) []string, configured map[config.ProviderRef]providers.Configured, limit int, progress func(ReadProgress)) *reads {
	r := &reads{results: map[readKey]*readResult{}}
	sem := make(chan struct{}, limit)
	for _, ref := range sortedRefs(plan) {
		p := configured[ref]
		for _, typ := range plan[ref] {
			k := readKey{ref, typ}
			res := &readResult{done: make(chan struct{})}
			r.results[k] = res
			r.order = append(r.order, k)
			if p == nil {
				res.err = errors.New("provider " + ref.String() + " is not configured")
				close(res.done)
				continue
			}
			res.region = p.Region()
			schema := schemaOf(typ)
			go func() {
				defer close(res.done)
				idx := drift.NewIndex(schema, typ)
				if progress != nil {
					defer func() {
						progress(ReadProgress{Type: typ, Region: res.region, Resources: idx.Len(), Err: res.err})
					}()
				}
				// A provider's bug must not end the process (serve scans
				// every stack in one): the read fails, and its
				// resources are unknown. (Deferred after progress, so that
				// progress sees the error.)
				defer func() {
					if v := recover(); v != nil {
						res.index = nil
						res.err = &providers.ReadError{Type: typ, Region: res.region, Err: fmt.Errorf("the provider panicked: %v", v)}
					}
				}()
				select {
				case sem <- struct{}{}:
				case <-ctx.Done():
					res.err = ctx.Err()
					return
				}
				defer func() { <-sem }()
				var mu sync.Mutex
				take := func(live []*providers.Live) {
					mu.Lock()
					defer mu.Unlock()
					for _, l := range live {
						idx.Add(schema, l)
					}
				}
				resp, err := p.Read(ctx, providers.ReadRequest{Type: typ, Attributes: attributes(typ), Page: take})
				if err != nil {
					res.err = err
					return
				}
				take(resp.Resources)
				res.index = idx
			}()
		}
	}
	return r
}

// types lists the types read, each once, in the order of the reads.
func (r *reads) types() []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range r.order {
		if !seen[k.typ] {
			seen[k.typ] = true
			out = append(out, k.typ)
		}
	}
	return out
}

// wait returns the read of typ through provider, waiting for it; ok is false
// when no such read was planned.
func (r *reads) wait(ctx context.Context, provider config.ProviderRef, typ string) (*readResult, bool) {
	res, ok := r.results[readKey{provider, typ}]
	if !ok {
		return nil, false
	}
	select {
	case <-res.done:
	case <-ctx.Done():
		return &readResult{err: ctx.Err()}, true
	}
	return res, true
}

func sortedRefs(plan map[config.ProviderRef][]string) []config.ProviderRef {
	return slices.SortedFunc(maps.Keys(plan), func(a, b config.ProviderRef) int { return cmp.Compare(a.String(), b.String()) })
}

// readErrors converts failed reads into report errors, one per type and
// region.
func (r *reads) errors() []drift.Error {
	var out []drift.Error
	seen := map[string]bool{}
	for _, k := range r.order {
		res := r.results[k]
		<-res.done
		if res.err == nil {
			continue
		}
		e := drift.Error{Type: k.typ, Region: res.region, Message: res.err.Error()}
		var re *providers.ReadError
		if errors.As(res.err, &re) {
			e.Region, e.Operation, e.Message = re.Region, re.Operation, re.Err.Error()
		}
		key := e.Type + "|" + e.Region + "|" + e.Operation
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, e)
	}
	return out
}
