package aws

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// availabilityZonesData is aws_availability_zones: the zones of the
// provider's region (ec2:DescribeAvailabilityZones), as
// terraform-provider-aws's dataSourceAvailabilityZonesRead reads them:
// state and filter blocks become the call's filters, the zones are sorted
// by name, exclude_names and exclude_zone_ids are left out after the call,
// and id is the region.
func availabilityZonesData() *dataSource {
	strs := &providers.Attribute{Type: cty.Set(cty.String), Optional: true}
	schema := &providers.Schema{
		Type: "aws_availability_zones",
		Attributes: map[string]*providers.Attribute{
			"id":                     {Type: cty.String, Computed: true},
			"all_availability_zones": {Type: cty.Bool, Optional: true},
			"exclude_names":          strs,
			"exclude_zone_ids":       strs,
			"state":                  {Type: cty.String, Optional: true},
			"group_names":            {Type: cty.Set(cty.String), Computed: true},
			"names":                  {Type: cty.List(cty.String), Computed: true},
			"zone_ids":               {Type: cty.List(cty.String), Computed: true},
			"filter": {Optional: true, Nested: &providers.NestedBlock{
				Nesting: providers.NestingSet,
				Attributes: map[string]*providers.Attribute{
					"name":   {Type: cty.String, Required: true},
					"values": {Type: cty.Set(cty.String), Required: true},
				},
			}},
			"timeouts": timeoutsAttribute("read"),
		},
	}
	return &dataSource{
		schema: schema,
		read: func(ctx context.Context, p *Provider, config cty.Value) (cty.Value, error) {
			in := &ec2.DescribeAvailabilityZonesInput{}
			if b := attr(config, "all_availability_zones"); !b.IsNull() && b.Type() == cty.Bool && b.True() {
				in.AllAvailabilityZones = aws.Bool(true)
			}
			if s := attrString(config, "state"); s != "" {
				in.Filters = append(in.Filters, ec2types.Filter{Name: aws.String("state"), Values: []string{s}})
			}
			for _, f := range blocks(config, "filter") {
				in.Filters = append(in.Filters, ec2types.Filter{Name: aws.String(attrString(f, "name")), Values: stringElems(attr(f, "values"))})
			}
			out, err := p.ec2.DescribeAvailabilityZones(ctx, in)
			if err != nil {
				return cty.NilVal, fmt.Errorf("describing availability zones: %w", err)
			}
			zones := out.AvailabilityZones
			sort.Slice(zones, func(i, j int) bool { return aws.ToString(zones[i].ZoneName) < aws.ToString(zones[j].ZoneName) })
			excludeNames, excludeIDs := stringElems(attr(config, "exclude_names")), stringElems(attr(config, "exclude_zone_ids"))
			var names, ids, groups []string
			for _, z := range zones {
				name, id, group := aws.ToString(z.ZoneName), aws.ToString(z.ZoneId), aws.ToString(z.GroupName)
				if slices.Contains(excludeNames, name) || slices.Contains(excludeIDs, id) {
					continue
				}
				if !slices.Contains(groups, group) {
					groups = append(groups, group)
				}
				names, ids = append(names, name), append(ids, id)
			}
			vals := map[string]cty.Value{
				"id":          cty.StringVal(p.region),
				"group_names": stringSet(groups),
				"names":       stringList(names),
				"zone_ids":    stringList(ids),
			}
			for _, a := range []string{"all_availability_zones", "exclude_names", "exclude_zone_ids", "state", "filter", "timeouts"} {
				if v := attr(config, a); !v.IsNull() {
					vals[a] = v
				}
			}
			return objectOf(schema.Attributes, vals), nil
		},
	}
}
