package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// clients are the SDK clients of one endpoint.
type clients struct {
	ec2 *ec2.Client
	s3  *s3.Client
	iam *iam.Client
}

func newClients(endpoint string) clients {
	cfg := emulator.Config(endpoint, region)
	return clients{
		ec2: ec2.NewFromConfig(cfg),
		s3:  s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		iam: iam.NewFromConfig(cfg),
	}
}

// parallel runs fn(i) for i in [0, n), workers at a time, and returns the
// first error.
func parallel(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(ctx, i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
						cancel()
					}
					mu.Unlock()
				}
			}
		}()
	}
loop:
	for i := 0; i < n; i++ {
		select {
		case next <- i:
		case <-ctx.Done():
			break loop
		}
	}
	close(next)
	wg.Wait()
	return first
}

func ec2TagSpec(rt ec2types.ResourceType, tags map[string]string) []ec2types.TagSpecification {
	var ts []ec2types.Tag
	for k, v := range tags {
		ts = append(ts, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return []ec2types.TagSpecification{{ResourceType: rt, Tags: ts}}
}

func iamTagList(tags map[string]string) []iamtypes.Tag {
	var ts []iamtypes.Tag
	for k, v := range tags {
		ts = append(ts, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return ts
}

func s3TagList(tags map[string]string) []s3types.Tag {
	var ts []s3types.Tag
	for k, v := range tags {
		ts = append(ts, s3types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return ts
}

// seed creates the estate in moto as `terraform apply` would have, straight
// through the SDK (not the proxy), workers calls at a time.
func seed(ctx context.Context, c clients, l layout, workers int) (*emulator.Estate, error) {
	e := emulator.NewEstate()
	var mu sync.Mutex
	record := func(addr, id string, attrs map[string]any) {
		mu.Lock()
		e.IDs[addr] = id
		if attrs != nil {
			e.Attrs[addr] = attrs
		}
		mu.Unlock()
	}
	id := func(addr string) string {
		mu.Lock()
		defer mu.Unlock()
		return e.IDs[addr]
	}
	step := func(n int, fn func(ctx context.Context, i int) error) error {
		return parallel(ctx, n, workers, fn)
	}
	// Networks, then subnets and groups, then instances.
	if err := step(l.vpcs, func(ctx context.Context, i int) error {
		out, err := c.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(vpcCIDR(i)),
			TagSpecifications: ec2TagSpec(ec2types.ResourceTypeVpc, baseTags(fmt.Sprintf("vpc-%d", i)))})
		if err != nil {
			return fmt.Errorf("creating VPC %d: %w", i, err)
		}
		vpc := aws.ToString(out.Vpc.VpcId)
		if _, err := c.ec2.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: &vpc, EnableDnsHostnames: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}}); err != nil {
			return fmt.Errorf("enabling DNS hostnames of VPC %d: %w", i, err)
		}
		record(fmt.Sprintf("aws_vpc.v%d", i), vpc, map[string]any{"cidr_block": vpcCIDR(i)})
		return nil
	}); err != nil {
		return nil, err
	}
	// Subnets of one VPC are created in order: moto checks CIDR conflicts.
	if err := step(l.subnets, func(ctx context.Context, j int) error {
		vpc := id(fmt.Sprintf("aws_vpc.v%d", subnetVPC(l, j)))
		out, err := c.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: &vpc, CidrBlock: aws.String(subnetCIDR(l, j)), AvailabilityZone: aws.String(subnetAZ(j)),
			TagSpecifications: ec2TagSpec(ec2types.ResourceTypeSubnet, baseTags(fmt.Sprintf("subnet-%d", j)))})
		if err != nil {
			return fmt.Errorf("creating subnet %d: %w", j, err)
		}
		record(fmt.Sprintf("aws_subnet.s%d", j), aws.ToString(out.Subnet.SubnetId), map[string]any{"vpc_id": vpc, "cidr_block": subnetCIDR(l, j)})
		return nil
	}); err != nil {
		return nil, err
	}
	if err := step(l.sgs, func(ctx context.Context, j int) error {
		vpc := id(fmt.Sprintf("aws_vpc.v%d", sgVPC(l, j)))
		name := sgName(j)
		out, err := c.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(fmt.Sprintf("web tier %d", j)), VpcId: &vpc,
			TagSpecifications: ec2TagSpec(ec2types.ResourceTypeSecurityGroup, baseTags(name))})
		if err != nil {
			return fmt.Errorf("creating security group %d: %w", j, err)
		}
		sg := aws.ToString(out.GroupId)
		if _, err := c.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: &sg, IpPermissions: []ec2types.IpPermission{{
			IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
			IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("HTTPS")}},
		}}}); err != nil {
			return fmt.Errorf("authorizing HTTPS on security group %d: %w", j, err)
		}
		record(fmt.Sprintf("aws_security_group.g%d", j), sg, map[string]any{"name": name, "vpc_id": vpc})
		return nil
	}); err != nil {
		return nil, err
	}
	if err := step(l.instances, func(ctx context.Context, j int) error {
		subnet := id(fmt.Sprintf("aws_subnet.s%d", instSubnet(l, j)))
		sg := id(fmt.Sprintf("aws_security_group.g%d", instSG(l, j)))
		out, err := c.ec2.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ami), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			SubnetId: &subnet, SecurityGroupIds: []string{sg},
			TagSpecifications: ec2TagSpec(ec2types.ResourceTypeInstance, baseTags(fmt.Sprintf("app-%d", j)))})
		if err != nil {
			return fmt.Errorf("running instance %d: %w", j, err)
		}
		record(fmt.Sprintf("aws_instance.i%d", j), aws.ToString(out.Instances[0].InstanceId), nil)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := step(l.buckets, func(ctx context.Context, i int) error {
		b := bucketName(i)
		if _, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			return fmt.Errorf("creating bucket %s: %w", b, err)
		}
		if _, err := c.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(b), Tagging: &s3types.Tagging{TagSet: s3TagList(baseTags(b))}}); err != nil {
			return fmt.Errorf("tagging bucket %s: %w", b, err)
		}
		// force_destroy is the configuration's, which only the state
		// records (no API returns it).
		record(fmt.Sprintf("aws_s3_bucket.b%d", i), b, map[string]any{"bucket": b, "force_destroy": true})
		if i < l.versioning {
			if _, err := c.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b),
				VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
				return fmt.Errorf("enabling versioning of %s: %w", b, err)
			}
			record(fmt.Sprintf("aws_s3_bucket_versioning.b%d", i), b, map[string]any{"bucket": b})
		}
		if i < l.pabs {
			if _, err := c.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(b),
				PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
					BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}); err != nil {
				return fmt.Errorf("blocking public access to %s: %w", b, err)
			}
			record(fmt.Sprintf("aws_s3_bucket_public_access_block.b%d", i), b, map[string]any{"bucket": b})
		}
		if i < l.bpols {
			if _, err := c.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(bucketPolicyJSON(b))}); err != nil {
				return fmt.Errorf("putting the policy of %s: %w", b, err)
			}
			record(fmt.Sprintf("aws_s3_bucket_policy.b%d", i), b, map[string]any{"bucket": b})
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := step(max(l.roles, l.policies, l.usrs), func(ctx context.Context, i int) error {
		if i < l.roles {
			out, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(roleName(i)), AssumeRolePolicyDocument: aws.String(trustPolicy), Tags: iamTagList(baseTags(roleName(i)))})
			if err != nil {
				return fmt.Errorf("creating role %d: %w", i, err)
			}
			record(fmt.Sprintf("aws_iam_role.r%d", i), roleName(i), map[string]any{"name": roleName(i), "arn": aws.ToString(out.Role.Arn)})
		}
		if i < l.policies {
			out, err := c.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(policyName(i)), Description: aws.String(fmt.Sprintf("Reads and writes bucket %d", i)),
				PolicyDocument: aws.String(iamPolicyJSON(i))})
			if err != nil {
				return fmt.Errorf("creating policy %d: %w", i, err)
			}
			record(fmt.Sprintf("aws_iam_policy.p%d", i), aws.ToString(out.Policy.Arn), map[string]any{"name": policyName(i), "arn": aws.ToString(out.Policy.Arn)})
		}
		if i < l.attachments {
			if _, err := c.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(roleName(i)), PolicyArn: aws.String(policyARN(i))}); err != nil {
				return fmt.Errorf("attaching policy %d: %w", i, err)
			}
			record(fmt.Sprintf("aws_iam_role_policy_attachment.a%d", i), fmt.Sprintf("%s-2026%016d", roleName(i), i), map[string]any{"role": roleName(i), "policy_arn": policyARN(i)})
		}
		if i < l.usrs {
			if _, err := c.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(userName(i)), Path: aws.String("/bench/"), Tags: iamTagList(baseTags(userName(i)))}); err != nil {
				return fmt.Errorf("creating user %d: %w", i, err)
			}
			record(fmt.Sprintf("aws_iam_user.u%d", i), userName(i), map[string]any{"name": userName(i), "path": "/bench/"})
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return &e, nil
}

