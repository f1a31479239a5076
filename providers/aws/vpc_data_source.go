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

// vpcData is the aws_vpc data source: the one VPC that matches id,
// cidr_block, dhcp_options_id, default, state, tags and filter blocks, read
// as terraform-provider-aws v5's dataSourceVPCRead reads it
// (internal/service/ec2/vpc_data_source.go).
func vpcData() *dataSource {
	schema := &providers.Schema{
		Type: "aws_vpc",
		Attributes: map[string]*providers.Attribute{
			"id":         optComp(cty.String),
			"arn":        computed(cty.String),
			"cidr_block": optComp(cty.String),
			"cidr_block_associations": computed(cty.List(cty.Object(map[string]cty.Type{
				"association_id": cty.String, "cidr_block": cty.String, "state": cty.String,
			}))),
			"default":                              optComp(cty.Bool),
			"dhcp_options_id":                      optComp(cty.String),
			"enable_dns_hostnames":                 computed(cty.Bool),
			"enable_dns_support":                   computed(cty.Bool),
			"enable_network_address_usage_metrics": computed(cty.Bool),
			"filter":                               filterBlock(),
			"instance_tenancy":                     computed(cty.String),
			"ipv6_association_id":                  computed(cty.String),
			"ipv6_cidr_block":                      computed(cty.String),
			"main_route_table_id":                  computed(cty.String),
			"owner_id":                             computed(cty.String),
			"state":                                optComp(cty.String),
			"tags":                                 optComp(cty.Map(cty.String)),
			"timeouts":                             timeoutsAttribute("read"),
		},
	}
	return &dataSource{
		schema: schema,
		read: func(ctx context.Context, p *Provider, config cty.Value) (cty.Value, error) {
			in := &ec2.DescribeVpcsInput{Filters: attributeFilters(map[string]string{
				"cidr":            attrString(config, "cidr_block"),
				"dhcp-options-id": attrString(config, "dhcp_options_id"),
				"isDefault":       boolFilter(config, "default"),
				"state":           attrString(config, "state"),
			})}
			if id := attrString(config, "id"); id != "" {
				in.VpcIds = []string{id}
			}
			in.Filters = append(in.Filters, customFilters(config)...)
			in.Filters = append(in.Filters, tagFilters(config)...)
			var vpcs []ec2types.Vpc
			pages := ec2.NewDescribeVpcsPaginator(p.ec2, in)
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				// An unknown ID fails the call; the provider's findVPCs
				// reads that as no match.
				if isAPIError(err, "InvalidVpcID.NotFound") {
					break
				}
				if err != nil {
					return cty.NilVal, fmt.Errorf("describing VPCs: %w", err)
				}
				vpcs = append(vpcs, page.Vpcs...)
			}
			vpc, err := one("EC2 VPC", vpcs)
			if err != nil {
				return cty.NilVal, err
			}
			return vpcDataValue(ctx, p, schema, config, vpc)
		},
	}
}

// vpcDataValue is the value of the aws_vpc data source for the VPC it
// matched: three DescribeVpcAttribute calls and the main route table
// besides the VPC itself.
func vpcDataValue(ctx context.Context, p *Provider, schema *providers.Schema, config cty.Value, vpc ec2types.Vpc) (cty.Value, error) {
	id, owner := aws.ToString(vpc.VpcId), aws.ToString(vpc.OwnerId)
	vals := map[string]cty.Value{
		"id":                  cty.StringVal(id),
		"arn":                 cty.StringVal(ec2ARN(p.region, owner, "vpc/"+id)),
		"cidr_block":          str(vpc.CidrBlock),
		"default":             boolean(vpc.IsDefault),
		"dhcp_options_id":     str(vpc.DhcpOptionsId),
		"instance_tenancy":    cty.StringVal(string(vpc.InstanceTenancy)),
		"owner_id":            cty.StringVal(owner),
		"state":               cty.StringVal(string(vpc.State)),
		"tags":                dataTags(p, ec2TagMap(vpc.Tags)),
		"ipv6_association_id": cty.StringVal(""),
		"ipv6_cidr_block":     cty.StringVal(""),
		"main_route_table_id": cty.StringVal(""),
	}
	for a, name := range map[string]ec2types.VpcAttributeName{
		"enable_dns_hostnames":                 ec2types.VpcAttributeNameEnableDnsHostnames,
		"enable_dns_support":                   ec2types.VpcAttributeNameEnableDnsSupport,
		"enable_network_address_usage_metrics": ec2types.VpcAttributeNameEnableNetworkAddressUsageMetrics,
	} {
		v, err := vpcAttribute(ctx, p, id, name)
		if err != nil {
			return cty.NilVal, err
		}
		vals[a] = cty.BoolVal(v)
	}
	// The provider only logs a failure to find the main route table and
	// leaves main_route_table_id empty; so does this read.
	rts, err := p.ec2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{
		filter("association.main", "true"), filter("vpc-id", id),
	}})
	if err == nil && len(rts.RouteTables) == 1 {
		vals["main_route_table_id"] = str(rts.RouteTables[0].RouteTableId)
	}
	var assocs []cty.Value
	for _, a := range vpc.CidrBlockAssociationSet {
		state := ""
		if a.CidrBlockState != nil {
			state = string(a.CidrBlockState.State)
		}
		assocs = append(assocs, cty.ObjectVal(map[string]cty.Value{
			"association_id": str(a.AssociationId), "cidr_block": str(a.CidrBlock), "state": cty.StringVal(state),
		}))
	}
	if len(assocs) == 0 {
		vals["cidr_block_associations"] = cty.ListValEmpty(schema.Attributes["cidr_block_associations"].Type.ElementType())
	} else {
		vals["cidr_block_associations"] = cty.ListVal(assocs)
	}
	// The first IPv6 association, whatever its state, as the provider.
	if len(vpc.Ipv6CidrBlockAssociationSet) > 0 {
		a := vpc.Ipv6CidrBlockAssociationSet[0]
		vals["ipv6_association_id"], vals["ipv6_cidr_block"] = str(a.AssociationId), str(a.Ipv6CidrBlock)
	}
	for _, a := range []string{"filter", "timeouts"} {
		if v := attr(config, a); !v.IsNull() {
			vals[a] = v
		}
	}
	return objectOf(schema.Attributes, vals), nil
}

// ec2TagMap is the map of EC2 tags.
func ec2TagMap(tags []ec2types.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}
