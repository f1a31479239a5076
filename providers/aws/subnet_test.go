package aws

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

func TestSubnetRead(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	c := ec2Seed(srv)
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.2.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{
		VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.2.1.0/24"), AvailabilityZone: aws.String("us-east-1b"),
		TagSpecifications: tagSpec(ec2types.ResourceTypeSubnet, "Name", "private"),
	})
	if err != nil {
		t.Fatal(err)
	}
	subID := aws.ToString(sub.Subnet.SubnetId)
	if _, err := c.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{
		SubnetId: sub.Subnet.SubnetId, MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)},
	}); err != nil {
		t.Fatal(err)
	}

	p := testProvider(t, srv.URL(), "us-east-1")
	all := mustRead(t, p, "aws_subnet")
	checkConforms(t, p, all)
	created := liveByID(t, all, subID)
	if created.CloudManaged {
		t.Errorf("created subnet is marked CloudManaged")
	}
	wantAttrs(t, created, map[string]cty.Value{
		"id":                              cty.StringVal(subID),
		"arn":                             cty.StringVal("arn:aws:ec2:us-east-1:" + motoAccount + ":subnet/" + subID),
		"vpc_id":                          cty.StringVal(aws.ToString(vpc.Vpc.VpcId)),
		"cidr_block":                      cty.StringVal("10.2.1.0/24"),
		"availability_zone":               cty.StringVal("us-east-1b"),
		"map_public_ip_on_launch":         cty.True,
		"assign_ipv6_address_on_creation": cty.False,
		"owner_id":                        cty.StringVal(motoAccount),
		"ipv6_cidr_block":                 cty.StringVal(""),
		"tags":                            cty.MapVal(map[string]cty.Value{"Name": cty.StringVal("private")}),
		"timeouts":                        cty.ListValEmpty(subnetSchema().Attributes["timeouts"].ImpliedType().ElementType()),
	})
	if got, want := subnetSchema().Identity(created.Attrs), aws.ToString(vpc.Vpc.VpcId)+"/10.2.1.0/24"; got != want {
		t.Errorf("Identity = %q, want %q", got, want)
	}
	// moto makes one default subnet per availability zone of the region
	// in its default VPC.
	var defaults int
	for _, l := range all {
		if l.ID != subID {
			if !l.CloudManaged {
				t.Errorf("default subnet %s is not marked CloudManaged", l.ID)
			}
			defaults++
		}
	}
	if defaults == 0 {
		t.Errorf("found no default subnets")
	}

	got := mustRead(t, p, "aws_subnet", subID, "subnet-0123456789abcdef0")
	if len(got) != 1 || got[0].ID != subID {
		t.Errorf("read with a missing ID: %v, want only %s", ids(got), subID)
	}
}

func TestSubnetIdentity(t *testing.T) {
	id := subnetSchema().Identity
	obj := func(vpc, cidr cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"vpc_id": vpc, "cidr_block": cidr})
	}
	tests := []struct {
		name string
		v    cty.Value
		want string
	}{
		{"known", obj(cty.StringVal("vpc-1"), cty.StringVal("10.0.1.0/24")), "vpc-1/10.0.1.0/24"},
		{"canonical CIDR", obj(cty.StringVal("vpc-1"), cty.StringVal("10.0.1.9/24")), "vpc-1/10.0.1.0/24"},
		{"unknown VPC", obj(cty.UnknownVal(cty.String), cty.StringVal("10.0.1.0/24")), ""},
		{"null CIDR", obj(cty.StringVal("vpc-1"), cty.NullVal(cty.String)), ""},
	}
	for _, tt := range tests {
		if got := id(tt.v); got != tt.want {
			t.Errorf("%s: Identity = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSubnetApply(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	c := ec2Seed(srv)
	p := testProvider(t, srv.URL(), "us-east-1")
	s := subnetSchema()
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.5.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vpcID := aws.ToString(vpc.Vpc.VpcId)
	// cidr hands out a new /24 of the VPC to each case.
	next := 0
	cidr := func() string {
		next++
		return fmt.Sprintf("10.5.%d.0/24", next)
	}
	desired := func(cidr string, vals map[string]cty.Value) cty.Value {
		all := map[string]cty.Value{"vpc_id": cty.StringVal(vpcID), "cidr_block": cty.StringVal(cidr)}
		for k, v := range vals {
			all[k] = v
		}
		return ec2Config(s, all)
	}

	t.Run("create", func(t *testing.T) {
		tests := []struct {
			name string
			vals map[string]cty.Value
		}{
			{"vpc and cidr only", nil},
			{"zone, public IPs and tags", map[string]cty.Value{
				"availability_zone":       cty.StringVal("us-east-1b"),
				"map_public_ip_on_launch": cty.True,
				"tags":                    ec2TagsVal("Name", "public", "Tier", "web"),
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				d := desired(cidr(), tt.vals)
				resp := ec2MustApply(t, p, providers.ApplyRequest{Type: "aws_subnet", Kind: providers.Create, Desired: d})
				ec2CheckConverged(t, p, "aws_subnet", resp.ID, d)
			})
		}
	})

	seed := func(t *testing.T, cidr string) string {
		t.Helper()
		out, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{
			VpcId: aws.String(vpcID), CidrBlock: aws.String(cidr), AvailabilityZone: aws.String("us-east-1a"),
			TagSpecifications: tagSpec(ec2types.ResourceTypeSubnet, "Name", "app"),
		})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Subnet.SubnetId)
	}
	t.Run("update", func(t *testing.T) {
		tests := []struct {
			name  string
			vals  map[string]cty.Value
			drift func(id string) error
		}{
			{
				name: "public IPs switched on by hand",
				vals: map[string]cty.Value{"tags": ec2TagsVal("Name", "app")},
				drift: func(id string) error {
					_, err := c.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(id), MapPublicIpOnLaunch: attributeBool(true)})
					return err
				},
			},
			{
				name: "public IPs switched off by hand",
				vals: map[string]cty.Value{"map_public_ip_on_launch": cty.True, "tags": ec2TagsVal("Name", "app")},
				drift: func(id string) error {
					return nil // seeded without public IPs
				},
			},
			{
				name: "tag removed and another added by hand",
				vals: map[string]cty.Value{"tags": ec2TagsVal("Name", "app", "Tier", "db")},
				drift: func(id string) error {
					_, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: []ec2types.Tag{{Key: aws.String("Owner"), Value: aws.String("x")}}})
					return err
				},
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				block := cidr()
				id := seed(t, block)
				if err := tt.drift(id); err != nil {
					t.Fatal(err)
				}
				ec2UpdateToward(t, p, "aws_subnet", id, desired(block, tt.vals))
			})
		}
	})

	t.Run("not updatable in place", func(t *testing.T) {
		block := cidr()
		id := seed(t, block)
		ec2CheckNotSupported(t, p, "aws_subnet", id, desired(cidr(), nil), "cidr_block")
		ec2CheckNotSupported(t, p, "aws_subnet", id, desired(block, map[string]cty.Value{"availability_zone": cty.StringVal("us-east-1c")}), "availability_zone")
	})

	t.Run("delete", func(t *testing.T) {
		ec2CheckDeleted(t, p, "aws_subnet", seed(t, cidr()))
	})
}
