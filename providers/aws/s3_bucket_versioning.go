package aws

import (
	"context"

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
					"mfa_delete": {Type: cty.String, Optional: true, Computed: true},
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
