package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// s3BucketPolicyType is aws_s3_bucket_policy. Its ID is the bucket name. A
// bucket without a policy (NoSuchBucketPolicy) has no aws_s3_bucket_policy;
// any other failure of GetBucketPolicy fails the read, so a bucket is never
// reported missing because its policy could not be read.
func s3BucketPolicyType() *resourceType {
	return &resourceType{schema: s3BucketPolicySchema(), read: readS3BucketPolicies, apply: applyS3BucketPolicy}
}

func s3BucketPolicySchema() *providers.Schema {
	return &providers.Schema{
		Type: "aws_s3_bucket_policy",
		Attributes: map[string]*providers.Attribute{
			"id":     {Type: cty.String, Computed: true},
			"bucket": {Type: cty.String, Required: true, ForceNew: true},
			"policy": {Type: cty.String, Required: true, Comparer: policyComparer},
		},
		Identity: identityOf("bucket"),
	}
}

func readS3BucketPolicies(ctx context.Context, p *Provider, req *readRequest) ([]*providers.Live, error) {
	names, err := p.regionalBuckets(ctx, req.ids)
	if err != nil {
		return nil, err
	}
	schema := s3BucketPolicySchema()
	return readBuckets(ctx, req, names, func(ctx context.Context, name string) (*providers.Live, error) {
		policy, err := p.bucketPolicy(ctx, name)
		if err != nil || policy == nil {
			return nil, err
		}
		attrs := objectOf(schema.Attributes, map[string]cty.Value{
			"id":     cty.StringVal(name),
			"bucket": cty.StringVal(name),
			"policy": cty.StringVal(*policy),
		})
		return &providers.Live{ID: name, Attrs: attrs}, nil
	})
}

// putBucketPolicy sets the bucket's policy; "" deletes it.
func (p *Provider) putBucketPolicy(ctx context.Context, bucket, policy string) error {
	if policy == "" {
		if _, err := p.s3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(bucket)}); err != nil {
			return fmt.Errorf("deleting policy of bucket %s: %w", bucket, err)
		}
		return nil
	}
	if _, err := p.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policy)}); err != nil {
		return fmt.Errorf("putting policy of bucket %s: %w", bucket, err)
	}
	return nil
}

// applyS3BucketPolicy puts or deletes a bucket's policy.
func applyS3BucketPolicy(ctx context.Context, p *Provider, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	put := func(ctx context.Context, p *Provider, c *applyChange) (string, error) {
		bucket := c.bucketName()
		return bucket, p.putBucketPolicy(ctx, bucket, c.wantString("policy"))
	}
	return applier{
		create:    put,
		updatable: []string{"policy"},
		update:    put,
		delete: func(ctx context.Context, p *Provider, c *applyChange) error {
			return p.putBucketPolicy(ctx, c.bucketName(), "")
		},
	}.apply(ctx, p, req)
}
