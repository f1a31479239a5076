package main

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// seedClients are the SDK clients the seeds use, against moto.
type seedClients struct {
	ec2 *ec2.Client
	s3  *s3.Client
	iam *iam.Client
}

// genImportSeed creates, in moto, resources of one type that no
// configuration declares, and returns their Terraform IDs.
type genImportSeed func(ctx context.Context, c seedClients) ([]string, error)

// genImportSeeds has one seed per native type that unmanaged discovery
// lists (TestGenImportRoundTrip fails for a listable type without one):
// a new type is one line here. The resources set what a user would set,
// beyond the defaults.
var genImportSeeds = map[string]genImportSeed{
	"aws_vpc":                           seedVPCs,
	"aws_subnet":                        seedSubnets,
	"aws_security_group":                seedSecurityGroups,
	"aws_instance":                      seedInstances,
	"aws_s3_bucket":                     seedBuckets,
	"aws_s3_bucket_versioning":          seedBucketVersioning,
	"aws_s3_bucket_policy":              seedBucketPolicy,
	"aws_s3_bucket_public_access_block": seedPublicAccessBlock,
	"aws_iam_role":                      seedRoles,
	"aws_iam_policy":                    seedPolicies,
	"aws_iam_role_policy_attachment":    seedAttachments,
	"aws_iam_user":                      seedUsers,
}

func ec2TagSpec(rt ec2types.ResourceType, kv ...string) []ec2types.TagSpecification {
	var tags []ec2types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		tags = append(tags, ec2types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return []ec2types.TagSpecification{{ResourceType: rt, Tags: tags}}
}

func createVPC(ctx context.Context, c seedClients, cidr string, tags ...string) (string, error) {
	in := &ec2.CreateVpcInput{CidrBlock: aws.String(cidr)}
	if len(tags) > 0 {
		in.TagSpecifications = ec2TagSpec(ec2types.ResourceTypeVpc, tags...)
	}
	out, err := c.ec2.CreateVpc(ctx, in)
	if err != nil {
		return "", fmt.Errorf("creating VPC %s: %w", cidr, err)
	}
	return aws.ToString(out.Vpc.VpcId), nil
}

func seedVPCs(ctx context.Context, c seedClients) ([]string, error) {
	named, err := createVPC(ctx, c, "10.10.0.0/16", "Name", "app net", "Env", "prod")
	if err != nil {
		return nil, err
	}
	if _, err := c.ec2.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(named), EnableDnsHostnames: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}}); err != nil {
		return nil, err
	}
	plain, err := createVPC(ctx, c, "10.11.0.0/16")
	if err != nil {
		return nil, err
	}
	if _, err := c.ec2.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(plain), EnableDnsSupport: &ec2types.AttributeBooleanValue{Value: aws.Bool(false)}}); err != nil {
		return nil, err
	}
	return []string{named, plain}, nil
}

func createSubnet(ctx context.Context, c seedClients, vpc, cidr, az string, tags ...string) (string, error) {
	in := &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String(cidr), AvailabilityZone: aws.String(az)}
	if len(tags) > 0 {
		in.TagSpecifications = ec2TagSpec(ec2types.ResourceTypeSubnet, tags...)
	}
	out, err := c.ec2.CreateSubnet(ctx, in)
	if err != nil {
		return "", fmt.Errorf("creating subnet %s: %w", cidr, err)
	}
	return aws.ToString(out.Subnet.SubnetId), nil
}

func seedSubnets(ctx context.Context, c seedClients) ([]string, error) {
	vpc, err := createVPC(ctx, c, "10.20.0.0/16")
	if err != nil {
		return nil, err
	}
	public, err := createSubnet(ctx, c, vpc, "10.20.1.0/24", "us-east-1a", "Name", "public-a")
	if err != nil {
		return nil, err
	}
	if _, err := c.ec2.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(public), MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}}); err != nil {
		return nil, err
	}
	private, err := createSubnet(ctx, c, vpc, "10.20.2.0/24", "us-east-1b")
	if err != nil {
		return nil, err
	}
	return []string{public, private}, nil
}

func seedSecurityGroups(ctx context.Context, c seedClients) ([]string, error) {
	vpc, err := createVPC(ctx, c, "10.30.0.0/16")
	if err != nil {
		return nil, err
	}
	web, err := c.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("web"), Description: aws.String("web tier"), VpcId: aws.String(vpc),
		TagSpecifications: ec2TagSpec(ec2types.ResourceTypeSecurityGroup, "Name", "web")})
	if err != nil {
		return nil, err
	}
	db, err := c.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("db"), Description: aws.String("db tier"), VpcId: aws.String(vpc)})
	if err != nil {
		return nil, err
	}
	if _, err := c.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: web.GroupId, IpPermissions: []ec2types.IpPermission{
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("https")}}},
	}}); err != nil {
		return nil, err
	}
	if _, err := c.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: db.GroupId, IpPermissions: []ec2types.IpPermission{
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432), UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: web.GroupId}}},
	}}); err != nil {
		return nil, err
	}
	return []string{aws.ToString(web.GroupId), aws.ToString(db.GroupId)}, nil
}

// seedAMI is one of the images moto has without being asked.
const seedAMI = "ami-12c6146b"

