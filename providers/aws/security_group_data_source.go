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

// securityGroupData is the aws_security_group data source: the one group
// that matches id, name, vpc_id, tags and filter blocks, as
// terraform-provider-aws v5's dataSourceSecurityGroupRead
// (internal/service/ec2/vpc_security_group_data_source.go).
func securityGroupData() *dataSource {
	optComp := &providers.Attribute{Type: cty.String, Optional: true, Computed: true}
	schema := &providers.Schema{
		Type: "aws_security_group",
		Attributes: map[string]*providers.Attribute{
			"id":          optComp,
			"arn":         {Type: cty.String, Computed: true},
			"description": {Type: cty.String, Computed: true},
			"filter":      filterBlock(),
			"name":        optComp,
			"tags":        {Type: cty.Map(cty.String), Optional: true, Computed: true},
			"timeouts":    timeoutsAttribute("read"),
			"vpc_id":      optComp,
		},
	}
	return &dataSource{
		schema: schema,
		read: func(ctx context.Context, p *Provider, config cty.Value) (cty.Value, error) {
			in := &ec2.DescribeSecurityGroupsInput{Filters: attributeFilters(map[string]string{
				"group-name": attrString(config, "name"),
				"vpc-id":     attrString(config, "vpc_id"),
			})}
			if id := attrString(config, "id"); id != "" {
				in.GroupIds = []string{id}
			}
			in.Filters = append(in.Filters, tagFilters(config)...)
			in.Filters = append(in.Filters, customFilters(config)...)
			var groups []ec2types.SecurityGroup
			pages := ec2.NewDescribeSecurityGroupsPaginator(p.ec2, in)
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				// An unknown group ID fails the call; the provider's
				// findSecurityGroups reads these codes as no match.
				if isAPIError(err, "InvalidGroup.NotFound", "InvalidSecurityGroupID.NotFound") {
					break
				}
				if err != nil {
					return cty.NilVal, fmt.Errorf("describing security groups: %w", err)
				}
				groups = append(groups, page.SecurityGroups...)
			}
			sg, err := one("EC2 Security Group", groups)
			if err != nil {
				return cty.NilVal, err
			}
			id := aws.ToString(sg.GroupId)
			vals := map[string]cty.Value{
				"id": cty.StringVal(id),
				// The provider builds the ARN from the provider's
				// partition and region, not from SecurityGroupArn.
				"arn":         cty.StringVal(ec2ARN(p.region, aws.ToString(sg.OwnerId), "security-group/"+id)),
				"description": str(sg.Description),
				"name":        str(sg.GroupName),
				"tags":        dataTags(p, ec2TagMap(sg.Tags)),
				"vpc_id":      str(sg.VpcId),
			}
			for _, a := range []string{"filter", "timeouts"} {
				if v := attr(config, a); !v.IsNull() {
					vals[a] = v
				}
			}
			return objectOf(schema.Attributes, vals), nil
		},
	}
}
