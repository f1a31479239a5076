package aws

import (
	"context"
	"crypto/rand"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// applier is the remediation of one resource type, split by kind of change.
// Its apply method is the type's applyFunc.
type applier struct {
	// create makes the resource from c.Desired and returns its ID.
	create func(ctx context.Context, p *Provider, c *applyChange) (string, error)
	// updatable lists the attributes update can change in place; a change
	// to any other attribute is refused before anything is changed.
	updatable []string
	// update changes c.Changed from c.Live toward c.Desired and returns the
	// ID after the change (a renamed IAM user has a new one).
	update func(ctx context.Context, p *Provider, c *applyChange) (string, error)
	// delete removes the resource c.Live.
	delete func(ctx context.Context, p *Provider, c *applyChange) error
}

func (a applier) apply(ctx context.Context, p *Provider, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	c := &applyChange{ApplyRequest: req, schema: p.f.resources[req.Type].schema, changed: changeSet{}}
	for _, name := range req.Changed {
		c.changed[name] = true
	}
	var (
		id  string
		err error
	)
	switch req.Kind {
	case providers.Create:
		id, err = a.create(ctx, p, c)
	case providers.Update:
		if err := c.checkUpdatable(a.updatable); err != nil {
			return nil, err
		}
		if a.update == nil {
			return &providers.ApplyResponse{ID: req.ID}, nil
		}
		id, err = a.update(ctx, p, c)
	case providers.Delete:
		err = a.delete(ctx, p, c)
	default:
		return nil, fmt.Errorf("change kind %q: %w", req.Kind, providers.ErrNotSupported)
	}
	if err != nil {
		return nil, err
	}
	return &providers.ApplyResponse{ID: id}, nil
}

// applyChange is one ApplyRequest with what the apply functions need to
// read it: the type's schema and the set of changed attributes.
type applyChange struct {
	providers.ApplyRequest
	schema  *providers.Schema
	changed changeSet
}

// has reports whether an Update must change the attribute.
func (c *applyChange) has(name string) bool { return c.changed[name] }

// checkUpdatable refuses an Update of attributes that cannot change in
// place (see the function checkUpdatable).
func (c *applyChange) checkUpdatable(updatable []string) error {
	return checkUpdatable(c.schema, slices.Sorted(maps.Keys(c.changed)), updatable...)
}

// want is a desired attribute as the provider would write it: a null
// attribute with a schema Default is the Default; other nulls stay null
// (for optional+computed attributes: leave what AWS chooses).
func (c *applyChange) want(name string) cty.Value {
	v := attr(c.Desired, name)
	if v.IsNull() {
		if a := c.schema.Attributes[name]; a != nil && a.Default != cty.NilVal {
			return a.Default
		}
	}
	return v
}

// wantString is a desired string attribute (with its Default), "" when null.
func (c *applyChange) wantString(name string) string {
	v := c.want(name)
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

// wantBool is a desired bool attribute (with its Default), false when null.
func (c *applyChange) wantBool(name string) bool {
	v := c.want(name)
	return !v.IsNull() && v.IsKnown() && v.Type() == cty.Bool && v.True()
}

// wantInt32 is a desired number attribute (with its Default), 0 when null.
func (c *applyChange) wantInt32(name string) int32 {
	v := c.want(name)
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.Number {
		return 0
	}
	i, _ := v.AsBigFloat().Int64()
	return int32(i)
}

// liveString is a live string attribute, "" when null.
func (c *applyChange) liveString(name string) string { return attrString(c.Live, name) }

// untouchableTag reports whether remediation must leave a tag key alone:
// AWS's reserved "aws:" keys and the provider's ignore_tags, which
// terraform-provider-aws never reads nor writes.
func (p *Provider) untouchableTag(key string) bool {
	return strings.HasPrefix(key, "aws:") || p.ignoreTags.ignored(key)
}

// tagMap returns the "tags" attribute of v as a map, without the keys
// remediation must not touch.
func (p *Provider) tagMap(v cty.Value) map[string]string {
	return p.managedTagValues(attr(v, "tags"))
}

// managedTagValues returns a map of tags (tags, volume_tags) without the
// keys remediation must not touch.
func (p *Provider) managedTagValues(tags cty.Value) map[string]string {
	m := map[string]string{}
	if tags.IsNull() || !tags.IsKnown() || !tags.CanIterateElements() {
		return m
	}
	for it := tags.ElementIterator(); it.Next(); {
		k, tv := it.Element()
		if tv.IsNull() || !tv.IsKnown() || p.untouchableTag(k.AsString()) {
			continue
		}
		m[k.AsString()] = tv.AsString()
	}
	return m
}

// tagDiff is how the tags of c.Live must change to become those of
// c.Desired (which already hold the provider's default_tags): the keys to
// set, and the keys to remove.
func (p *Provider) tagDiff(c *applyChange) (set map[string]string, remove []string) {
	want, live := p.tagMap(c.Desired), p.tagMap(c.Live)
	set = map[string]string{}
	for k, v := range want {
		if lv, ok := live[k]; !ok || lv != v {
			set[k] = v
		}
	}
	for _, k := range slices.Sorted(maps.Keys(live)) {
		if _, ok := want[k]; !ok {
			remove = append(remove, k)
		}
	}
	return set, remove
}

// terraformName is the name Terraform makes for a resource whose
// configuration leaves the name out (create.Name): the prefix, or
// "terraform-", and a 26-digit unique suffix. terraform-plugin-sdk's
// id.PrefixedUniqueId takes a timestamp to the 10^-4 second and an 8-digit
// hex counter; a random decimal stands in for the counter so that the read
// recognizes the name (namePrefix) and no package state is needed.
func terraformName(name, prefix string) (string, error) {
	if name != "" {
		return name, nil
	}
	if prefix == "" {
		prefix = "terraform-"
	}
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		return "", fmt.Errorf("generating a name: %w", err)
	}
	stamp := strings.Replace(time.Now().UTC().Format("20060102150405.0000"), ".", "", 1)
	return fmt.Sprintf("%s%s%08d", prefix, stamp, n.Int64()), nil
}
