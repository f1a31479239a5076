package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// subnetData is the aws_subnet data source: the one subnet that matches
// id, availability_zone(_id), cidr_block, ipv6_cidr_block, default_for_az,
// state, vpc_id, tags and filter blocks, as terraform-provider-aws v5's
// dataSourceSubnetRead (internal/service/ec2/vpc_subnet_data_source.go).
func subnetData() *dataSource {
	schema := &providers.Schema{
		Type: "aws_subnet",
		Attributes: map[string]*providers.Attribute{
			"id":                              optComp(cty.String),
			"arn":                             computed(cty.String),
			"assign_ipv6_address_on_creation": computed(cty.Bool),
			"availability_zone":               optComp(cty.String),
			"availability_zone_id":            optComp(cty.String),
			"available_ip_address_count":      computed(cty.Number),
			"cidr_block":                      optComp(cty.String),
			"customer_owned_ipv4_pool":        computed(cty.String),
			"default_for_az":                  optComp(cty.Bool),
			"enable_dns64":                    computed(cty.Bool),
			"enable_lni_at_device_index":      computed(cty.Number),
			"enable_resource_name_dns_aaaa_record_on_launch": computed(cty.Bool),
			"enable_resource_name_dns_a_record_on_launch":    computed(cty.Bool),
			"filter":                              filterBlock(),
			"ipv6_cidr_block":                     optComp(cty.String),
			"ipv6_cidr_block_association_id":      computed(cty.String),
			"ipv6_native":                         computed(cty.Bool),
			"map_customer_owned_ip_on_launch":     computed(cty.Bool),
			"map_public_ip_on_launch":             computed(cty.Bool),
			"outpost_arn":                         computed(cty.String),
			"owner_id":                            computed(cty.String),
			"private_dns_hostname_type_on_launch": computed(cty.String),
			"state":                               optComp(cty.String),
			"tags":                                optComp(cty.Map(cty.String)),
			"timeouts":                            timeoutsAttribute("read"),
			"vpc_id":                              optComp(cty.String),
		},
	}
	return &dataSource{
		schema: schema,
		read: func(ctx context.Context, p *Provider, config cty.Value) (cty.Value, error) {
			in := &ec2.DescribeSubnetsInput{Filters: attributeFilters(map[string]string{
				"availabilityZone":   attrString(config, "availability_zone"),
				"availabilityZoneId": attrString(config, "availability_zone_id"),
				"defaultForAz":       boolFilter(config, "default_for_az"),
				"state":              attrString(config, "state"),
				"vpc-id":             attrString(config, "vpc_id"),
				"cidrBlock":          attrString(config, "cidr_block"),
				"ipv6-cidr-block-association.ipv6-cidr-block": attrString(config, "ipv6_cidr_block"),
			})}
			if id := attrString(config, "id"); id != "" {
				in.SubnetIds = []string{id}
			}
			in.Filters = append(in.Filters, tagFilters(config)...)
			in.Filters = append(in.Filters, customFilters(config)...)
			subnets, err := describeSubnets(ctx, p, in)
			if err != nil {
				return cty.NilVal, err
			}
			s, err := one("EC2 Subnet", subnets)
			if err != nil {
				return cty.NilVal, err
			}
			return subnetDataValue(p, schema, config, s), nil
		},
	}
}

// describeSubnets lists the subnets that in matches; an unknown subnet ID
// is no match, as the provider's findSubnets reads it.
func describeSubnets(ctx context.Context, p *Provider, in *ec2.DescribeSubnetsInput) ([]ec2types.Subnet, error) {
	var subnets []ec2types.Subnet
	pages := ec2.NewDescribeSubnetsPaginator(p.ec2, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if isAPIError(err, "InvalidSubnetID.NotFound") {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("describing subnets: %w", err)
		}
		subnets = append(subnets, page.Subnets...)
	}
	return subnets, nil
}

// subnetDataValue converts a subnet with the resource reader's conversion
// (subnetAttrs) and adds what only the data source has. What the resource
// keeps null (an unset outpost_arn, enable_lni_at_device_index) the data
// source has as "" and 0: the provider d.Sets every attribute from the
// API's answer, and the SDK stores a nil pointer as the zero value.
func subnetDataValue(p *Provider, schema *providers.Schema, config cty.Value, s ec2types.Subnet) cty.Value {
	res := subnetAttrs(subnetSchema(), s)
	vals := map[string]cty.Value{}
	for name, a := range schema.Attributes {
		if a.Nested != nil || !res.Type().HasAttribute(name) {
			continue
		}
		v := res.GetAttr(name)
		if v.IsNull() {
			switch a.Type {
			case cty.String:
				v = cty.StringVal("")
			case cty.Number:
				v = cty.Zero
			case cty.Bool:
				v = cty.False
			}
		}
		vals[name] = v
	}
	vals["available_ip_address_count"] = num(s.AvailableIpAddressCount)
	vals["default_for_az"] = boolean(s.DefaultForAz)
	vals["state"] = cty.StringVal(string(s.State))
	vals["tags"] = dataTags(p, ec2TagMap(s.Tags))
	for _, a := range []string{"filter", "timeouts"} {
		if v := attr(config, a); !v.IsNull() {
			vals[a] = v
		}
	}
	return objectOf(schema.Attributes, vals)
}

// subnetsData is the aws_subnets data source: the IDs of every subnet that
// matches the tags and filter blocks, in the API's order, with the region
// as id (terraform-provider-aws v5's dataSourceSubnetsRead,
// internal/service/ec2/vpc_subnets_data_source.go). No match is not an
// error.
func subnetsData() *dataSource {
	schema := &providers.Schema{
		Type: "aws_subnets",
		Attributes: map[string]*providers.Attribute{
			"id":       {Type: cty.String, Computed: true},
			"ids":      {Type: cty.List(cty.String), Computed: true},
			"filter":   filterBlock(),
			"tags":     {Type: cty.Map(cty.String), Optional: true, Computed: true},
			"timeouts": timeoutsAttribute("read"),
		},
	}
	return &dataSource{
		schema: schema,
		read: func(ctx context.Context, p *Provider, config cty.Value) (cty.Value, error) {
			in := &ec2.DescribeSubnetsInput{Filters: append(tagFilters(config), customFilters(config)...)}
			subnets, err := describeSubnets(ctx, p, in)
			if err != nil {
				return cty.NilVal, err
			}
			var ids []string
			for _, s := range subnets {
				ids = append(ids, aws.ToString(s.SubnetId))
			}
			vals := map[string]cty.Value{"id": cty.StringVal(p.region), "ids": stringList(ids)}
			for _, a := range []string{"filter", "tags", "timeouts"} {
				if v := attr(config, a); !v.IsNull() {
					vals[a] = v
				}
			}
			return objectOf(schema.Attributes, vals), nil
		},
	}
}
