package aws

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// Remediation of the four S3 types. Each follows what
// terraform-provider-aws v5 does for the same change; where it differs, the
// comment says why.

// bucketName is the bucket a change is about: the bucket attribute, or the
// ID ("bucket" or "bucket,expected_bucket_owner").
func (c *applyChange) bucketName() string {
	for _, v := range []cty.Value{c.Desired, c.Live} {
		if s := attrString(v, "bucket"); s != "" {
			return s
		}
	}
	name, _, _ := strings.Cut(c.ID, ",")
	return name
}

// applyS3Bucket creates, updates or deletes an aws_s3_bucket. Update
// changes tags and the inline settings v5 still accepts (policy,
// versioning, server_side_encryption_configuration). Delete does not
// empty the bucket: S3 refuses to delete one that holds objects
// (BucketNotEmpty), and that error is returned, as Terraform does without
// force_destroy.
func applyS3Bucket(ctx context.Context, p *Provider, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	return applier{
		create:    createS3Bucket,
		updatable: []string{"tags", "policy", "versioning", "server_side_encryption_configuration"},
		update: func(ctx context.Context, p *Provider, c *applyChange) (string, error) {
			bucket := c.bucketName()
			if c.has("tags") {
				if err := p.putBucketTags(ctx, bucket, p.tagMap(c.Desired)); err != nil {
					return "", err
				}
			}
			if c.has("policy") {
				if err := p.putBucketPolicy(ctx, bucket, c.wantString("policy")); err != nil {
					return "", err
				}
			}
			if c.has("versioning") {
				if err := p.putInlineVersioning(ctx, c, bucket, false); err != nil {
					return "", err
				}
			}
			if c.has("server_side_encryption_configuration") {
				if err := p.putBucketEncryption(ctx, bucket, c.Desired); err != nil {
					return "", err
				}
			}
			return bucket, nil
		},
		delete: func(ctx context.Context, p *Provider, c *applyChange) error {
			bucket := c.bucketName()
			if _, err := p.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)}); err != nil {
				return fmt.Errorf("deleting bucket %s: %w", bucket, err)
			}
			return nil
		},
	}.apply(ctx, p, req)
}

// createS3Bucket makes the bucket in the provider's region, then applies
// the settings the configuration sets.
func createS3Bucket(ctx context.Context, p *Provider, c *applyChange) (string, error) {
	bucket, err := terraformName(c.wantString("bucket"), c.wantString("bucket_prefix"))
	if err != nil {
		return "", err
	}
	in := &s3.CreateBucketInput{Bucket: aws.String(bucket)}
	// us-east-1 takes no location constraint (S3 rejects "us-east-1").
	if p.region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(p.region)}
	}
	if c.wantBool("object_lock_enabled") {
		in.ObjectLockEnabledForBucket = aws.Bool(true)
	}
	if acl := c.wantString("acl"); acl != "" {
		in.ACL = s3types.BucketCannedACL(acl)
	}
	if _, err := p.s3.CreateBucket(ctx, in); err != nil {
		return "", fmt.Errorf("creating bucket %s: %w", bucket, err)
	}
	if tags := p.tagMap(c.Desired); len(tags) > 0 {
		if err := p.putBucketTags(ctx, bucket, tags); err != nil {
			return "", err
		}
	}
	if policy := c.wantString("policy"); policy != "" {
		if err := p.putBucketPolicy(ctx, bucket, policy); err != nil {
			return "", err
		}
	}
	if len(blocks(c.Desired, "versioning")) > 0 {
		if err := p.putInlineVersioning(ctx, c, bucket, true); err != nil {
			return "", err
		}
	}
	if len(blocks(c.Desired, "server_side_encryption_configuration")) > 0 {
		if err := p.putBucketEncryption(ctx, bucket, c.Desired); err != nil {
			return "", err
		}
	}
	return bucket, nil
}

