package aws

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// rule builds one configured rule object as the configuration decoder does:
// every attribute present, the ones not written null.
func rule(protocol string, from, to int64, set map[string]cty.Value) cty.Value {
	vals := map[string]cty.Value{}
	for name, a := range securityGroupRuleAttributes() {
		vals[name] = cty.NullVal(a.Type)
	}
	vals["protocol"] = cty.StringVal(protocol)
	vals["from_port"] = cty.NumberIntVal(from)
	vals["to_port"] = cty.NumberIntVal(to)
	for k, v := range set {
		vals[k] = v
	}
	return cty.ObjectVal(vals)
}

func strs(ss ...string) cty.Value {
	vals := make([]cty.Value, len(ss))
	for i, s := range ss {
		vals[i] = cty.StringVal(s)
	}
	return cty.ListVal(vals)
}

func TestSecurityGroupRulesNormalize(t *testing.T) {
	set := func(rs ...cty.Value) cty.Value { return cty.SetVal(rs) }
	tests := []struct {
		name  string
		a, b  cty.Value
		equal bool
	}{
		{
			name:  "one block with two CIDRs vs two blocks",
			a:     set(rule("tcp", 22, 22, map[string]cty.Value{"cidr_blocks": strs("10.0.0.0/8", "192.168.0.0/16")})),
			b:     set(rule("tcp", 22, 22, map[string]cty.Value{"cidr_blocks": strs("10.0.0.0/8")}), rule("tcp", 22, 22, map[string]cty.Value{"cidr_blocks": strs("192.168.0.0/16")})),
			equal: true,
		},
		{
			name:  "all vs -1",
			a:     set(rule("all", 0, 0, map[string]cty.Value{"cidr_blocks": strs("0.0.0.0/0")})),
			b:     set(rule("-1", 0, 0, map[string]cty.Value{"cidr_blocks": strs("0.0.0.0/0")})),
			equal: true,
		},
		{
			name:  "protocol numbers vs names",
			a:     set(rule("6", 80, 80, map[string]cty.Value{"cidr_blocks": strs("0.0.0.0/0")}), rule("17", 53, 53, map[string]cty.Value{"cidr_blocks": strs("0.0.0.0/0")}), rule("58", -1, -1, map[string]cty.Value{"ipv6_cidr_blocks": strs("::/0")})),
			b:     set(rule("TCP", 80, 80, map[string]cty.Value{"cidr_blocks": strs("0.0.0.0/0")}), rule("udp", 53, 53, map[string]cty.Value{"cidr_blocks": strs("0.0.0.0/0")}), rule("icmpv6", -1, -1, map[string]cty.Value{"ipv6_cidr_blocks": strs("::/0")})),
			equal: true,
		},
		{
			name:  "mixed sources in one block vs atomic blocks, description kept per source",
			a:     set(rule("tcp", 443, 443, map[string]cty.Value{"cidr_blocks": strs("10.0.0.0/8"), "security_groups": cty.SetVal([]cty.Value{cty.StringVal("sg-1")}), "self": cty.True, "description": cty.StringVal("https")})),
			b:     set(rule("tcp", 443, 443, map[string]cty.Value{"self": cty.True, "description": cty.StringVal("https")}), rule("tcp", 443, 443, map[string]cty.Value{"security_groups": cty.SetVal([]cty.Value{cty.StringVal("sg-1")}), "description": cty.StringVal("https")}), rule("tcp", 443, 443, map[string]cty.Value{"cidr_blocks": strs("10.0.0.0/8"), "description": cty.StringVal("https"), "self": cty.False})),
			equal: true,
		},
		{
			name:  "IPv6 CIDR case",
			a:     set(rule("tcp", 22, 22, map[string]cty.Value{"ipv6_cidr_blocks": strs("2001:DB8::/32")})),
			b:     set(rule("tcp", 22, 22, map[string]cty.Value{"ipv6_cidr_blocks": strs("2001:db8::/32")})),
			equal: true,
		},
		{
			name: "a CIDR missing",
			a:    set(rule("tcp", 22, 22, map[string]cty.Value{"cidr_blocks": strs("10.0.0.0/8", "192.168.0.0/16")})),
			b:    set(rule("tcp", 22, 22, map[string]cty.Value{"cidr_blocks": strs("10.0.0.0/8")})),
		},
		{
			name: "different description",
			a:    set(rule("tcp", 22, 22, map[string]cty.Value{"cidr_blocks": strs("10.0.0.0/8"), "description": cty.StringVal("ssh")})),
			b:    set(rule("tcp", 22, 22, map[string]cty.Value{"cidr_blocks": strs("10.0.0.0/8")})),
		},
		{
			name: "different ports",
			a:    set(rule("tcp", 22, 22, map[string]cty.Value{"cidr_blocks": strs("10.0.0.0/8")})),
			b:    set(rule("tcp", 22, 23, map[string]cty.Value{"cidr_blocks": strs("10.0.0.0/8")})),
		},
		{
			name:  "empty vs empty",
			a:     cty.SetValEmpty(securityGroupRuleType()),
			b:     cty.SetValEmpty(securityGroupRuleType()),
			equal: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := normalizeSecurityGroupRules(tt.a)
			if err != nil {
				t.Fatal(err)
			}
			b, err := normalizeSecurityGroupRules(tt.b)
			if err != nil {
				t.Fatal(err)
			}
			if got := a.Equals(b).True(); got != tt.equal {
				t.Errorf("equal = %v, want %v\na: %#v\nb: %#v", got, tt.equal, a, b)
			}
			// Normalizing twice changes nothing.
			again, _ := normalizeSecurityGroupRules(a)
			if !again.RawEquals(a) {
				t.Errorf("normalizer is not idempotent")
			}
		})
	}
	for _, v := range []cty.Value{cty.NullVal(cty.Set(securityGroupRuleType())), cty.UnknownVal(cty.Set(securityGroupRuleType()))} {
		if got, _ := normalizeSecurityGroupRules(v); !got.RawEquals(v) {
			t.Errorf("normalize(%#v) = %#v, want it unchanged", v, got)
		}
	}
}

