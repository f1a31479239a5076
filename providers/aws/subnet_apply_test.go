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