var owner = []ec2types.Tag{{Key: aws.String("Owner"), Value: aws.String("alice")}}

// handChanges makes the changes of the layout by hand, as people do in the
// console: tags added, a rule added, versioning suspended, policies and
// buckets deleted, buckets and users created outside Terraform.
func handChanges(ctx context.Context, c clients, l layout, e *emulator.Estate, workers int) error {
	var steps []func(ctx context.Context) error
	for i := 0; i < l.vpcs; i++ {
		if driftsVPC(i) {
			id := e.IDs[fmt.Sprintf("aws_vpc.v%d", i)]
			steps = append(steps, func(ctx context.Context) error {
				_, err := c.ec2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: owner})
				return err
			})
		}
	}
	for i := 0; i < l.instances; i++ {
		if driftsInstance(i) {
			id := e.IDs[fmt.Sprintf("aws_instance.i%d", i)]
			steps = append(steps, func(ctx context.Context) error {
				_, err := c.ec2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: owner})
				return err
			})
		}
	}
	for i := 0; i < l.sgs; i++ {
		if driftsSG(i) {
			id := e.IDs[fmt.Sprintf("aws_security_group.g%d", i)]
			steps = append(steps, func(ctx context.Context) error {
				_, err := c.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: &id, IpPermissions: []ec2types.IpPermission{{
					IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}})
				return err
			})
		}
	}
	for i := 0; i < l.buckets; i++ {
		b := bucketName(i)
		switch {
		case l.deletedBucket(i):
			steps = append(steps, func(ctx context.Context) error {
				_, err := c.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(b)})
				return err
			})
		case driftsBucket(i):
			tags := baseTags(b)
			tags["Owner"] = "alice"
			steps = append(steps, func(ctx context.Context) error {
				_, err := c.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(b), Tagging: &s3types.Tagging{TagSet: s3TagList(tags)}})
				return err
			})
		}
		if i < l.versioning && driftsVersion(i) {
			steps = append(steps, func(ctx context.Context) error {
				_, err := c.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b),
					VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}})
				return err
			})
		}
		if i < l.bpols && dropsPolicy(i) {
			steps = append(steps, func(ctx context.Context) error {
				_, err := c.s3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(b)})
				return err
			})
		}
	}
	for i := 0; i < l.roles; i++ {
		if driftsRole(i) {
			steps = append(steps, func(ctx context.Context) error {
				_, err := c.iam.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(roleName(i)), Tags: iamTagList(map[string]string{"Owner": "alice"})})
				return err
			})
		}
	}
	for i := 0; i < l.usrs; i++ {
		if driftsUser(i) {
			steps = append(steps, func(ctx context.Context) error {
				_, err := c.iam.TagUser(ctx, &iam.TagUserInput{UserName: aws.String(userName(i)), Tags: iamTagList(map[string]string{"Owner": "alice"})})
				return err
			})
		}
	}
	for i := 0; i < l.extraBuckets; i++ {
		steps = append(steps, func(ctx context.Context) error {
			_, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(extraBucketName(i))})
			return err
		})
	}
	for i := 0; i < l.extraUsers; i++ {
		steps = append(steps, func(ctx context.Context) error {
			_, err := c.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(extraUserName(i))})
			return err
		})
	}
	return parallel(ctx, len(steps), workers, func(ctx context.Context, i int) error {
		if err := steps[i](ctx); err != nil {
			return fmt.Errorf("hand change %d: %w", i, err)
		}
		return nil
	})
}