func TestProtocolForValue(t *testing.T) {
	for in, want := range map[string]string{"-1": "-1", "all": "-1", "ALL": "-1", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "tcp": "tcp", "47": "47", "gre": "gre"} {
		if got := protocolForValue(in); got != want {
			t.Errorf("protocolForValue(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSecurityGroupRead(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	c := ec2Seed(srv)
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.3.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vpcID := aws.ToString(vpc.Vpc.VpcId)
	other, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("lb"), Description: aws.String("load balancer"), VpcId: vpc.Vpc.VpcId})
	if err != nil {
		t.Fatal(err)
	}
	web, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName: aws.String("web"), Description: aws.String("Managed by Terraform"), VpcId: vpc.Vpc.VpcId,
		TagSpecifications: tagSpec(ec2types.ResourceTypeSecurityGroup, "Name", "web"),
	})
	if err != nil {
		t.Fatal(err)
	}
	webID, otherID := aws.ToString(web.GroupId), aws.ToString(other.GroupId)
	// AWS groups these into two permissions with several sources each.
	if _, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: web.GroupId,
		IpPermissions: []ec2types.IpPermission{
			{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []ec2types.IpRange{
				{CidrIp: aws.String("10.0.0.0/8"), Description: aws.String("ssh")},
				{CidrIp: aws.String("192.168.0.0/16"), Description: aws.String("ssh")},
			}},
			{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), UserIdGroupPairs: []ec2types.UserIdGroupPair{
				{GroupId: other.GroupId}, {GroupId: web.GroupId},
			}},
		},
	}); err != nil {
		t.Fatal(err)
	}

	p := testProvider(t, srv.URL(), "us-east-1")
	all := mustRead(t, p, "aws_security_group")
	checkConforms(t, p, all)
	live := liveByID(t, all, webID)
	if live.CloudManaged {
		t.Errorf("created group is marked CloudManaged")
	}
	wantAttrs(t, live, map[string]cty.Value{
		"id":          cty.StringVal(webID),
		"arn":         cty.StringVal("arn:aws:ec2:us-east-1:" + motoAccount + ":security-group/" + webID),
		"name":        cty.StringVal("web"),
		"name_prefix": cty.NullVal(cty.String),
		"description": cty.StringVal("Managed by Terraform"),
		"vpc_id":      cty.StringVal(vpcID),
		"owner_id":    cty.StringVal(motoAccount),
		"tags":        cty.MapVal(map[string]cty.Value{"Name": cty.StringVal("web")}),
	})
	if got := securityGroupSchema().Identity(live.Attrs); got != "web/"+vpcID {
		t.Errorf("Identity = %q, want web/%s", got, vpcID)
	}

	// The configuration writes the same rules in another shape.
	config := cty.SetVal([]cty.Value{
		rule("6", 22, 22, map[string]cty.Value{"cidr_blocks": strs("192.168.0.0/16", "10.0.0.0/8"), "description": cty.StringVal("ssh")}),
		rule("tcp", 443, 443, map[string]cty.Value{"security_groups": cty.SetVal([]cty.Value{cty.StringVal(otherID)}), "self": cty.True}),
	})
	want, _ := normalizeSecurityGroupRules(config)
	got, _ := normalizeSecurityGroupRules(attrOf(live, "ingress"))
	if !got.Equals(want).True() {
		t.Errorf("ingress = %#v\nwant %#v", got, want)
	}
	// AWS (and moto) add an allow-all egress rule to every new group.
	wantEgress, _ := normalizeSecurityGroupRules(cty.SetVal([]cty.Value{rule("-1", 0, 0, map[string]cty.Value{"cidr_blocks": strs("0.0.0.0/0")})}))
	if gotEgress := attrOf(live, "egress"); !gotEgress.Equals(wantEgress).True() {
		t.Errorf("egress = %#v, want the default allow-all rule", gotEgress)
	}

	var defaults int
	for _, l := range all {
		if attrOf(l, "name").AsString() == "default" {
			defaults++
			if !l.CloudManaged {
				t.Errorf("default group %s is not marked CloudManaged", l.ID)
			}
		} else if l.CloudManaged {
			t.Errorf("group %s is marked CloudManaged", l.ID)
		}
	}
	if defaults != 2 {
		t.Errorf("found %d default groups, want 2 (moto's default VPC and ours)", defaults)
	}

	filtered := mustRead(t, p, "aws_security_group", webID, "sg-0123456789abcdef0")
	if len(filtered) != 1 || filtered[0].ID != webID {
		t.Errorf("read with a missing ID: %v, want only %s", ids(filtered), webID)
	}
}

