package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// s3BucketPublicAccessBlockType is aws_s3_bucket_public_access_block. Its
// ID is the bucket name. A bucket without a public access block
// (NoSuchPublicAccessBlockConfiguration) has none live.
func s3BucketPublicAccessBlockType() *resourceType {
	return &resourceType{schema: s3BucketPublicAccessBlockSchema(), read: readS3BucketPublicAccessBlocks, apply: applyS3BucketPublicAccessBlock}
}

// publicAccessBlockSettings are the four settings; each defaults to false
// in terraform-provider-aws.
var publicAccessBlockSettings = []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"}

func s3BucketPublicAccessBlockSchema() *providers.Schema {
	attrs := map[string]*providers.Attribute{
		"id":     {Type: cty.String, Computed: true},
		"bucket": {Type: cty.String, Required: true, ForceNew: true},
	}
	for _, s := range publicAccessBlockSettings {
		attrs[s] = &providers.Attribute{Type: cty.Bool, Optional: true, Default: cty.False}
	}
	return &providers.Schema{
		Type:       "aws_s3_bucket_public_access_block",
		Attributes: attrs,
		Identity:   identityOf("bucket"),
	}
}

func readS3BucketPublicAccessBlocks(ctx context.Context, p *Provider, req *readRequest) ([]*providers.Live, error) {
	names, err := p.regionalBuckets(ctx, req.ids)
	if err != nil {
		return nil, err
	}
	schema := s3BucketPublicAccessBlockSchema()
	return readBuckets(ctx, req, names, func(ctx context.Context, name string) (*providers.Live, error) {
		block, err := p.bucketPublicAccessBlock(ctx, name)
		if err != nil || block == nil {
			return nil, err
		}
		attrs := objectOf(schema.Attributes, map[string]cty.Value{
			"id":                      cty.StringVal(name),
			"bucket":                  cty.StringVal(name),
			"block_public_acls":       boolean(block.BlockPublicAcls),
			"block_public_policy":     boolean(block.BlockPublicPolicy),
			"ignore_public_acls":      boolean(block.IgnorePublicAcls),
			"restrict_public_buckets": boolean(block.RestrictPublicBuckets),
		})
		return &providers.Live{ID: name, Attrs: attrs}, nil
	})
}

// applyS3BucketPublicAccessBlock puts or deletes a bucket's public access
// block. PutPublicAccessBlock sets all four settings at once; each takes
// its desired value, false when left out (the schema Default).
func applyS3BucketPublicAccessBlock(ctx context.Context, p *Provider, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	put := func(ctx context.Context, p *Provider, c *applyChange) (string, error) {
		bucket := c.bucketName()
		_, err := p.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{
			Bucket: aws.String(bucket),
			PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
				BlockPublicAcls:       aws.Bool(c.wantBool("block_public_acls")),
				BlockPublicPolicy:     aws.Bool(c.wantBool("block_public_policy")),
				IgnorePublicAcls:      aws.Bool(c.wantBool("ignore_public_acls")),
				RestrictPublicBuckets: aws.Bool(c.wantBool("restrict_public_buckets")),
			},
		})
		if err != nil {
			return "", fmt.Errorf("putting public access block of bucket %s: %w", bucket, err)
		}
		return bucket, nil
	}
	return applier{
		create:    put,
		updatable: publicAccessBlockSettings,
		update:    put,
		delete: func(ctx context.Context, p *Provider, c *applyChange) error {
			bucket := c.bucketName()
			if _, err := p.s3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String(bucket)}); err != nil {
				return fmt.Errorf("deleting public access block of bucket %s: %w", bucket, err)
			}
			return nil
		},
	}.apply(ctx, p, req)
}
