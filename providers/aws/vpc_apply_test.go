package aws

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

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
