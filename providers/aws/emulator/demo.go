package emulator

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// DemoEstate is the estate of fixtures/demo as SeedDemo created it.
type DemoEstate struct {
	Estate
	Account string
}

// The names fixtures/demo declares with var.env = "demo".
const (
	demoName      = "shop-demo"
	demoBucket    = demoName + "-assets"
	demoRole      = demoName + "-app"
	demoPolicy    = demoName + "-app-logs"
	demoUser      = demoName + "-deploy"
	demoSG        = demoName + "-web"
	demoUnmanaged = "shop-demo-exports-tmp"
)

func demoTags(extra map[string]string) map[string]string {
	tags := map[string]string{"Project": "shop", "Environment": "demo", "ManagedBy": "terraform"}
	for k, v := range extra {
		tags[k] = v
	}
	return tags
}

func ec2Tags(m map[string]string) []ec2types.Tag {
	var out []ec2types.Tag
	for k, v := range m {
		out = append(out, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return out
}

func iamTags(m map[string]string) []iamtypes.Tag {
	var out []iamtypes.Tag
	for k, v := range m {
		out = append(out, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return out
}

// SeedDemo creates the estate of fixtures/demo through the SDK, as
// `terraform apply` would have, in us-east-1 of the cloud cfg talks to.
func SeedDemo(ctx context.Context, cfg aws.Config) (*DemoEstate, error) {
	e := &DemoEstate{Estate: NewEstate()}
	ec2c := ec2.NewFromConfig(cfg)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	iamc := iam.NewFromConfig(cfg)

	ident, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("getting the caller identity: %w", err)
	}
	e.Account = aws.ToString(ident.Account)

	vpc, err := ec2c.CreateVpc(ctx, &ec2.CreateVpcInput{
		CidrBlock: aws.String("10.20.0.0/16"),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpc,
			Tags: ec2Tags(demoTags(map[string]string{"Name": demoName + "-vpc"}))}},
	})
	if err != nil {
		return nil, fmt.Errorf("creating the VPC: %w", err)
	}
	vpcID := aws.ToString(vpc.Vpc.VpcId)
	if _, err := ec2c.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: &vpcID, EnableDnsHostnames: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}}); err != nil {
		return nil, fmt.Errorf("enabling DNS hostnames: %w", err)
	}
	e.IDs["aws_vpc.main"] = vpcID
	e.Attrs["aws_vpc.main"] = map[string]any{"cidr_block": "10.20.0.0/16"}

	for i, az := range []string{"a", "b"} {
		cidr := fmt.Sprintf("10.20.%d.0/24", i+1)
		sn, err := ec2c.CreateSubnet(ctx, &ec2.CreateSubnetInput{
			VpcId: &vpcID, CidrBlock: aws.String(cidr), AvailabilityZone: aws.String("us-east-1" + az),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSubnet,
				Tags: ec2Tags(demoTags(map[string]string{"Name": demoName + "-private-" + az}))}},
		})
		if err != nil {
			return nil, fmt.Errorf("creating subnet %s: %w", az, err)
		}
		addr := fmt.Sprintf("aws_subnet.private[%q]", az)
		e.IDs[addr] = aws.ToString(sn.Subnet.SubnetId)
		e.Attrs[addr] = map[string]any{"vpc_id": vpcID, "cidr_block": cidr}
	}

	sg, err := ec2c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName: aws.String(demoSG), Description: aws.String("HTTPS from anywhere"), VpcId: &vpcID,
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup, Tags: ec2Tags(demoTags(nil))}},
	})
	if err != nil {
		return nil, fmt.Errorf("creating the security group: %w", err)
	}
	sgID := aws.ToString(sg.GroupId)
	if _, err := ec2c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: &sgID,
		IpPermissions: []ec2types.IpPermission{{
			IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
			IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("HTTPS")}},
		}},
	}); err != nil {
		return nil, fmt.Errorf("authorizing HTTPS: %w", err)
	}
	e.IDs["aws_security_group.web"] = sgID
	e.Attrs["aws_security_group.web"] = map[string]any{"name": demoSG, "vpc_id": vpcID}

	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(demoBucket)}); err != nil {
		return nil, fmt.Errorf("creating the bucket: %w", err)
	}
	if _, err := s3c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(demoBucket), Tagging: &s3types.Tagging{TagSet: s3Tags(demoTags(nil))}}); err != nil {
		return nil, fmt.Errorf("tagging the bucket: %w", err)
	}
	if _, err := s3c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(demoBucket),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		return nil, fmt.Errorf("enabling versioning: %w", err)
	}
	if _, err := s3c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(demoBucket),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}); err != nil {
		return nil, fmt.Errorf("blocking public access: %w", err)
	}
	for _, addr := range []string{"aws_s3_bucket.assets", "aws_s3_bucket_versioning.assets", "aws_s3_bucket_public_access_block.assets", "aws_s3_bucket_policy.assets"} {
		e.IDs[addr] = demoBucket
		e.Attrs[addr] = map[string]any{"bucket": demoBucket}
	}

	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ec2.amazonaws.com"}}]}`
	role, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(demoRole), AssumeRolePolicyDocument: aws.String(trust), Tags: iamTags(demoTags(nil))})
	if err != nil {
		return nil, fmt.Errorf("creating the role: %w", err)
	}
	roleARN := aws.ToString(role.Role.Arn)
	e.IDs["aws_iam_role.app"] = demoRole
	e.Attrs["aws_iam_role.app"] = map[string]any{"name": demoRole, "arn": roleARN}

	// A policy document written in another order and layout than the
	// configuration's: AWS keeps what it was given, Terraform compares
	// policies semantically.
	bucketPolicy := fmt.Sprintf(`{
  "Statement": [
    {
      "Principal": {"AWS": "%s"},
      "Resource": "arn:aws:s3:::%s/*",
      "Action": "s3:GetObject",
      "Effect": "Allow",
      "Sid": "AppReadsAssets"
    }
  ],
  "Version": "2012-10-17"
}`, roleARN, demoBucket)
	if _, err := s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(demoBucket), Policy: aws.String(bucketPolicy)}); err != nil {
		return nil, fmt.Errorf("putting the bucket policy: %w", err)
	}

	logs := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:*:%s:*"}]}`, e.Account)
	pol, err := iamc.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(demoPolicy), Description: aws.String("Lets the application write its logs"), PolicyDocument: aws.String(logs),
		// The policy has no tags of its own: default_tags gives it ManagedBy.
		Tags: iamTags(map[string]string{"ManagedBy": "terraform"})})
	if err != nil {
		return nil, fmt.Errorf("creating the policy: %w", err)
	}
	policyARN := aws.ToString(pol.Policy.Arn)
	e.IDs["aws_iam_policy.app_logs"] = policyARN
	e.Attrs["aws_iam_policy.app_logs"] = map[string]any{"name": demoPolicy, "arn": policyARN}
	if _, err := iamc.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(demoRole), PolicyArn: &policyARN}); err != nil {
		return nil, fmt.Errorf("attaching the policy: %w", err)
	}
	// Terraform's ID of an attachment is random; the state's attributes
	// say what it attaches.
	e.IDs["aws_iam_role_policy_attachment.app_logs"] = demoRole + "-20261126000000000000000001"
	e.Attrs["aws_iam_role_policy_attachment.app_logs"] = map[string]any{"role": demoRole, "policy_arn": policyARN}

	if _, err := iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(demoUser), Path: aws.String("/ci/"), Tags: iamTags(demoTags(nil))}); err != nil {
		return nil, fmt.Errorf("creating the user: %w", err)
	}
	e.IDs["aws_iam_user.deploy"] = demoUser
	e.Attrs["aws_iam_user.deploy"] = map[string]any{"name": demoUser, "path": "/ci/"}
	return e, nil
}

