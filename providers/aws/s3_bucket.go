package aws

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// s3BucketType is aws_s3_bucket (terraform-provider-aws v5). Its ID is the
// bucket name.
//
// v5 still accepts the deprecated inline settings (acl, policy, versioning,
// server_side_encryption_configuration, ...) as Optional+Computed. Those
// that the dedicated S3 types read anyway (policy, versioning) and the
// cheap ones (server_side_encryption_configuration, object_lock_enabled)
// are read, so a configuration that sets them compares them; left out of
// configuration they accept any live value.
func s3BucketType() *resourceType {
	return &resourceType{schema: s3BucketSchema(), read: readS3Buckets, apply: applyS3Bucket}
}

func s3BucketSchema() *providers.Schema {
	return &providers.Schema{
		Type: "aws_s3_bucket",
		Attributes: map[string]*providers.Attribute{
			"id":     {Type: cty.String, Computed: true},
			"bucket": {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			// bucket_prefix is read back from a name Terraform generated
			// (create.NamePrefixFromName), as v5 does.
			"bucket_prefix":               {Type: cty.String, Optional: true, Computed: true, ForceNew: true, NotGenerated: true},
			"arn":                         {Type: cty.String, Computed: true},
			"bucket_domain_name":          {Type: cty.String, Computed: true},
			"bucket_regional_domain_name": {Type: cty.String, Computed: true},
			"hosted_zone_id":              {Type: cty.String, Computed: true},
			"region":                      {Type: cty.String, Computed: true},
			"force_destroy":               {Type: cty.Bool, Optional: true, TerraformOnly: true, Default: cty.False},
			"object_lock_enabled":         {Type: cty.Bool, Optional: true, Computed: true, ForceNew: true},
			"tags":                        {Type: cty.Map(cty.String), Optional: true},
			// acl is write-only in terraform-provider-aws: the read never
			// sets it from S3 (only grant, from GetBucketAcl), so Terraform
			// never reports a difference on it.
			"acl": {Type: cty.String, Optional: true, Computed: true, TerraformOnly: true},
			// policy, versioning and server_side_encryption_configuration
			// are deprecated in v5 for their own resource types
			// (aws_s3_bucket_policy, aws_s3_bucket_versioning, ...), which
			// fight with them: generated configuration leaves them out.
			"policy": {Type: cty.String, Optional: true, Computed: true, Comparer: policyComparer, NotGenerated: true},
			"versioning": {Optional: true, Computed: true, NotGenerated: true, Nested: &providers.NestedBlock{
				Nesting: providers.NestingList, MaxItems: 1,
				Attributes: map[string]*providers.Attribute{
					"enabled":    {Type: cty.Bool, Optional: true, Default: cty.False},
					"mfa_delete": {Type: cty.Bool, Optional: true, Default: cty.False},
				},
			}},
			"server_side_encryption_configuration": {Optional: true, Computed: true, NotGenerated: true, Nested: &providers.NestedBlock{
				Nesting: providers.NestingList, MaxItems: 1,
				Attributes: map[string]*providers.Attribute{
					"rule": {Required: true, Nested: &providers.NestedBlock{
						Nesting: providers.NestingList, MinItems: 1, MaxItems: 1,
						Attributes: map[string]*providers.Attribute{
							"bucket_key_enabled": {Type: cty.Bool, Optional: true},
							"apply_server_side_encryption_by_default": {Optional: true, Nested: &providers.NestedBlock{
								Nesting: providers.NestingList, MaxItems: 1,
								Attributes: map[string]*providers.Attribute{
									"sse_algorithm":     {Type: cty.String, Required: true},
									"kms_master_key_id": {Type: cty.String, Optional: true},
								},
							}},
						},
					}},
				},
			}},
			"timeouts": timeoutsAttribute("create", "read", "update", "delete"),
		},
		Identity: identityOf("bucket"),
		Tags:     true,
	}
}

// identityOf returns an Identity function that reads one string attribute.
func identityOf(name string) func(v cty.Value) string {
	return func(v cty.Value) string {
		s, _ := knownString(v, name)
		return s
	}
}

func readS3Buckets(ctx context.Context, p *Provider, req *readRequest) ([]*providers.Live, error) {
	names, err := p.regionalBuckets(ctx, req.ids)
	if err != nil {
		return nil, err
	}
	schema := s3BucketSchema()
	return readBuckets(ctx, req, names, func(ctx context.Context, name string) (*providers.Live, error) {
		tags, err := p.bucketTags(ctx, name)
		if err != nil {
			return nil, err
		}
		part := partitionOf(p.region)
		// The deprecated inline settings are optional+computed: read them
		// (a call each per bucket) only when a configuration writes them.
		inline := map[string]cty.Value{}
		if req.written("versioning") {
			versioning, err := p.bucketVersioning(ctx, name)
			if err != nil {
				return nil, err
			}
			inline["versioning"] = inlineVersioning(schema.Attributes["versioning"], versioning.Status, versioning.MFADelete)
		}
		if req.written("policy") {
			policy, err := p.bucketPolicy(ctx, name)
			if err != nil {
				return nil, err
			}
			inline["policy"] = strOrNull(policy)
		}
		if req.written("server_side_encryption_configuration") {
			sse, err := p.bucketEncryption(ctx, name)
			if err != nil {
				return nil, err
			}
			inline["server_side_encryption_configuration"] = inlineEncryption(schema.Attributes["server_side_encryption_configuration"], sse)
		}
		if req.written("object_lock_enabled") {
			objectLock, err := p.bucketObjectLockEnabled(ctx, name)
			if err != nil {
				return nil, err
			}
			inline["object_lock_enabled"] = cty.BoolVal(objectLock)
		}
		values := map[string]cty.Value{
			"id":                          cty.StringVal(name),
			"bucket":                      cty.StringVal(name),
			"bucket_prefix":               namePrefix(name),
			"arn":                         cty.StringVal(fmt.Sprintf("arn:%s:s3:::%s", part.name, name)),
			"bucket_domain_name":          cty.StringVal(fmt.Sprintf("%s.s3.%s", name, part.dnsSuffix)),
			"bucket_regional_domain_name": cty.StringVal(fmt.Sprintf("%s.s3.%s.%s", name, p.region, part.dnsSuffix)),
			"hosted_zone_id":              hostedZoneID(p.region),
			"region":                      cty.StringVal(p.region),
			"tags":                        tagsValue(tags),
		}
		for k, v := range inline {
			values[k] = v
		}
		return &providers.Live{ID: name, Attrs: objectOf(schema.Attributes, values)}, nil
	})
}

// inlineVersioning is aws_s3_bucket's versioning block as v5 flattens
// GetBucketVersioning: always one block, enabled only for "Enabled".
func inlineVersioning(a *providers.Attribute, status s3types.BucketVersioningStatus, mfa s3types.MFADeleteStatus) cty.Value {
	return cty.ListVal([]cty.Value{objectOf(a.Nested.Attributes, map[string]cty.Value{
		"enabled":    cty.BoolVal(status == s3types.BucketVersioningStatusEnabled),
		"mfa_delete": cty.BoolVal(mfa == s3types.MFADeleteStatusEnabled),
	})})
}

// inlineEncryption is aws_s3_bucket's server_side_encryption_configuration
// block; no block when the bucket has no default encryption.
func inlineEncryption(a *providers.Attribute, sse *s3types.ServerSideEncryptionConfiguration) cty.Value {
	if sse == nil || len(sse.Rules) == 0 {
		return emptyBlocks(a)
	}
	ruleAttr := a.Nested.Attributes["rule"]
	defAttr := ruleAttr.Nested.Attributes["apply_server_side_encryption_by_default"]
	var rules []cty.Value
	for _, r := range sse.Rules {
		def := emptyBlocks(defAttr)
		if d := r.ApplyServerSideEncryptionByDefault; d != nil {
			def = cty.ListVal([]cty.Value{objectOf(defAttr.Nested.Attributes, map[string]cty.Value{
				"sse_algorithm":     cty.StringVal(string(d.SSEAlgorithm)),
				"kms_master_key_id": str(d.KMSMasterKeyID),
			})})
		}
		rules = append(rules, objectOf(ruleAttr.Nested.Attributes, map[string]cty.Value{
			"bucket_key_enabled":                      boolean(r.BucketKeyEnabled),
			"apply_server_side_encryption_by_default": def,
		}))
	}
	return cty.ListVal([]cty.Value{objectOf(a.Nested.Attributes, map[string]cty.Value{
		"rule": cty.ListVal(rules),
	})})
}

// generatedName matches the names Terraform generates from a prefix: the
// prefix and a 26-digit unique suffix (helper/id.UniqueIDSuffixLength).
var generatedName = regexp.MustCompile(`^(.*)\d{26}$`)

// namePrefix is the prefix of a name Terraform generated, null otherwise,
// as terraform-provider-aws's create.NamePrefixFromName.
func namePrefix(name string) cty.Value {
	m := generatedName.FindStringSubmatch(name)
	if m == nil {
		return cty.NullVal(cty.String)
	}
	return cty.StringVal(m[1])
}

// s3HostedZoneIDs are the Route 53 hosted zones of the S3 website
// endpoints (https://docs.aws.amazon.com/general/latest/gr/s3.html), which
// aws_s3_bucket reports as hosted_zone_id.
var s3HostedZoneIDs = map[string]string{
	"us-east-1":      "Z3AQBSTGFYJSTF",
	"us-east-2":      "Z2O1EMRO9K5GLX",
	"us-west-1":      "Z2F56UZL2M1ACD",
	"us-west-2":      "Z3BJ6K6RIION7M",
	"eu-west-1":      "Z1BKCTXD74EZPE",
	"ap-northeast-1": "Z2M4EHUR26P7ZW",
	"ap-southeast-1": "Z3O0J2DXBE1FTB",
	"ap-southeast-2": "Z1WCIGYICN2BYD",
	"sa-east-1":      "Z7KQH4QJS55SO",
}

// hostedZoneID is the region's S3 hosted zone, null where unknown here
// (it is computed-only, so a null never causes drift).
func hostedZoneID(region string) cty.Value {
	if id, ok := s3HostedZoneIDs[region]; ok {
		return cty.StringVal(id)
	}
	return cty.NullVal(cty.String)
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
