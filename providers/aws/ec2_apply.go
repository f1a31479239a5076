package aws

import (
	"context"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// What the EC2 types' appliers share: reading the desired value with
// Terraform's defaults, tags at creation and in place, and the check that
// an update only names attributes the type can change.

// ec2WaitTimeout bounds the waits for an instance to reach a state.
const ec2WaitTimeout = 10 * time.Minute

// desiredAttr returns an attribute of the desired value, with the schema's
// default when configuration left it out; null when it has none (an
// optional+computed attribute left out: AWS chooses). Empty nested blocks
// are null, as hcldec decodes an absent block as an empty collection.
func desiredAttr(s *providers.Schema, desired cty.Value, name string) cty.Value {
	a := s.Attributes[name]
	v := attr(desired, name)
	if a == nil {
		return v
	}
	if !v.IsNull() && v.IsKnown() && a.Nested != nil && v.LengthInt() == 0 {
		return cty.NullVal(a.ImpliedType())
	}
	if v.IsNull() && a.Default != cty.NilVal {
		return a.Default
	}
	return v
}

// desiredString returns a desired string attribute and whether it is set
// (after defaults) and not "".
func desiredString(s *providers.Schema, desired cty.Value, name string) (string, bool) {
	v := desiredAttr(s, desired, name)
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String || v.AsString() == "" {
		return "", false
	}
	return v.AsString(), true
}

// desiredBool returns a desired bool attribute and whether it is set.
func desiredBool(s *providers.Schema, desired cty.Value, name string) (bool, bool) {
	return boolOf(desiredAttr(s, desired, name))
}

// desiredInt32 returns a desired whole-number attribute and whether it is set.
func desiredInt32(s *providers.Schema, desired cty.Value, name string) (int32, bool) {
	return int32Of(desiredAttr(s, desired, name))
}

// desiredStrings returns the strings of a desired list or set attribute.
func desiredStrings(s *providers.Schema, desired cty.Value, name string) []string {
	return stringElems(desiredAttr(s, desired, name))
}

func boolOf(v cty.Value) (bool, bool) {
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.Bool {
		return false, false
	}
	return v.True(), true
}

func int32Of(v cty.Value) (int32, bool) {
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.Number {
		return 0, false
	}
	n, acc := v.AsBigFloat().Int64()
	if acc != big.Exact {
		return 0, false
	}
	return int32(n), true
}

// firstBlock returns the first element of a desired single nested block
// (MaxItems 1) and whether there is one.
func firstBlock(s *providers.Schema, desired cty.Value, name string) (cty.Value, bool) {
	v := desiredAttr(s, desired, name)
	if v.IsNull() || !v.IsKnown() || !v.CanIterateElements() || v.LengthInt() == 0 {
		return cty.NilVal, false
	}
	it := v.ElementIterator()
	it.Next()
	_, e := it.Element()
	return e, !e.IsNull()
}

// blockString returns a string attribute of a nested block element.
func blockString(block cty.Value, name string) (string, bool) {
	s, ok := knownString(block, name)
	return s, ok && s != ""
}

// attributeBool is the EC2 AttributeBooleanValue of b.
func attributeBool(b bool) *ec2types.AttributeBooleanValue {
	return &ec2types.AttributeBooleanValue{Value: aws.Bool(b)}
}

// changeSet is the attributes an Update must change.
type changeSet map[string]bool

func changesOf(req providers.ApplyRequest) changeSet {
	c := changeSet{}
	for _, name := range req.Changed {
		c[name] = true
	}
	return c
}

// checkUpdatable fails, before any call is made, when an update names an
// attribute the type cannot change in place: a ForceNew attribute (a
// replace is needed) or one that updatable does not list. Terraform-only
// attributes are never compared with the cloud and pass as no-ops.
func checkUpdatable(s *providers.Schema, changed []string, updatable ...string) error {
	can := map[string]bool{}
	for _, n := range updatable {
		can[n] = true
	}
	for _, name := range changed {
		a, ok := s.Attributes[name]
		switch {
		case !ok:
			return fmt.Errorf("%s has no attribute %q", s.Type, name)
		case a.ForceNew:
			return fmt.Errorf("%s cannot change in place, the resource must be replaced: %w", name, providers.ErrNotSupported)
		case a.TerraformOnly || can[name]:
		default:
			return fmt.Errorf("updating %s in place: %w", name, providers.ErrNotSupported)
		}
	}
	return nil
}

// tagSpecifications tags a new resource with the desired tags (which hold
// the provider's default_tags already); nil when there are none.
func (p *Provider) tagSpecifications(rt ec2types.ResourceType, desired cty.Value) []ec2types.TagSpecification {
	tags := p.tagMap(desired)
	if len(tags) == 0 {
		return nil
	}
	return []ec2types.TagSpecification{{ResourceType: rt, Tags: ec2TagList(tags)}}
}

func ec2TagList(m map[string]string) []ec2types.Tag {
	tags := make([]ec2types.Tag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		tags = append(tags, ec2types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return tags
}

// updateTags changes the tags of an EC2 resource from live to desired:
// CreateTags for the keys added or changed, DeleteTags for those removed.
func (p *Provider) updateTags(ctx context.Context, id string, live, desired cty.Value) error {
	have, want := p.tagMap(live), p.tagMap(desired)
	set := map[string]string{}
	for k, v := range want {
		if cur, ok := have[k]; !ok || cur != v {
			set[k] = v
		}
	}
	var remove []ec2types.Tag
	for _, k := range slices.Sorted(maps.Keys(have)) {
		if _, ok := want[k]; !ok {
			remove = append(remove, ec2types.Tag{Key: aws.String(k)})
		}
	}
	if len(remove) > 0 {
		if _, err := p.ec2.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{id}, Tags: remove}); err != nil {
			return fmt.Errorf("deleting tags of %s: %w", id, err)
		}
	}
	if len(set) > 0 {
		if _, err := p.ec2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: ec2TagList(set)}); err != nil {
			return fmt.Errorf("creating tags of %s: %w", id, err)
		}
	}
	return nil
}
