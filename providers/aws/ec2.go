package aws

import (
	"net/netip"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// What the EC2 types share: tags, filters, ARNs, CIDR normalization and the
// attributes that exist only in Terraform.

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
