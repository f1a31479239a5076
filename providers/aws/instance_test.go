package aws

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// motoAMI is one of the images moto knows (moto/ec2/resources/amis.json).
const motoAMI = "ami-12c6146b"

func TestInstanceRead(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	c := ec2Seed(srv)
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.4.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.4.1.0/24"), AvailabilityZone: aws.String("us-east-1a")})
	if err != nil {
		t.Fatal(err)
	}
	sg, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("app"), Description: aws.String("app"), VpcId: vpc.Vpc.VpcId})
	if err != nil {
		t.Fatal(err)
	}
	run := func(typ ec2types.InstanceType, name string) string {
		t.Helper()
		out, err := c.RunInstances(ctx, &ec2.RunInstancesInput{
			ImageId: aws.String(motoAMI), InstanceType: typ, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			SubnetId: sub.Subnet.SubnetId, SecurityGroupIds: []string{aws.ToString(sg.GroupId)},
			KeyName:           aws.String("deploy"),
			UserData:          aws.String(base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\necho hi\n"))),
			TagSpecifications: tagSpec(ec2types.ResourceTypeInstance, "Name", name),
		})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Instances[0].InstanceId)
	}
	if _, err := c.ImportKeyPair(ctx, &ec2.ImportKeyPairInput{KeyName: aws.String("deploy"), PublicKeyMaterial: []byte(testSSHKey)}); err != nil {
		t.Fatal(err)
	}
	appID := run(ec2types.InstanceTypeT3Micro, "app")
	goneID := run(ec2types.InstanceTypeM5Large, "gone")
	if _, err := c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{goneID}}); err != nil {
		t.Fatal(err)
	}

	p := testProvider(t, srv.URL(), "us-east-1")
	all := mustRead(t, p, "aws_instance")
	checkConforms(t, p, all)
	if len(all) != 1 || all[0].ID != appID {
		t.Fatalf("read %v, want only %s (terminated instances are gone)", ids(all), appID)
	}
	live := all[0]
	if live.CloudManaged {
		t.Errorf("instance is marked CloudManaged")
	}
	wantAttrs(t, live, map[string]cty.Value{
		"id":                     cty.StringVal(appID),
		"arn":                    cty.StringVal("arn:aws:ec2:us-east-1:" + motoAccount + ":instance/" + appID),
		"ami":                    cty.StringVal(motoAMI),
		"instance_type":          cty.StringVal("t3.micro"),
		"subnet_id":              cty.StringVal(aws.ToString(sub.Subnet.SubnetId)),
		"availability_zone":      cty.StringVal("us-east-1a"),
		"key_name":               cty.StringVal("deploy"),
		"vpc_security_group_ids": cty.SetVal([]cty.Value{cty.StringVal(aws.ToString(sg.GroupId))}),
		"security_groups":        cty.SetVal([]cty.Value{cty.StringVal("app")}),
		"source_dest_check":      cty.True,
		"monitoring":             cty.False,
		"instance_state":         cty.StringVal("running"),
		"tags":                   cty.MapVal(map[string]cty.Value{"Name": cty.StringVal("app")}),
		// A read that does not say what configuration writes reads
		// everything; user_data is the SHA-1 that Terraform's state holds.
		"user_data":               cty.StringVal(userDataHashSum("#!/bin/sh\necho hi\n")),
		"disable_api_termination": cty.False,
		"disable_api_stop":        cty.False,
		// moto's default for an instance launched without one.
		"instance_initiated_shutdown_behavior": cty.StringVal("stop"),
		// moto answers "standard" for every burstable instance.
		"credit_specification": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"cpu_credits": cty.StringVal("standard")})}),
	})
	if ip := attrOf(live, "private_ip"); ip.IsNull() || ip.AsString() == "" {
		t.Errorf("private_ip is empty")
	}
	root := attrOf(live, "root_block_device")
	if root.LengthInt() != 1 {
		t.Fatalf("root_block_device = %#v, want one block", root)
	}
	rb := root.Index(cty.NumberIntVal(0))
	if v := rb.GetAttr("volume_id"); v.IsNull() || v.AsString() == "" {
		t.Errorf("root volume_id is empty")
	}
	if v := rb.GetAttr("volume_size"); v.IsNull() || v.RawEquals(cty.Zero) {
		t.Errorf("root volume_size = %#v, want the described volume's size", v)
	}

	got := mustRead(t, p, "aws_instance", appID, goneID, "i-0123456789abcdef0")
	if len(got) != 1 || got[0].ID != appID {
		t.Errorf("read with missing and terminated IDs: %v, want only %s", ids(got), appID)
	}
}

func TestUserDataNormalizer(t *testing.T) {
	script := "#!/bin/sh\necho hi\n"
	encoded := base64.StdEncoding.EncodeToString([]byte(script))
	norm := func(s string) string {
		v, err := userDataNormalizer.Normalize(cty.StringVal(s))
		if err != nil {
			t.Fatal(err)
		}
		return v.AsString()
	}
	// echo -n '#!/bin/sh\necho hi\n' | sha1sum, as Terraform's state holds it.
	want := norm(script)
	if len(want) != 40 {
		t.Fatalf("hash %q is not a SHA-1", want)
	}
	for name, in := range map[string]string{"configured text": script, "live base64": encoded, "state hash": want} {
		if got := norm(in); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if norm("") != "da39a3ee5e6b4b0d3255bfef95601890afd80709" {
		t.Errorf("empty user data must hash as Terraform's DiffSuppressFunc expects")
	}
}

func TestInstanceTypeNormalizer(t *testing.T) {
	v, _ := instanceTypeNormalizer.Normalize(cty.StringVal(" T3.Micro "))
	if v.AsString() != "t3.micro" {
		t.Errorf("normalized %q", v.AsString())
	}
}

// testSSHKey is a throwaway public key for moto's ImportKeyPair.
const testSSHKey = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDfZ8/4MT2F4cKgeYq8CpDGaBO03BaWu4KCXpXkmIN4zcWD8gPImYrJoWuTLj9RjCkJ59IYcXpOJxS1OPQ0W1ftT3dbUJIlZzZw3qICHsACtKKIJ7HGNQmfL/YWGrD4W0a1nVGr7tUwCaXXQmF4QJGCv3v6Hc5c/ks0Ea+2MDWhT1iG3dxlWq6Mgp23uqYHWHFYrSc04SVcx/ZWHt+qlHtjx9t4PpuoRsN2NBGc4+vJHPfpsfmK2cMeGzW4NBG5oi7HEYK0Ygv4XWN6sZ6AVsqc5N1cc5U4v2/UhbO3tNmWdSoYVdfnZ34e0fv2IhxgyuOHX6blNA3Ji1Vo6N4Rgv0J test@driftctl"
