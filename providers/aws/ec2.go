package aws

import (
	"context"
	"fmt"
	"maps"
	"math/big"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// What the EC2 types share: tags, filters, ARNs, CIDR normalization and the
// attributes that exist only in Terraform when reading; reading the desired
// value with Terraform's defaults, tags at creation and in place, and the
// check that an update only names attributes the type can change when
// applying.

// maxFilterValues is how many values one EC2 filter takes. EC2 documents a
// limit of 200 values per filter for the Describe* calls; longer ID lists
// are split over several calls.
const maxFilterValues = 200

// ec2Concurrency bounds the per-resource calls (DescribeVpcAttribute) that
// run in parallel, so that a large account does not trip EC2's request
// throttling.
const ec2Concurrency = 8

// idFilterChunks returns the filter sets of one Describe* listing: a single
// unfiltered call when ids is empty, otherwise name=ids split into chunks of
// maxFilterValues. Filters are used rather than the calls' ID parameters
// (VpcIds, SubnetIds, ...) because those fail the whole call with a
// *.NotFound error when one ID does not exist, while a filter just omits it.
func idFilterChunks(name string, ids []string, extra ...ec2types.Filter) [][]ec2types.Filter {
	if len(ids) == 0 {
		return [][]ec2types.Filter{extraFilters(extra)}
	}
	var out [][]ec2types.Filter
	for start := 0; start < len(ids); start += maxFilterValues {
		end := min(start+maxFilterValues, len(ids))
		fs := append(extraFilters(extra), ec2types.Filter{Name: aws.String(name), Values: ids[start:end]})
		out = append(out, fs)
	}
	return out
}

func extraFilters(extra []ec2types.Filter) []ec2types.Filter {
	return append([]ec2types.Filter(nil), extra...)
}

// filter builds one EC2 filter.
func filter(name string, values ...string) ec2types.Filter {
	return ec2types.Filter{Name: aws.String(name), Values: values}
}

// ec2Tags converts EC2 tags to the "tags" value (see tagsValue).
func ec2Tags(tags []ec2types.Tag) cty.Value {
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tagsValue(m)
}

// ec2ARN builds the ARN of an EC2 resource as terraform-provider-aws does
// (arn:PARTITION:ec2:REGION:OWNER:TYPE/ID); DescribeVpcs and friends do not
// return ARNs.
func ec2ARN(region, owner, resource string) string {
	return "arn:" + partitionOf(region).name + ":ec2:" + region + ":" + owner + ":" + resource
}

// canonicalCIDR returns the canonical text of a CIDR block: the network
// address with host bits cleared, IPv6 lower-cased and compressed. EC2
// returns IPv6 blocks in that form whatever was written. Anything that does
// not parse is returned unchanged.
func canonicalCIDR(s string) string {
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil {
		return s
	}
	return p.Masked().String()
}

// cidrNormalizer normalizes a CIDR string attribute.
var cidrNormalizer = providers.NormalizerFunc(func(v cty.Value) (cty.Value, error) {
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return v, nil
	}
	return cty.StringVal(canonicalCIDR(v.AsString())), nil
})

// computed is a computed attribute of type t: the cloud sets it.
func computed(t cty.Type) *providers.Attribute { return &providers.Attribute{Type: t, Computed: true} }

// optComp is an optional and computed attribute of type t: what the
// configuration leaves out, the cloud sets.
func optComp(t cty.Type) *providers.Attribute {
	return &providers.Attribute{Type: t, Optional: true, Computed: true}
}

// timeoutsAttribute is Terraform's timeouts { create = "10m" } block. It
// configures Terraform's own waiting and never compares with the cloud.
func timeoutsAttribute(ops ...string) *providers.Attribute {
	attrs := map[string]*providers.Attribute{}
	for _, op := range ops {
		attrs[op] = &providers.Attribute{Type: cty.String, Optional: true}
	}
	return &providers.Attribute{
		Optional: true, TerraformOnly: true,
		Nested: &providers.NestedBlock{Nesting: providers.NestingList, MaxItems: 1, Attributes: attrs},
	}
}

// emptyBlocks is the value of a nested block attribute that the read does
// not fill: an empty list or set, as the configuration decoder produces for
// an absent block.
func emptyBlocks(a *providers.Attribute) cty.Value {
	t := a.ImpliedType()
	if t.IsSetType() {
		return cty.SetValEmpty(t.ElementType())
	}
	return cty.ListValEmpty(t.ElementType())
}

// objectOf builds a value of the schema's implied type from vals; every
// attribute missing from vals is null (or an empty block list for nested
// blocks), so the value always conforms exactly to the schema.
func objectOf(attrs map[string]*providers.Attribute, vals map[string]cty.Value) cty.Value {
	out := make(map[string]cty.Value, len(attrs))
	for name, a := range attrs {
		if v, ok := vals[name]; ok {
			out[name] = v
			continue
		}
		if a.Nested != nil {
			out[name] = emptyBlocks(a)
			continue
		}
		out[name] = cty.NullVal(a.ImpliedType())
	}
	return cty.ObjectVal(out)
}

// knownString returns the string of an object's attribute and whether it is
// known and not null.
func knownString(obj cty.Value, name string) (string, bool) {
	v := attr(obj, name)
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

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
