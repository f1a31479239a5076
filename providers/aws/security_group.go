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

// defaultSecurityGroupName is the group AWS makes in every VPC.
const defaultSecurityGroupName = "default"

// uniqueIDSuffixLength is the length of the suffix Terraform appends to a
// name_prefix (terraform-plugin-sdk helper/id UniqueIDSuffixLength): a
// timestamp and a counter, 26 digits.
const uniqueIDSuffixLength = 26

// securityGroupType is aws_security_group with inline ingress and egress
// rules. Attribute semantics follow terraform-provider-aws v5
// internal/service/ec2/vpc_security_group.go (resourceSecurityGroup).
func securityGroupType() *resourceType {
	return &resourceType{schema: securityGroupSchema(), read: readSecurityGroups, apply: applySecurityGroup}
}

func securityGroupSchema() *providers.Schema {
	computed := &providers.Attribute{Type: cty.String, Computed: true}
	// ingress and egress are Optional+Computed sets: leaving egress out
	// accepts the allow-all egress rule AWS adds to every new group, and
	// `egress = []` (attribute syntax) says there is none.
	rules := func() *providers.Attribute {
		return &providers.Attribute{
			Optional: true, Computed: true,
			Normalizer: securityGroupRulesNormalizer,
			Nested: &providers.NestedBlock{
				Nesting:         providers.NestingSet,
				Attributes:      securityGroupRuleAttributes(),
				AttributeSyntax: true,
			},
		}
	}
	return &providers.Schema{
		Type: "aws_security_group",
		Tags: true,
		// Group names are unique within a VPC.
		Identity: func(v cty.Value) string {
			name, ok1 := knownString(v, "name")
			vpc, ok2 := knownString(v, "vpc_id")
			if !ok1 || !ok2 || name == "" || vpc == "" {
				return ""
			}
			return name + "/" + vpc
		},
		Attributes: map[string]*providers.Attribute{
			"id":          computed,
			"arn":         computed,
			"description": {Type: cty.String, Optional: true, ForceNew: true, Default: cty.StringVal("Managed by Terraform")},
			"egress":      rules(),
			"ingress":     rules(),
			"name":        {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"name_prefix": {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"owner_id":    computed,
			// Only tells Terraform how to delete the group.
			"revoke_rules_on_delete": {Type: cty.Bool, Optional: true, TerraformOnly: true, Default: cty.False},
			"tags":                   {Type: cty.Map(cty.String), Optional: true},
			"timeouts":               timeoutsAttribute("create", "delete"),
			"vpc_id":                 {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
		},
	}
}

func readSecurityGroups(ctx context.Context, p *Provider, req *readRequest) ([]*providers.Live, error) {
	schema := securityGroupSchema()
	var live []*providers.Live
	for _, fs := range idFilterChunks("group-id", req.ids) {
		pages := ec2.NewDescribeSecurityGroupsPaginator(p.ec2, &ec2.DescribeSecurityGroupsInput{Filters: fs})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("describing security groups: %w", err)
			}
			for _, sg := range page.SecurityGroups {
				live = append(live, &providers.Live{
					ID:    aws.ToString(sg.GroupId),
					Attrs: securityGroupAttrs(schema, p.region, sg),
					// AWS makes a group named "default" in every VPC and
					// refuses to delete it.
					CloudManaged: aws.ToString(sg.GroupName) == defaultSecurityGroupName,
				})
			}
			live = req.flushPage(live, false)
		}
	}
	return live, nil
}

// securityGroupAttrs builds the live value of one security group.
func securityGroupAttrs(schema *providers.Schema, region string, sg ec2types.SecurityGroup) cty.Value {
	id := aws.ToString(sg.GroupId)
	owner := aws.ToString(sg.OwnerId)
	name := aws.ToString(sg.GroupName)
	arn := aws.ToString(sg.SecurityGroupArn)
	if arn == "" {
		arn = ec2ARN(region, owner, "security-group/"+id)
	}
	vals := map[string]cty.Value{
		"id":          cty.StringVal(id),
		"arn":         cty.StringVal(arn),
		"description": str(sg.Description),
		"egress":      liveRules(id, owner, sg.IpPermissionsEgress),
		"ingress":     liveRules(id, owner, sg.IpPermissions),
		"name":        cty.StringVal(name),
		"name_prefix": namePrefixFromName(name),
		"owner_id":    cty.StringVal(owner),
		"tags":        ec2Tags(sg.Tags),
		"vpc_id":      str(sg.VpcId),
	}
	return objectOf(schema.Attributes, vals)
}

// liveRules converts EC2 permissions into the set of atomic rules (see
// security_group_rules.go), with every rule attribute present as the
// configuration decoder has them.
func liveRules(groupID, ownerID string, perms []ec2types.IpPermission) cty.Value {
	var vals []cty.Value
	for _, perm := range perms {
		// EC2 omits the ports of "-1" (all protocols) rules; Terraform
		// reads them as 0.
		base := securityGroupRule{
			protocol: protocolForValue(aws.ToString(perm.IpProtocol)),
			fromPort: int64(aws.ToInt32(perm.FromPort)),
			toPort:   int64(aws.ToInt32(perm.ToPort)),
		}
		for _, r := range perm.IpRanges {
			rule := base
			rule.cidr, rule.description = canonicalCIDR(aws.ToString(r.CidrIp)), aws.ToString(r.Description)
			vals = append(vals, rule.value())
		}
		for _, r := range perm.Ipv6Ranges {
			rule := base
			rule.ipv6CIDR, rule.description = canonicalCIDR(aws.ToString(r.CidrIpv6)), aws.ToString(r.Description)
			vals = append(vals, rule.value())
		}
		for _, r := range perm.PrefixListIds {
			rule := base
			rule.prefixList, rule.description = aws.ToString(r.PrefixListId), aws.ToString(r.Description)
			vals = append(vals, rule.value())
		}
		for _, g := range perm.UserIdGroupPairs {
			rule := base
			rule.description = aws.ToString(g.Description)
			// As terraform-provider-aws's securityGroupIPPermGather: the
			// group itself is self; a group of another account is
			// written OWNER/sg-...
			gid := aws.ToString(g.GroupId)
			switch user := aws.ToString(g.UserId); {
			case gid == groupID:
				rule.self = true
			case user != "" && user != ownerID:
				rule.securityGroup = user + "/" + gid
			default:
				rule.securityGroup = gid
			}
			vals = append(vals, rule.value())
		}
	}
	if len(vals) == 0 {
		return cty.SetValEmpty(securityGroupRuleType())
	}
	return cty.SetVal(vals)
}

// namePrefixFromName recovers a name_prefix from a generated name, as
// terraform-provider-aws's create.NamePrefixFromName: the name less a
// suffix of uniqueIDSuffixLength digits, null when the name has none.
func namePrefixFromName(name string) cty.Value {
	i := len(name) - uniqueIDSuffixLength
	if i <= 0 {
		return cty.NullVal(cty.String)
	}
	for _, c := range name[i:] {
		if c < '0' || c > '9' {
			return cty.NullVal(cty.String)
		}
	}
	return cty.StringVal(name[:i])
}