func TestNamePrefixFromName(t *testing.T) {
	tests := []struct {
		name string
		want cty.Value
	}{
		{"web", cty.NullVal(cty.String)},
		{"web-20240101120000000000000001", cty.StringVal("web-")},
		{"web-2024010112000000000000000x", cty.NullVal(cty.String)},
	}
	for _, tt := range tests {
		if got := namePrefixFromName(tt.name); !got.RawEquals(tt.want) {
			t.Errorf("namePrefixFromName(%q) = %#v, want %#v", tt.name, got, tt.want)
		}
	}
}

func TestSecurityGroupApply(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	c := ec2Seed(srv)
	p := testProvider(t, srv.URL(), "us-east-1")
	s := securityGroupSchema()
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.6.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vpcID := aws.ToString(vpc.Vpc.VpcId)
	rules := func(rs ...cty.Value) cty.Value { return cty.SetVal(rs) }
	cidrs := func(cs ...string) map[string]cty.Value { return map[string]cty.Value{"cidr_blocks": strs(cs...)} }
	ssh := rule("tcp", 22, 22, map[string]cty.Value{"cidr_blocks": strs("10.0.0.0/8"), "description": cty.StringVal("ssh")})
	allOut := rule("-1", 0, 0, cidrs("0.0.0.0/0"))
	desired := func(name string, vals map[string]cty.Value) cty.Value {
		all := map[string]cty.Value{"vpc_id": cty.StringVal(vpcID)}
		if name != "" {
			all["name"] = cty.StringVal(name)
		}
		for k, v := range vals {
			all[k] = v
		}
		return ec2Config(s, all)
	}

	t.Run("create", func(t *testing.T) {
		tests := []struct {
			name string
			vals map[string]cty.Value
			// egress is the egress the group must have live, when the
			// configuration leaves it out.
			egress cty.Value
		}{
			{name: "no rules keeps AWS's allow-all egress", egress: rules(allOut)},
			{name: "ingress, egress replacing the default, tags", vals: map[string]cty.Value{
				"description": cty.StringVal("web servers"),
				"ingress": rules(ssh, rule("tcp", 443, 443, map[string]cty.Value{
					"cidr_blocks": strs("0.0.0.0/0", "192.168.0.0/16"), "ipv6_cidr_blocks": strs("::/0"),
				})),
				"egress": rules(rule("tcp", 443, 443, cidrs("0.0.0.0/0"))),
				"tags":   ec2TagsVal("Name", "web"),
			}},
			{name: "egress declaring the default and another", vals: map[string]cty.Value{
				"egress": rules(allOut, rule("udp", 53, 53, cidrs("10.0.0.2/32"))),
			}},
			{name: "self and another group", vals: map[string]cty.Value{
				"ingress": rules(rule("tcp", 8080, 8080, map[string]cty.Value{"self": cty.True}), rule("all", 0, 0, map[string]cty.Value{
					"security_groups": cty.SetVal([]cty.Value{cty.StringVal(defaultGroupOf(t, c, vpcID))}),
				})),
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				d := desired("create-"+strings.ReplaceAll(tt.name, " ", "-"), tt.vals)
				resp := ec2MustApply(t, p, providers.ApplyRequest{Type: "aws_security_group", Kind: providers.Create, Desired: d})
				ec2CheckConverged(t, p, "aws_security_group", resp.ID, d)
				if tt.egress != cty.NilVal {
					got, _ := normalizeSecurityGroupRules(ec2ReadOne(t, p, "aws_security_group", resp.ID).Attrs.GetAttr("egress"))
					want, _ := normalizeSecurityGroupRules(tt.egress)
					if !got.Equals(want).True() {
						t.Errorf("egress = %#v, want %#v", got, want)
					}
				}
			})
		}
	})

	t.Run("create with a generated name", func(t *testing.T) {
		tests := []struct{ name, prefix string }{{"name_prefix", "app-"}, {"neither name nor prefix", ""}}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				vals := map[string]cty.Value{}
				if tt.prefix != "" {
					vals["name_prefix"] = cty.StringVal(tt.prefix)
				}
				d := desired("", vals)
				resp := ec2MustApply(t, p, providers.ApplyRequest{Type: "aws_security_group", Kind: providers.Create, Desired: d})
				ec2CheckConverged(t, p, "aws_security_group", resp.ID, d)
				want := tt.prefix
				if want == "" {
					want = terraformNamePrefix
				}
				if got := ec2ReadOne(t, p, "aws_security_group", resp.ID).Attrs.GetAttr("name_prefix"); !got.RawEquals(cty.StringVal(want)) {
					t.Errorf("name_prefix = %#v, want %q", got, want)
				}
			})
		}
	})

	// seed makes a group by hand with the ssh ingress rule and AWS's
	// default egress.
	seed := func(t *testing.T, name string) string {
		t.Helper()
		out, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
			GroupName: aws.String(name), Description: aws.String("Managed by Terraform"), VpcId: aws.String(vpcID),
			TagSpecifications: tagSpec(ec2types.ResourceTypeSecurityGroup, "Name", name),
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
			GroupId: out.GroupId, IpPermissions: []ec2types.IpPermission{tcpFrom(22, "10.0.0.0/8", "ssh")},
		}); err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.GroupId)
	}
	t.Run("update", func(t *testing.T) {
		tests := []struct {
			name  string
			vals  map[string]cty.Value
			drift func(id string) error
		}{
			{
				name: "ingress rule added by hand",
				vals: map[string]cty.Value{"ingress": rules(ssh)},
				drift: func(id string) error {
					_, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
						GroupId: aws.String(id), IpPermissions: []ec2types.IpPermission{tcpFrom(3306, "0.0.0.0/0", "")},
					})
					return err
				},
			},
			{
				name: "ingress rule removed by hand",
				vals: map[string]cty.Value{"ingress": rules(ssh, rule("tcp", 80, 80, cidrs("0.0.0.0/0")))},
				drift: func(id string) error {
					_, err := c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{
						GroupId: aws.String(id), IpPermissions: []ec2types.IpPermission{tcpFrom(22, "10.0.0.0/8", "")},
					})
					return err
				},
			},
			{
				name: "rule description changed by hand",
				vals: map[string]cty.Value{"ingress": rules(ssh)},
				drift: func(id string) error {
					if _, err := c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{
						GroupId: aws.String(id), IpPermissions: []ec2types.IpPermission{tcpFrom(22, "10.0.0.0/8", "")},
					}); err != nil {
						return err
					}
					_, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
						GroupId: aws.String(id), IpPermissions: []ec2types.IpPermission{tcpFrom(22, "10.0.0.0/8", "bastion")},
					})
					return err
				},
			},
			{
				name:  "egress declared without the default",
				vals:  map[string]cty.Value{"ingress": rules(ssh), "egress": rules(rule("tcp", 443, 443, cidrs("0.0.0.0/0")))},
				drift: func(id string) error { return nil },
			},
			{
				name: "tag changed by hand, rules left out",
				vals: map[string]cty.Value{},
				drift: func(id string) error {
					_, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: []ec2types.Tag{{Key: aws.String("Env"), Value: aws.String("dev")}}})
					return err
				},
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				name := "update-" + strings.ReplaceAll(tt.name, " ", "-")
				id := seed(t, name)
				if err := tt.drift(id); err != nil {
					t.Fatal(err)
				}
				vals := map[string]cty.Value{"tags": ec2TagsVal("Name", name)}
				for k, v := range tt.vals {
					vals[k] = v
				}
				ec2UpdateToward(t, p, "aws_security_group", id, desired(name, vals))
			})
		}
	})

	t.Run("not updatable in place", func(t *testing.T) {
		id := seed(t, "fixed")
		ec2CheckNotSupported(t, p, "aws_security_group", id, desired("fixed", map[string]cty.Value{"description": cty.StringVal("new")}), "description")
		ec2CheckNotSupported(t, p, "aws_security_group", id, desired("renamed", nil), "name")
	})

	t.Run("delete", func(t *testing.T) {
		ec2CheckDeleted(t, p, "aws_security_group", seed(t, "doomed"))
	})
}

// tcpFrom is one TCP ingress permission from a CIDR block.
func tcpFrom(port int32, cidr, description string) ec2types.IpPermission {
	r := ec2types.IpRange{CidrIp: aws.String(cidr)}
	if description != "" {
		r.Description = aws.String(description)
	}
	return ec2types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port), IpRanges: []ec2types.IpRange{r}}
}

// defaultGroupOf is the ID of a VPC's default security group.
func defaultGroupOf(t *testing.T, c *ec2.Client, vpcID string) string {
	t.Helper()
	out, err := c.DescribeSecurityGroups(context.Background(), &ec2.DescribeSecurityGroupsInput{
		Filters: []ec2types.Filter{filter("vpc-id", vpcID), filter("group-name", "default")},
	})
	if err != nil || len(out.SecurityGroups) != 1 {
		t.Fatalf("default group of %s: %v", vpcID, err)
	}
	return aws.ToString(out.SecurityGroups[0].GroupId)
}
