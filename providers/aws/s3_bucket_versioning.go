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

// s3BucketVersioningType is aws_s3_bucket_versioning. Its ID is the bucket
// name (terraform-provider-aws uses "bucket,expected_bucket_owner" when the
// owner is set; driftctl matches on the bucket name).
//
// Which buckets have one: S3 answers GetBucketVersioning with no status for
// a bucket whose versioning was never set, and terraform-provider-aws
// reads that as status "Disabled" (its create does not even call
// PutBucketVersioning for "Disabled": such a resource is in real states).
// Such a bucket is reported with status "Disabled" and CloudManaged, as
// the state S3 gives every bucket by itself: a configuration that says
// "Disabled" is in sync, one that wants "Enabled" is drifted rather than
// missing, and no bucket shows up as an unmanaged aws_s3_bucket_versioning.
// The engine reads every resource of a type (no IDs), so this must not
// depend on the IDs asked for.
func s3BucketVersioningType() *resourceType {
	return &resourceType{schema: s3BucketVersioningSchema(), read: readS3BucketVersionings, apply: applyS3BucketVersioning}
}

func s3BucketVersioningSchema() *providers.Schema {
	return &providers.Schema{
		Type: "aws_s3_bucket_versioning",
		Attributes: map[string]*providers.Attribute{
			"id":     {Type: cty.String, Computed: true},
			"bucket": {Type: cty.String, Required: true, ForceNew: true},
			// expected_bucket_owner and mfa are request parameters (a guard
			// against the wrong account, an MFA token), not bucket settings.
			"expected_bucket_owner": {Type: cty.String, Optional: true, TerraformOnly: true, ForceNew: true},
			"mfa":                   {Type: cty.String, Optional: true, Sensitive: true, TerraformOnly: true},
			"versioning_configuration": {Required: true, Nested: &providers.NestedBlock{
				Nesting: providers.NestingList, MinItems: 1, MaxItems: 1,
				Attributes: map[string]*providers.Attribute{
					"status":     {Type: cty.String, Required: true},
					"mfa_delete": {Type: cty.String, Optional: true, Computed: true, CloudDefault: cty.StringVal("Disabled")},
				},
			}},
		},
		Identity: identityOf("bucket"),
	}
}

func readS3BucketVersionings(ctx context.Context, p *Provider, req *readRequest) ([]*providers.Live, error) {
	names, err := p.regionalBuckets(ctx, req.ids)
	if err != nil {
		return nil, err
	}
	schema := s3BucketVersioningSchema()
	block := schema.Attributes["versioning_configuration"]
	return readBuckets(ctx, req, names, func(ctx context.Context, name string) (*providers.Live, error) {
		out, err := p.bucketVersioning(ctx, name)
		if err != nil {
			return nil, err
		}
		status := string(out.Status)
		neverSet := status == ""
		if neverSet {
			status = "Disabled"
		}
		// S3 returns MFADelete only once it has been configured; absent
		// means disabled.
		mfa := string(out.MFADelete)
		if mfa == "" {
			mfa = string(s3types.MFADeleteStatusDisabled)
		}
		attrs := objectOf(schema.Attributes, map[string]cty.Value{
			"id":     cty.StringVal(name),
			"bucket": cty.StringVal(name),
			"versioning_configuration": cty.ListVal([]cty.Value{objectOf(block.Nested.Attributes, map[string]cty.Value{
				"status":     cty.StringVal(status),
				"mfa_delete": cty.StringVal(mfa),
			})}),
		})
		return &providers.Live{ID: name, Attrs: attrs, CloudManaged: neverSet}, nil
	})
}

func (p *Provider) putBucketVersioning(ctx context.Context, bucket string, conf *s3types.VersioningConfiguration, mfa string) error {
	in := &s3.PutBucketVersioningInput{Bucket: aws.String(bucket), VersioningConfiguration: conf}
	if mfa != "" {
		in.MFA = aws.String(mfa)
	}
	if _, err := p.s3.PutBucketVersioning(ctx, in); err != nil {
		return fmt.Errorf("putting versioning of bucket %s: %w", bucket, err)
	}
	return nil
}

// applyS3BucketVersioning applies aws_s3_bucket_versioning.
//
// "Disabled" is the state of a bucket that never had versioning; once
// versioning has been enabled S3 only allows "Suspended" (PutBucketVersioning
// takes Enabled or Suspended), so asking for "Disabled" on such a bucket is
// not supported. As v5, creating a "Disabled" resource on a bucket that
// never had versioning changes nothing, and deleting the resource suspends
// versioning (resourceBucketVersioningDelete), except for "Disabled",
// which is left as it is.
func applyS3BucketVersioning(ctx context.Context, p *Provider, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	put := func(ctx context.Context, p *Provider, c *applyChange) (string, error) {
		bucket := c.bucketName()
		want := blocks(c.Desired, "versioning_configuration")
		if len(want) == 0 {
			return "", fmt.Errorf("aws_s3_bucket_versioning %s has no versioning_configuration", bucket)
		}
		status := attrString(want[0], "status")
		if status == "Disabled" {
			out, err := p.s3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
			if err != nil {
				return "", fmt.Errorf("reading versioning of bucket %s: %w", bucket, err)
			}
			if out.Status != "" {
				return "", fmt.Errorf("bucket %s has had versioning (%s): S3 can only suspend it, not disable it: %w", bucket, out.Status, providers.ErrNotSupported)
			}
			return bucket, nil
		}
		conf := &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatus(status)}
		if mfa := attrString(want[0], "mfa_delete"); mfa != "" && (c.Kind == providers.Create || mfa != liveMFADelete(c.Live)) {
			conf.MFADelete = s3types.MFADelete(mfa)
		}
		return bucket, p.putBucketVersioning(ctx, bucket, conf, c.wantString("mfa"))
	}
	return applier{
		create:    put,
		updatable: []string{"versioning_configuration"},
		update:    put,
		delete: func(ctx context.Context, p *Provider, c *applyChange) error {
			bucket := c.bucketName()
			if live := blocks(c.Live, "versioning_configuration"); len(live) > 0 && attrString(live[0], "status") == "Disabled" {
				return nil
			}
			conf := &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}
			return p.putBucketVersioning(ctx, bucket, conf, "")
		},
	}.apply(ctx, p, req)
}

// liveMFADelete is the mfa_delete of a live aws_s3_bucket_versioning.
func liveMFADelete(live cty.Value) string {
	if b := blocks(live, "versioning_configuration"); len(b) > 0 {
		return attrString(b[0], "mfa_delete")
	}
	return ""
}
