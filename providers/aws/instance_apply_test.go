package aws

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// The instances here launch moto's image motoAMI into a subnet. moto leaves
// the top-level SecurityGroups of such an instance empty (the read falls
// back to its network interface), starts and stops instances at once, and
// does not implement MonitorInstances or UnmonitorInstances: monitoring is
// not remediated here.
func TestInstanceApply(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	c := ec2Seed(srv)
	p := testProvider(t, srv.URL(), "us-east-1")
	s := instanceSchema()
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.7.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.7.1.0/24"), AvailabilityZone: aws.String("us-east-1a")})
	if err != nil {
		t.Fatal(err)
	}
	subnetID := aws.ToString(sub.Subnet.SubnetId)
	group := func(name string) string {
		out, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(name), VpcId: vpc.Vpc.VpcId})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.GroupId)
	}
	app, admin := group("app"), group("admin")
	if _, err := c.ImportKeyPair(ctx, &ec2.ImportKeyPairInput{KeyName: aws.String("deploy"), PublicKeyMaterial: []byte(testSSHKey)}); err != nil {
		t.Fatal(err)
	}
	groups := func(ids ...string) cty.Value {
		vals := make([]cty.Value, len(ids))
		for i, id := range ids {
			vals[i] = cty.StringVal(id)
		}
		return cty.SetVal(vals)
	}
	desired := func(vals map[string]cty.Value) cty.Value {
		all := map[string]cty.Value{
			"ami":                    cty.StringVal(motoAMI),
			"instance_type":          cty.StringVal("t3.micro"),
			"subnet_id":              cty.StringVal(subnetID),
			"vpc_security_group_ids": groups(app),
			"tags":                   ec2TagsVal("Name", "app"),
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
		}{
			{"ami, type, subnet, group, tags", nil},
			{"key, private IP, no source/dest check, two groups", map[string]cty.Value{
				"key_name":               cty.StringVal("deploy"),
				"private_ip":             cty.StringVal("10.7.1.50"),
				"source_dest_check":      cty.False,
				"vpc_security_group_ids": groups(app, admin),
				"user_data":              cty.StringVal("#!/bin/sh\necho hi\n"),
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				d := desired(tt.vals)
				resp := ec2MustApply(t, p, providers.ApplyRequest{Type: "aws_instance", Kind: providers.Create, Desired: d})
				ec2CheckConverged(t, p, "aws_instance", resp.ID, d)
			})
		}
	})

	t.Run("create with a block it cannot write", func(t *testing.T) {
		root := s.Attributes["root_block_device"]
		d := desired(map[string]cty.Value{"root_block_device": cty.ListVal([]cty.Value{objectOf(root.Nested.Attributes, map[string]cty.Value{
			"volume_size": cty.NumberIntVal(20),
		})})})
		_, err := p.Apply(ctx, providers.ApplyRequest{Type: "aws_instance", Kind: providers.Create, Desired: d})
		if !errors.Is(err, providers.ErrNotSupported) {
			t.Errorf("err = %v, want one wrapping providers.ErrNotSupported", err)
		}
	})

	// seed launches an instance by hand as desired(nil) describes it.
	seed := func(t *testing.T) string {
		t.Helper()
		out, err := c.RunInstances(ctx, &ec2.RunInstancesInput{
			ImageId: aws.String(motoAMI), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			SubnetId: aws.String(subnetID), SecurityGroupIds: []string{app},
			TagSpecifications: tagSpec(ec2types.ResourceTypeInstance, "Name", "app"),
		})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Instances[0].InstanceId)
	}
	modify := func(in *ec2.ModifyInstanceAttributeInput) error {
		_, err := c.ModifyInstanceAttribute(ctx, in)
		return err
	}
	t.Run("update", func(t *testing.T) {
		tests := []struct {
			name  string
			vals  map[string]cty.Value
			drift func(id string) error
		}{
			{
				name: "instance type changed by hand",
				drift: func(id string) error {
					if _, err := c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}}); err != nil {
						return err
					}
					if err := modify(&ec2.ModifyInstanceAttributeInput{InstanceId: aws.String(id), InstanceType: &ec2types.AttributeValue{Value: aws.String("m5.large")}}); err != nil {
						return err
					}
					_, err := c.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{id}})
					return err
				},
			},
			{
				name: "tag added by hand",
				drift: func(id string) error {
					_, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: []ec2types.Tag{{Key: aws.String("Owner"), Value: aws.String("x")}}})
					return err
				},
			},
			{
				name: "security groups changed by hand",
				drift: func(id string) error {
					return modify(&ec2.ModifyInstanceAttributeInput{InstanceId: aws.String(id), Groups: []string{admin}})
				},
			},
			{
				name: "source/dest check switched off by hand",
				drift: func(id string) error {
					return modify(&ec2.ModifyInstanceAttributeInput{InstanceId: aws.String(id), SourceDestCheck: attributeBool(false)})
				},
			},
			{
				name:  "type, groups and tags at once",
				vals:  map[string]cty.Value{"instance_type": cty.StringVal("t3.small"), "vpc_security_group_ids": groups(app, admin), "tags": ec2TagsVal("Name", "app", "Tier", "web")},
				drift: func(id string) error { return nil },
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				id := seed(t)
				if err := tt.drift(id); err != nil {
					t.Fatal(err)
				}
				ec2UpdateToward(t, p, "aws_instance", id, desired(tt.vals))
				if state := ec2ReadOne(t, p, "aws_instance", id).Attrs.GetAttr("instance_state"); !state.RawEquals(cty.StringVal("running")) {
					t.Errorf("instance_state = %#v after the update, want running", state)
				}
			})
		}
	})

	t.Run("monitoring calls MonitorInstances", func(t *testing.T) {
		// moto does not implement MonitorInstances; a fault injected in
		// front of it shows that the update makes the call.
		proxy := srv.StartProxy(t)
		proxy.Inject(emulator.Fault{Service: "ec2", Operation: "MonitorInstances", Status: 403, Code: "UnauthorizedOperation"})
		pp := testProvider(t, proxy.URL(), "us-east-1")
		id := seed(t)
		live := ec2ReadOne(t, pp, "aws_instance", id)
		_, err := pp.Apply(ctx, providers.ApplyRequest{
			Type: "aws_instance", Kind: providers.Update, ID: id, Live: live.Attrs,
			Desired: desired(map[string]cty.Value{"monitoring": cty.True}), Changed: []string{"monitoring"},
		})
		if err == nil || !strings.Contains(err.Error(), "ec2:MonitorInstances") {
			t.Errorf("err = %v, want one naming ec2:MonitorInstances", err)
		}
	})

	t.Run("not updatable in place", func(t *testing.T) {
		id := seed(t)
		ec2CheckNotSupported(t, p, "aws_instance", id, desired(map[string]cty.Value{"ami": cty.StringVal("ami-0123456789abcdef0")}), "ami")
		ec2CheckNotSupported(t, p, "aws_instance", id, desired(map[string]cty.Value{"key_name": cty.StringVal("deploy")}), "key_name")
		ec2CheckNotSupported(t, p, "aws_instance", id, desired(map[string]cty.Value{"iam_instance_profile": cty.StringVal("web")}), "iam_instance_profile")
	})

	t.Run("delete", func(t *testing.T) {
		ec2CheckDeleted(t, p, "aws_instance", seed(t))
	})
}
