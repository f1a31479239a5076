package aws

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

func TestVPCRead(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	c := ec2Seed(srv)
	out, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{
		CidrBlock:         aws.String("10.1.0.0/16"),
		TagSpecifications: tagSpec(ec2types.ResourceTypeVpc, "Name", "app", "aws:cloudformation:stack-name", "hidden"),
	})
	if err != nil {
		t.Fatal(err)
	}
	vpcID := aws.ToString(out.Vpc.VpcId)
	if _, err := c.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{
		VpcId: out.Vpc.VpcId, EnableDnsHostnames: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)},
	}); err != nil {
		t.Fatal(err)
	}

	p := testProvider(t, srv.URL(), "us-east-1")
	all := mustRead(t, p, "aws_vpc")
	checkConforms(t, p, all)

	created := liveByID(t, all, vpcID)
	if created.CloudManaged {
		t.Errorf("created VPC %s is marked CloudManaged", vpcID)
	}
	wantAttrs(t, created, map[string]cty.Value{
		"id":                               cty.StringVal(vpcID),
		"arn":                              cty.StringVal("arn:aws:ec2:us-east-1:" + motoAccount + ":vpc/" + vpcID),
		"cidr_block":                       cty.StringVal("10.1.0.0/16"),
		"instance_tenancy":                 cty.StringVal("default"),
		"enable_dns_support":               cty.True,
		"enable_dns_hostnames":             cty.True,
		"assign_generated_ipv6_cidr_block": cty.False,
		"owner_id":                         cty.StringVal(motoAccount),
		"tags":                             cty.MapVal(map[string]cty.Value{"Name": cty.StringVal("app")}),
		"ipv4_ipam_pool_id":                cty.NullVal(cty.String),
	})
	for attr, pattern := range map[string]string{
		"main_route_table_id":       `^rtb-`,
		"default_route_table_id":    `^rtb-`,
		"default_security_group_id": `^sg-`,
		"default_network_acl_id":    `^acl-`,
		// moto reports "default" where AWS names the region's default
		// DHCP option set (dopt-...).
		"dhcp_options_id": `^(dopt-|default$)`,
	} {
		if v := attrOf(created, attr); v.IsNull() || !regexp.MustCompile(pattern).MatchString(v.AsString()) {
			t.Errorf("%s = %#v, want a match of %s", attr, v, pattern)
		}
	}

	var defaults int
	for _, l := range all {
		if l.ID == vpcID {
			continue
		}
		if !l.CloudManaged {
			t.Errorf("moto's default VPC %s is not marked CloudManaged", l.ID)
		}
		defaults++
	}
	if defaults != 1 {
		t.Errorf("found %d other VPCs, want moto's one default VPC", defaults)
	}

	t.Run("ids filter with a missing ID", func(t *testing.T) {
		got := mustRead(t, p, "aws_vpc", vpcID, "vpc-0123456789abcdef0")
		if len(got) != 1 || got[0].ID != vpcID {
			t.Errorf("read %v, want only %s", ids(got), vpcID)
		}
	})
	t.Run("no VPC matches", func(t *testing.T) {
		if got := mustRead(t, p, "aws_vpc", "vpc-0123456789abcdef0"); len(got) != 0 {
			t.Errorf("read %v, want nothing", ids(got))
		}
	})
}

func TestVPCSchema(t *testing.T) {
	s := vpcType().schema
	tests := []struct {
		attr                       string
		optional, computed, tfOnly bool
		def                        cty.Value
	}{
		{attr: "cidr_block", optional: true, computed: true},
		{attr: "instance_tenancy", optional: true, def: cty.StringVal("default")},
		{attr: "enable_dns_support", optional: true, def: cty.True},
		{attr: "enable_dns_hostnames", optional: true, computed: true},
		{attr: "assign_generated_ipv6_cidr_block", optional: true, def: cty.False},
		{attr: "main_route_table_id", computed: true},
		{attr: "arn", computed: true},
		{attr: "ipv4_ipam_pool_id", optional: true, tfOnly: true},
	}
	for _, tt := range tests {
		a := s.Attributes[tt.attr]
		if a == nil {
			t.Errorf("%s missing", tt.attr)
			continue
		}
		if a.Optional != tt.optional || a.Computed != tt.computed || a.TerraformOnly != tt.tfOnly {
			t.Errorf("%s: optional %v computed %v terraform-only %v, want %v %v %v", tt.attr, a.Optional, a.Computed, a.TerraformOnly, tt.optional, tt.computed, tt.tfOnly)
		}
		if tt.def != cty.NilVal && !a.Default.RawEquals(tt.def) {
			t.Errorf("%s: default %#v, want %#v", tt.attr, a.Default, tt.def)
		}
	}
	if s.Identity != nil || !s.Tags {
		t.Errorf("aws_vpc: Identity must be nil and Tags true")
	}
	if _, ok := s.Attributes["tags_all"]; ok {
		t.Errorf("tags_all must not be in the schema")
	}
}