func s3Tags(m map[string]string) []s3types.Tag {
	var out []s3types.Tag
	for k, v := range m {
		out = append(out, s3types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return out
}

// HandChange is one change the demo makes by hand, as people do in the
// console.
type HandChange struct {
	// What was done, and where the scan should find it.
	What    string
	Address string
}

// DriftDemo makes the demo's hand changes to a seeded estate.
func DriftDemo(ctx context.Context, cfg aws.Config, e *DemoEstate) ([]HandChange, error) {
	ec2c := ec2.NewFromConfig(cfg)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	iamc := iam.NewFromConfig(cfg)
	steps := []struct {
		change HandChange
		do     func() error
	}{
		{HandChange{"opened SSH (tcp/22) to 0.0.0.0/0 on the web security group", "aws_security_group.web"}, func() error {
			_, err := ec2c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
				GroupId: aws.String(e.IDs["aws_security_group.web"]),
				IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
					IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}},
			})
			return err
		}},
		{HandChange{"suspended versioning on the assets bucket", "aws_s3_bucket_versioning.assets"}, func() error {
			_, err := s3c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(demoBucket),
				VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}})
			return err
		}},
		{HandChange{"tagged the VPC Owner=alice", "aws_vpc.main"}, func() error {
			_, err := ec2c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{e.IDs["aws_vpc.main"]},
				Tags: []ec2types.Tag{{Key: aws.String("Owner"), Value: aws.String("alice")}}})
			return err
		}},
		{HandChange{"deleted the assets bucket's policy", "aws_s3_bucket_policy.assets"}, func() error {
			_, err := s3c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(demoBucket)})
			return err
		}},
		{HandChange{"created the bucket " + demoUnmanaged + " outside Terraform", ""}, func() error {
			_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(demoUnmanaged)})
			return err
		}},
		{HandChange{"rotated the deploy user's LastRotated tag (covered by ignore_changes)", "aws_iam_user.deploy"}, func() error {
			_, err := iamc.TagUser(ctx, &iam.TagUserInput{UserName: aws.String(demoUser),
				Tags: []iamtypes.Tag{{Key: aws.String("LastRotated"), Value: aws.String("2026-11-26")}}})
			return err
		}},
	}
	var done []HandChange
	for _, s := range steps {
		if err := s.do(); err != nil {
			return done, fmt.Errorf("%s: %w", s.change.What, err)
		}
		done = append(done, s.change)
	}
	return done, nil
}