func seedInstances(ctx context.Context, c seedClients) ([]string, error) {
	vpc, err := createVPC(ctx, c, "10.40.0.0/16")
	if err != nil {
		return nil, err
	}
	subnet, err := createSubnet(ctx, c, vpc, "10.40.1.0/24", "us-east-1a")
	if err != nil {
		return nil, err
	}
	sg, err := c.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("app"), Description: aws.String("app"), VpcId: aws.String(vpc)})
	if err != nil {
		return nil, err
	}
	var ids []string
	for i, userData := range []string{"#!/bin/sh\necho hello\n", ""} {
		in := &ec2.RunInstancesInput{ImageId: aws.String(seedAMI), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			SubnetId: aws.String(subnet), SecurityGroupIds: []string{aws.ToString(sg.GroupId)},
			TagSpecifications: ec2TagSpec(ec2types.ResourceTypeInstance, "Name", fmt.Sprintf("app-%d", i))}
		if userData != "" {
			in.UserData = aws.String(base64.StdEncoding.EncodeToString([]byte(userData)))
		}
		out, err := c.ec2.RunInstances(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("running an instance: %w", err)
		}
		ids = append(ids, aws.ToString(out.Instances[0].InstanceId))
	}
	return ids, nil
}

func createBucket(ctx context.Context, c seedClients, name string) error {
	if _, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		return fmt.Errorf("creating bucket %s: %w", name, err)
	}
	return nil
}

func seedBuckets(ctx context.Context, c seedClients) ([]string, error) {
	for _, b := range []string{"gen-logs", "gen-assets"} {
		if err := createBucket(ctx, c, b); err != nil {
			return nil, err
		}
	}
	if _, err := c.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("gen-logs"), Tagging: &s3types.Tagging{TagSet: []s3types.Tag{
		{Key: aws.String("Env"), Value: aws.String("prod")}, {Key: aws.String("Owner"), Value: aws.String("ops")},
	}}}); err != nil {
		return nil, err
	}
	return []string{"gen-assets", "gen-logs"}, nil
}

func seedBucketVersioning(ctx context.Context, c seedClients) ([]string, error) {
	if err := createBucket(ctx, c, "gen-versioned"); err != nil {
		return nil, err
	}
	_, err := c.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("gen-versioned"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	return []string{"gen-versioned"}, err
}

func seedBucketPolicy(ctx context.Context, c seedClients) ([]string, error) {
	if err := createBucket(ctx, c, "gen-public"); err != nil {
		return nil, err
	}
	_, err := c.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("gen-public"), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::gen-public/*"}]}`)})
	return []string{"gen-public"}, err
}

func seedPublicAccessBlock(ctx context.Context, c seedClients) ([]string, error) {
	if err := createBucket(ctx, c, "gen-private"); err != nil {
		return nil, err
	}
	_, err := c.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("gen-private"),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}})
	return []string{"gen-private"}, err
}

const seedAssumeRole = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

const seedPolicyDocument = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`

func seedRoles(ctx context.Context, c seedClients) ([]string, error) {
	if _, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("gen-app"), AssumeRolePolicyDocument: aws.String(seedAssumeRole),
		Description: aws.String("the app's role"), Path: aws.String("/service/"), MaxSessionDuration: aws.Int32(7200),
		Tags: []iamtypes.Tag{{Key: aws.String("Team"), Value: aws.String("core")}}}); err != nil {
		return nil, err
	}
	if _, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("gen-plain"), AssumeRolePolicyDocument: aws.String(seedAssumeRole)}); err != nil {
		return nil, err
	}
	return []string{"gen-app", "gen-plain"}, nil
}

func seedPolicies(ctx context.Context, c seedClients) ([]string, error) {
	var arns []string
	for _, in := range []*iam.CreatePolicyInput{
		{PolicyName: aws.String("gen-read"), PolicyDocument: aws.String(seedPolicyDocument), Description: aws.String("read the buckets"), Path: aws.String("/app/")},
		{PolicyName: aws.String("gen-plain"), PolicyDocument: aws.String(seedPolicyDocument)},
	} {
		out, err := c.iam.CreatePolicy(ctx, in)
		if err != nil {
			return nil, err
		}
		arns = append(arns, aws.ToString(out.Policy.Arn))
	}
	return arns, nil
}

func seedAttachments(ctx context.Context, c seedClients) ([]string, error) {
	if _, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("gen-worker"), AssumeRolePolicyDocument: aws.String(seedAssumeRole)}); err != nil {
		return nil, err
	}
	p, err := c.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("gen-worker"), PolicyDocument: aws.String(seedPolicyDocument)})
	if err != nil {
		return nil, err
	}
	if _, err := c.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("gen-worker"), PolicyArn: p.Policy.Arn}); err != nil {
		return nil, err
	}
	return []string{"gen-worker/" + aws.ToString(p.Policy.Arn)}, nil
}

func seedUsers(ctx context.Context, c seedClients) ([]string, error) {
	if _, err := c.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("gen-alice"), Path: aws.String("/people/"),
		Tags: []iamtypes.Tag{{Key: aws.String("Name"), Value: aws.String("Alice")}}}); err != nil {
		return nil, err
	}
	if _, err := c.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("gen-bob")}); err != nil {
		return nil, err
	}
	return []string{"gen-alice", "gen-bob"}, nil
}
