package aws

import (
	"context"
	"fmt"
	"strings"
	"time"

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
			// Read back from the name; conflicts with it (ConflictsWith).
			"name_prefix": {Type: cty.String, Optional: true, Computed: true, ForceNew: true, NotGenerated: true},
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

// terraformNamePrefix is the prefix terraform-provider-aws gives a name that
// configuration leaves to it (create.Name with neither name nor prefix).
const terraformNamePrefix = "terraform-"

// applySecurityGroup creates, updates or deletes an aws_security_group with
// its inline rules, as terraform-provider-aws's resourceSecurityGroupCreate,
// Update and Delete do.
func applySecurityGroup(ctx context.Context, p *Provider, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	return applier{
		create:    createSecurityGroup,
		updatable: []string{"tags", "ingress", "egress"},
		update:    updateSecurityGroup,
		delete:    deleteSecurityGroup,
	}.apply(ctx, p, req)
}

func deleteSecurityGroup(ctx context.Context, p *Provider, c *applyChange) error {
	if _, err := p.ec2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(c.ID)}); err != nil {
		return fmt.Errorf("deleting security group %s: %w", c.ID, err)
	}
	return nil
}

func createSecurityGroup(ctx context.Context, p *Provider, c *applyChange) (string, error) {
	s, d := securityGroupSchema(), c.Desired
	name, ok := desiredString(s, d, "name")
	if !ok {
		prefix, ok := desiredString(s, d, "name_prefix")
		if !ok {
			prefix = terraformNamePrefix
		}
		name = prefixedUniqueName(prefix, time.Now())
	}
	description, _ := desiredString(s, d, "description")
	in := &ec2.CreateSecurityGroupInput{
		GroupName:         aws.String(name),
		Description:       aws.String(description),
		TagSpecifications: p.tagSpecifications(ec2types.ResourceTypeSecurityGroup, d),
	}
	if v, ok := desiredString(s, d, "vpc_id"); ok {
		in.VpcId = aws.String(v)
	}
	out, err := p.ec2.CreateSecurityGroup(ctx, in)
	if err != nil {
		return "", fmt.Errorf("creating security group: %w", err)
	}
	id := aws.ToString(out.GroupId)
	// Read the new group back: AWS gives a group in a VPC an allow-all
	// egress rule, which stays unless the configuration declares egress
	// without it.
	live, err := readSecurityGroups(ctx, p, &readRequest{ids: []string{id}})
	if err != nil {
		return "", err
	}
	var created cty.Value
	for _, l := range live {
		if l.ID == id {
			created = l.Attrs
		}
	}
	if created == cty.NilVal {
		return "", fmt.Errorf("security group %s not found after creating it", id)
	}
	if err := reconcileSecurityGroupRules(ctx, p, id, created, d, changeSet{"ingress": true, "egress": true}, false); err != nil {
		return "", err
	}
	return id, nil
}

func updateSecurityGroup(ctx context.Context, p *Provider, c *applyChange) (string, error) {
	changed := c.changed
	if err := reconcileSecurityGroupRules(ctx, p, c.ID, c.Live, c.Desired, changed, true); err != nil {
		return "", err
	}
	if changed["tags"] {
		if err := p.updateTags(ctx, c.ID, c.Live, c.Desired); err != nil {
			return "", err
		}
	}
	return c.ID, nil
}

// reconcileSecurityGroupRules revokes the live rules that desired does not
// have and authorizes the desired rules that live lacks, compared as atomic
// rules (see security_group_rules.go), for ingress and egress when changed
// names them. Rules left out of desired (null, or an empty set from absent
// blocks) leave the live rules alone, as Terraform's Optional+Computed
// ingress and egress do; but an update (exact) makes a changed attribute
// what desired says even when it is empty: the comparison found it must
// change, so the configuration said "none" (`egress = []`). Revokes go
// first so that a rule whose description changed is not authorized twice.
func reconcileSecurityGroupRules(ctx context.Context, p *Provider, groupID string, live, desired cty.Value, changed changeSet, exact bool) error {
	for _, egress := range []bool{false, true} {
		name := "ingress"
		if egress {
			name = "egress"
		}
		if !changed[name] {
			continue
		}
		want := desiredAttr(securityGroupSchema(), desired, name)
		if exact {
			if v := attr(desired, name); !v.IsNull() && v.IsKnown() {
				want = v
			}
		}
		if want.IsNull() {
			continue
		}
		wantRules, err := ruleSetOf(want)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		haveRules, err := ruleSetOf(attr(live, name))
		if err != nil {
			return fmt.Errorf("live %s: %w", name, err)
		}
		var revoke, authorize []ec2types.IpPermission
		for _, r := range haveRules.list {
			if !wantRules.has[r] {
				revoke = append(revoke, r.permission(groupID))
			}
		}
		for _, r := range wantRules.list {
			if !haveRules.has[r] {
				authorize = append(authorize, r.permission(groupID))
			}
		}
		if err := changeRules(ctx, p, groupID, egress, revoke, authorize); err != nil {
			return err
		}
	}
	return nil
}

