package aws

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

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