// compareConfig compares a configuration (only the attributes given, as
// the configuration decoder has them) with a live value, with the engine's
// semantics (changedAttributes), and names the attributes that differ.
func compareConfig(t *testing.T, schema *providers.Schema, config map[string]cty.Value, live cty.Value) []string {
	t.Helper()
	diffs, err := changedAttributes(schema, cty.ObjectVal(config), live)
	if err != nil {
		t.Fatal(err)
	}
	return diffs
}

// TestVPCIPAMManagedIPv6 is a VPC whose IPv6 block came from an IPAM pool:
// EC2 reports the association's pool as "IPAM Managed", not the pool ID
// that configuration names (terraform-provider-aws keeps the configured ID,
// resourceVPCRead). That must not be drift.
func TestVPCIPAMManagedIPv6(t *testing.T) {
	schema := vpcSchema()
	vpc := ec2types.Vpc{
		VpcId: aws.String("vpc-1"), OwnerId: aws.String("123456789012"), CidrBlock: aws.String("10.0.0.0/16"),
		InstanceTenancy: ec2types.TenancyDefault,
		Ipv6CidrBlockAssociationSet: []ec2types.VpcIpv6CidrBlockAssociation{{
			AssociationId:      aws.String("vpc-cidr-assoc-1"),
			Ipv6CidrBlock:      aws.String("2600:1f14:abc:de00::/56"),
			Ipv6Pool:           aws.String("IPAM Managed"),
			NetworkBorderGroup: aws.String("us-east-1"),
			Ipv6CidrBlockState: &ec2types.VpcCidrBlockState{State: ec2types.VpcCidrBlockStateCodeAssociated},
		}},
	}
	live := vpcAttrs(schema, "us-east-1", vpc, &vpcExtras{dnsSupport: true})
	tests := []struct {
		name   string
		config map[string]cty.Value
		want   int
	}{
		{"pool and netmask", map[string]cty.Value{
			"cidr_block":          cty.StringVal("10.0.0.0/16"),
			"ipv6_ipam_pool_id":   cty.StringVal("ipam-pool-0123456789abcdef0"),
			"ipv6_netmask_length": cty.NumberIntVal(56),
		}, 0},
		{"netmask differs", map[string]cty.Value{
			"ipv6_ipam_pool_id":   cty.StringVal("ipam-pool-0123456789abcdef0"),
			"ipv6_netmask_length": cty.NumberIntVal(48),
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diffs := compareConfig(t, schema, tt.config, live); len(diffs) != tt.want {
				t.Errorf("diffs = %v, want %d", diffs, tt.want)
			}
		})
	}
}