// putBucketTags makes want the bucket's tags. PutBucketTagging replaces
// the whole set, so the tags remediation must not touch ("aws:" keys,
// ignore_tags) are read first and kept, as v5's bucketUpdateTags keeps
// the tags it does not manage. No tag left means DeleteBucketTagging.
func (p *Provider) putBucketTags(ctx context.Context, bucket string, want map[string]string) error {
	merged := map[string]string{}
	out, err := p.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	switch {
	case isAPIError(err, "NoSuchTagSet"):
	case err != nil:
		return fmt.Errorf("reading tags of bucket %s: %w", bucket, err)
	default:
		for _, t := range out.TagSet {
			if k := aws.ToString(t.Key); p.untouchableTag(k) {
				merged[k] = aws.ToString(t.Value)
			}
		}
	}
	for k, v := range want {
		merged[k] = v
	}
	if len(merged) == 0 {
		if _, err := p.s3.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String(bucket)}); err != nil {
			return fmt.Errorf("deleting tags of bucket %s: %w", bucket, err)
		}
		return nil
	}
	set := make([]s3types.Tag, 0, len(merged))
	for _, k := range slices.Sorted(maps.Keys(merged)) {
		set = append(set, s3types.Tag{Key: aws.String(k), Value: aws.String(merged[k])})
	}
	if _, err := p.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(bucket), Tagging: &s3types.Tagging{TagSet: set}}); err != nil {
		return fmt.Errorf("tagging bucket %s: %w", bucket, err)
	}
	return nil
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

// putInlineVersioning applies aws_s3_bucket's versioning block as v5
// does: enabled is "Enabled", otherwise "Suspended", except on a new
// bucket, which is left unversioned (expandVersioningWhenIsNewResource).
// mfa_delete is sent only when it changes; S3 then requires the MFA
// header, which driftctl cannot supply, and says so.
func (p *Provider) putInlineVersioning(ctx context.Context, c *applyChange, bucket string, isNew bool) error {
	want := blocks(c.Desired, "versioning")
	if len(want) == 0 {
		return nil
	}
	enabled, mfa := attr(want[0], "enabled"), attr(want[0], "mfa_delete")
	conf := &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}
	if !enabled.IsNull() && enabled.True() {
		conf.Status = s3types.BucketVersioningStatusEnabled
	} else if isNew {
		return nil
	}
	wantMFA := !mfa.IsNull() && mfa.True()
	liveMFA := false
	if live := blocks(c.Live, "versioning"); len(live) > 0 {
		if v := attr(live[0], "mfa_delete"); !v.IsNull() {
			liveMFA = v.True()
		}
	}
	if wantMFA != liveMFA {
		conf.MFADelete = s3types.MFADeleteDisabled
		if wantMFA {
			conf.MFADelete = s3types.MFADeleteEnabled
		}
	}
	return p.putBucketVersioning(ctx, bucket, conf, "")
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

// putBucketEncryption sets the default encryption from the
// server_side_encryption_configuration block of v; no block deletes it.
func (p *Provider) putBucketEncryption(ctx context.Context, bucket string, v cty.Value) error {
	confs := blocks(v, "server_side_encryption_configuration")
	if len(confs) == 0 {
		if _, err := p.s3.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String(bucket)}); err != nil {
			return fmt.Errorf("deleting encryption of bucket %s: %w", bucket, err)
		}
		return nil
	}
	var rules []s3types.ServerSideEncryptionRule
	for _, r := range blocks(confs[0], "rule") {
		rule := s3types.ServerSideEncryptionRule{}
		if b := attr(r, "bucket_key_enabled"); !b.IsNull() {
			rule.BucketKeyEnabled = aws.Bool(b.True())
		}
		if defs := blocks(r, "apply_server_side_encryption_by_default"); len(defs) > 0 {
			rule.ApplyServerSideEncryptionByDefault = &s3types.ServerSideEncryptionByDefault{
				SSEAlgorithm: s3types.ServerSideEncryption(attrString(defs[0], "sse_algorithm")),
			}
			if k := attrString(defs[0], "kms_master_key_id"); k != "" {
				rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID = aws.String(k)
			}
		}
		rules = append(rules, rule)
	}
	_, err := p.s3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{
		Bucket:                            aws.String(bucket),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: rules},
	})
	if err != nil {
		return fmt.Errorf("putting encryption of bucket %s: %w", bucket, err)
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
