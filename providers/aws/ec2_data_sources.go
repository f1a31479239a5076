package aws

import (
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// What the EC2 data sources (aws_vpc, aws_subnet, aws_subnets,
// aws_security_group) share: the filter block, the filters built from
// arguments as terraform-provider-aws's newAttributeFilterList,
// newTagFilterList and newCustomFilterList build them, and the rule that a
// singular data source matches exactly one resource.

// filterBlock is the filter { name = ..., values = [...] } block of the
// EC2 data sources (customFiltersSchema).
func filterBlock() *providers.Attribute {
	return &providers.Attribute{Optional: true, Nested: &providers.NestedBlock{
		Nesting: providers.NestingSet,
		Attributes: map[string]*providers.Attribute{
			"name":   {Type: cty.String, Required: true},
			"values": {Type: cty.Set(cty.String), Required: true},
		},
	}}
}

// attributeFilters is one filter per non-empty value, sorted by filter
// name so that calls are the same from one read to the next.
func attributeFilters(m map[string]string) []ec2types.Filter {
	var out []ec2types.Filter
	for name, v := range m {
		if v != "" {
			out = append(out, filter(name, v))
		}
	}
	sort.Slice(out, func(i, j int) bool { return aws.ToString(out[i].Name) < aws.ToString(out[j].Name) })
	return out
}

// tagFilters is a tag:KEY = VALUE filter per tag the configuration's tags
// argument names.
func tagFilters(config cty.Value) []ec2types.Filter {
	tags := attr(config, "tags")
	if tags.IsNull() || !tags.IsKnown() || !tags.CanIterateElements() {
		return nil
	}
	m := map[string]string{}
	for it := tags.ElementIterator(); it.Next(); {
		k, v := it.Element()
		if !v.IsNull() && v.Type() == cty.String {
			m["tag:"+k.AsString()] = v.AsString()
		}
	}
	return attributeFilters(m)
}

// customFilters are the configuration's filter blocks.
func customFilters(config cty.Value) []ec2types.Filter {
	var out []ec2types.Filter
	for _, f := range blocks(config, "filter") {
		out = append(out, filter(attrString(f, "name"), stringElems(attr(f, "values"))...))
	}
	return out
}

// boolFilter is "true" when the configuration sets the boolean attribute to
// true, "" otherwise: as terraform-provider-aws, false does not filter
// (the SDK cannot tell false from unset).
func boolFilter(config cty.Value, name string) string {
	if v := attr(config, name); !v.IsNull() && v.IsKnown() && v.Type() == cty.Bool && v.True() {
		return "true"
	}
	return ""
}

// SingularMatchError says that a data source that reads one resource
// matched none or several.
type SingularMatchError struct {
	// Kind names the resource as terraform-provider-aws does ("EC2 VPC").
	Kind string
	// Count is how many matched: 0, or more than 1.
	Count int
	// Operation is the API operation whose answers were searched
	// ("ec2:DescribeImages"); "" where the data source does not say.
	Operation string
	// Message, when not empty, is the data source's own message in
	// terraform-provider-aws (aws_ami's "Your query returned ...").
	Message string
}

// Error is terraform-provider-aws's message
// (tfresource.SingularDataSourceFindError).
func (e *SingularMatchError) Error() string {
	if e.Message != "" {
		return e.Message
	}
	if e.Count == 0 {
		return fmt.Sprintf("no matching %s found", e.Kind)
	}
	return fmt.Sprintf("multiple %[1]ss matched; use additional constraints to reduce matches to a single %[1]s", e.Kind)
}

// one returns the single element of matches, or a SingularMatchError.
func one[T any](kind string, matches []T) (T, error) {
	if len(matches) != 1 {
		var zero T
		return zero, &SingularMatchError{Kind: kind, Count: len(matches)}
	}
	return matches[0], nil
}

// oneFrom is one for a data source that names the operation it searched.
func oneFrom[T any](kind, operation string, matches []T) (T, error) {
	v, err := one(kind, matches)
	if me, ok := err.(*SingularMatchError); ok {
		me.Operation = operation
	}
	return v, err
}