func TestVPCApply(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	c := ec2Seed(srv)
	p := testProvider(t, srv.URL(), "us-east-1")
	s := vpcSchema()

	t.Run("create", func(t *testing.T) {
		tests := []struct {
			name string
			vals map[string]cty.Value
		}{
			{"cidr only", map[string]cty.Value{"cidr_block": cty.StringVal("10.10.0.0/16")}},
			{"dns settings and tags", map[string]cty.Value{
				"cidr_block":           cty.StringVal("10.11.0.0/16"),
				"enable_dns_hostnames": cty.True,
				"enable_dns_support":   cty.False,
				"tags":                 ec2TagsVal("Name", "app", "Env", "prod"),
			}},
			{"dedicated tenancy", map[string]cty.Value{
				"cidr_block":       cty.StringVal("10.12.0.0/16"),
				"instance_tenancy": cty.StringVal("dedicated"),
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				desired := ec2Config(s, tt.vals)
				resp := ec2MustApply(t, p, providers.ApplyRequest{Type: "aws_vpc", Kind: providers.Create, Desired: desired})
				ec2CheckConverged(t, p, "aws_vpc", resp.ID, desired)
			})
		}
	})

	// seed makes a VPC by hand with the Name tag "app".
	seed := func(t *testing.T, cidr string, tenancy ec2types.Tenancy, kv ...string) string {
		t.Helper()
		out, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{
			CidrBlock: aws.String(cidr), InstanceTenancy: tenancy,
			TagSpecifications: tagSpec(ec2types.ResourceTypeVpc, append([]string{"Name", "app"}, kv...)...),
		})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Vpc.VpcId)
	}
	t.Run("update", func(t *testing.T) {
		tests := []struct {
			name    string
			tenancy ec2types.Tenancy
			vals    map[string]cty.Value
			drift   func(t *testing.T, id string) error
		}{
			{
				name: "tag added and changed by hand",
				vals: map[string]cty.Value{"tags": ec2TagsVal("Name", "app")},
				drift: func(t *testing.T, id string) error {
					_, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: []ec2types.Tag{
						{Key: aws.String("Owner"), Value: aws.String("someone")}, {Key: aws.String("Name"), Value: aws.String("renamed")},
					}})
					return err
				},
			},
			{
				name: "DNS hostnames switched on by hand",
				vals: map[string]cty.Value{"enable_dns_hostnames": cty.False, "tags": ec2TagsVal("Name", "app")},
				drift: func(t *testing.T, id string) error {
					_, err := c.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(id), EnableDnsHostnames: attributeBool(true)})
					return err
				},
			},
			{
				name: "DNS support switched off by hand, default true",
				vals: map[string]cty.Value{"tags": ec2TagsVal("Name", "app")},
				drift: func(t *testing.T, id string) error {
					_, err := c.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(id), EnableDnsSupport: attributeBool(false)})
					return err
				},
			},
			{
				name:    "dedicated tenancy back to the default",
				tenancy: ec2types.TenancyDedicated,
				vals:    map[string]cty.Value{"tags": ec2TagsVal("Name", "app")},
				drift:   func(t *testing.T, id string) error { return nil },
			},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				cidr := fmt.Sprintf("10.%d.0.0/16", 20+i)
				id := seed(t, cidr, tt.tenancy)
				if err := tt.drift(t, id); err != nil {
					t.Fatal(err)
				}
				vals := map[string]cty.Value{"cidr_block": cty.StringVal(cidr)}
				for k, v := range tt.vals {
					vals[k] = v
				}
				ec2UpdateToward(t, p, "aws_vpc", id, ec2Config(s, vals))
			})
		}
	})

	t.Run("tags under aws: and ignore_tags are left alone", func(t *testing.T) {
		id := seed(t, "10.30.0.0/16", "", "aws:cloudformation:stack-name", "stack", "kubernetes.io/role", "elb", "Owner", "someone")
		ip := ec2ProviderIgnoringTags(t, srv.URL(), "kubernetes.io/role")
		ec2UpdateToward(t, ip, "aws_vpc", id, ec2Config(s, map[string]cty.Value{"cidr_block": cty.StringVal("10.30.0.0/16"), "tags": ec2TagsVal("Name", "app")}))
		out, err := c.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []ec2types.Filter{filter("resource-id", id)}})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, tag := range out.Tags {
			got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		want := map[string]string{"Name": "app", "aws:cloudformation:stack-name": "stack", "kubernetes.io/role": "elb"}
		if len(got) != len(want) {
			t.Errorf("tags = %v, want %v", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("tag %s = %q, want %q (all: %v)", k, got[k], v, got)
			}
		}
	})

	t.Run("not updatable in place", func(t *testing.T) {
		id := seed(t, "10.31.0.0/16", "")
		ec2CheckNotSupported(t, p, "aws_vpc", id, ec2Config(s, map[string]cty.Value{"cidr_block": cty.StringVal("10.32.0.0/16")}), "cidr_block")
		ec2CheckNotSupported(t, p, "aws_vpc", id, ec2Config(s, map[string]cty.Value{
			"cidr_block": cty.StringVal("10.31.0.0/16"), "instance_tenancy": cty.StringVal("dedicated"),
		}), "instance_tenancy")
		ec2CheckNotSupported(t, p, "aws_vpc", id, ec2Config(s, map[string]cty.Value{
			"cidr_block": cty.StringVal("10.31.0.0/16"), "assign_generated_ipv6_cidr_block": cty.True,
		}), "assign_generated_ipv6_cidr_block")
	})

	t.Run("delete", func(t *testing.T) {
		ec2CheckDeleted(t, p, "aws_vpc", seed(t, "10.33.0.0/16", ""))
	})

	t.Run("delete refused with a subnet", func(t *testing.T) {
		id := seed(t, "10.34.0.0/16", "")
		if _, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(id), CidrBlock: aws.String("10.34.1.0/24")}); err != nil {
			t.Fatal(err)
		}
		_, err := p.Apply(ctx, providers.ApplyRequest{Type: "aws_vpc", Kind: providers.Delete, ID: id})
		if code := ec2ErrorCode(err); code != "DependencyViolation" {
			t.Errorf("err = %v, want the SDK's DependencyViolation", err)
		}
	})
}

func TestEC2ForceNew(t *testing.T) {
	tests := []struct {
		schema *providers.Schema
		want   []string
	}{
		{vpcSchema(), []string{"cidr_block", "ipv4_ipam_pool_id", "ipv4_netmask_length"}},
		{subnetSchema(), []string{"availability_zone", "availability_zone_id", "cidr_block", "ipv4_ipam_pool_id", "ipv4_netmask_length",
			"ipv6_ipam_pool_id", "ipv6_native", "ipv6_netmask_length", "outpost_arn", "vpc_id"}},
		{securityGroupSchema(), []string{"description", "name", "name_prefix", "vpc_id"}},
		{instanceSchema(), []string{"ami", "associate_public_ip_address", "availability_zone", "cpu_core_count", "cpu_options",
			"cpu_threads_per_core", "ebs_block_device", "ebs_optimized", "enclave_options", "ephemeral_block_device", "hibernation",
			"host_id", "ipv6_address_count", "ipv6_addresses", "key_name", "launch_template", "network_interface", "placement_group",
			"placement_partition_number", "private_dns_name_options", "private_ip", "security_groups", "subnet_id", "tenancy"}},
	}
	for _, tt := range tests {
		t.Run(tt.schema.Type, func(t *testing.T) {
			var got []string
			for _, name := range slices.Sorted(maps.Keys(tt.schema.Attributes)) {
				if tt.schema.Attributes[name].ForceNew {
					got = append(got, name)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("ForceNew = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("ForceNew = %v, want %v", got, tt.want)
					break
				}
			}
		})
	}
}