func changeRules(ctx context.Context, p *Provider, groupID string, egress bool, revoke, authorize []ec2types.IpPermission) error {
	id := aws.String(groupID)
	if len(revoke) > 0 {
		var err error
		if egress {
			_, err = p.ec2.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: id, IpPermissions: revoke})
		} else {
			_, err = p.ec2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: id, IpPermissions: revoke})
		}
		if err != nil {
			return fmt.Errorf("revoking %s rules of security group %s: %w", direction(egress), groupID, err)
		}
	}
	if len(authorize) > 0 {
		var err error
		if egress {
			_, err = p.ec2.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: id, IpPermissions: authorize})
		} else {
			_, err = p.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: id, IpPermissions: authorize})
		}
		if err != nil {
			return fmt.Errorf("authorizing %s rules of security group %s: %w", direction(egress), groupID, err)
		}
	}
	return nil
}

func direction(egress bool) string {
	if egress {
		return "egress"
	}
	return "ingress"
}

// ruleSet is a set of atomic rules, in a stable order.
type ruleSet struct {
	list []securityGroupRule
	has  map[securityGroupRule]bool
}

// ruleSetOf splits a set of rule objects into atomic rules.
func ruleSetOf(v cty.Value) (ruleSet, error) {
	rs := ruleSet{has: map[securityGroupRule]bool{}}
	if v.IsNull() || !v.IsKnown() || !v.CanIterateElements() {
		return rs, nil
	}
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() {
			continue
		}
		rules, err := atomicRules(e)
		if err != nil {
			return rs, err
		}
		for _, r := range rules {
			if !rs.has[r] {
				rs.has[r] = true
				rs.list = append(rs.list, r)
			}
		}
	}
	return rs, nil
}

// permission is the EC2 permission of one atomic rule. EC2 ignores the ports
// of an all-protocols ("-1") rule, and they are left out.
func (r securityGroupRule) permission(groupID string) ec2types.IpPermission {
	perm := ec2types.IpPermission{IpProtocol: aws.String(r.protocol)}
	if r.protocol != "-1" {
		perm.FromPort, perm.ToPort = aws.Int32(int32(r.fromPort)), aws.Int32(int32(r.toPort))
	}
	var desc *string
	if r.description != "" {
		desc = aws.String(r.description)
	}
	switch {
	case r.cidr != "":
		perm.IpRanges = []ec2types.IpRange{{CidrIp: aws.String(r.cidr), Description: desc}}
	case r.ipv6CIDR != "":
		perm.Ipv6Ranges = []ec2types.Ipv6Range{{CidrIpv6: aws.String(r.ipv6CIDR), Description: desc}}
	case r.prefixList != "":
		perm.PrefixListIds = []ec2types.PrefixListId{{PrefixListId: aws.String(r.prefixList), Description: desc}}
	case r.securityGroup != "":
		// "OWNER/sg-..." names a group of another account.
		pair := ec2types.UserIdGroupPair{GroupId: aws.String(r.securityGroup), Description: desc}
		if user, gid, ok := strings.Cut(r.securityGroup, "/"); ok {
			pair.UserId, pair.GroupId = aws.String(user), aws.String(gid)
		}
		perm.UserIdGroupPairs = []ec2types.UserIdGroupPair{pair}
	case r.self:
		perm.UserIdGroupPairs = []ec2types.UserIdGroupPair{{GroupId: aws.String(groupID), Description: desc}}
	}
	return perm
}

// prefixedUniqueName is terraform-plugin-sdk's id.PrefixedUniqueId: the
// prefix and a suffix of uniqueIDSuffixLength digits, a timestamp to the
// tenth of a millisecond and eight more digits, so that
// namePrefixFromName recovers the prefix.
func prefixedUniqueName(prefix string, now time.Time) string {
	now = now.UTC()
	return fmt.Sprintf("%s%s%04d%08d", prefix, now.Format("20060102150405"), now.Nanosecond()/100000, now.Nanosecond()%100000000)
}
