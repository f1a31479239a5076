package aws

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

const testBucketPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::tagged-versioned/*"}]}`

// generatedBucket is a name as Terraform generates it from bucket_prefix.
const generatedBucket = "logs-20240101000000000000000001"

// seedBuckets makes the S3 fixture of the S3 tests through the SDK.
func seedBuckets(t *testing.T, srv *emulator.Server) {
	t.Helper()
	ctx := context.Background()
	c := s3.NewFromConfig(srv.Config("us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range []string{"plain-bucket", "tagged-versioned", "suspended-bucket", generatedBucket} {
		must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}))
	}
	must(c.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket:                    aws.String("eu-bucket"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1},
	}))
	versioning := func(bucket string, status s3types.BucketVersioningStatus) {
		must(c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
			Bucket:                  aws.String(bucket),
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: status},
		}))
	}
	versioning("tagged-versioned", s3types.BucketVersioningStatusEnabled)
	versioning("suspended-bucket", s3types.BucketVersioningStatusEnabled)
	versioning("suspended-bucket", s3types.BucketVersioningStatusSuspended)
	versioning("eu-bucket", s3types.BucketVersioningStatusEnabled)
	must(c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{
		Bucket:  aws.String("tagged-versioned"),
		Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}},
	}))
	must(c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("tagged-versioned"), Policy: aws.String(testBucketPolicy)}))
	must(c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("eu-bucket"), Policy: aws.String(testBucketPolicy)}))
	must(c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{
		Bucket: aws.String("tagged-versioned"),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true),
			IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(false),
		},
	}))
}

// liveIDs returns the IDs of live resources, in order.
func liveIDs(live []*providers.Live) []string {
	ids := make([]string, 0, len(live))
	for _, l := range live {
		ids = append(ids, l.ID)
	}
	return ids
}

// getAttr returns the value at a path of attribute names and list indexes.
func getAttr(v cty.Value, path ...any) cty.Value {
	for _, step := range path {
		switch s := step.(type) {
		case string:
			v = v.GetAttr(s)
		case int:
			v = v.Index(cty.NumberIntVal(int64(s)))
		}
	}
	return v
}

func TestS3Read(t *testing.T) {
	srv := emulator.Start(t)
	seedBuckets(t, srv)
	p := testProvider(t, srv.URL(), "us-east-1")

	type check struct {
		id   string
		path []any
		want cty.Value
	}
	tests := []struct {
		name   string
		typ    string
		ids    []string
		want   []string
		checks []check
	}{
		{
			name: "buckets", typ: "aws_s3_bucket",
			want: []string{generatedBucket, "plain-bucket", "suspended-bucket", "tagged-versioned"},
			checks: []check{
				{"tagged-versioned", []any{"tags"}, cty.MapVal(map[string]cty.Value{"env": cty.StringVal("prod")})},
				{"tagged-versioned", []any{"arn"}, cty.StringVal("arn:aws:s3:::tagged-versioned")},
				{"tagged-versioned", []any{"region"}, cty.StringVal("us-east-1")},
				{"tagged-versioned", []any{"bucket_regional_domain_name"}, cty.StringVal("tagged-versioned.s3.us-east-1.amazonaws.com")},
				{"tagged-versioned", []any{"hosted_zone_id"}, cty.StringVal("Z3AQBSTGFYJSTF")},
				{"tagged-versioned", []any{"versioning", 0, "enabled"}, cty.True},
				{"tagged-versioned", []any{"policy"}, cty.StringVal(testBucketPolicy)},
				{"plain-bucket", []any{"tags"}, cty.NullVal(cty.Map(cty.String))},
				{"plain-bucket", []any{"policy"}, cty.NullVal(cty.String)},
				{"plain-bucket", []any{"versioning", 0, "enabled"}, cty.False},
				{"plain-bucket", []any{"object_lock_enabled"}, cty.False},
				{"plain-bucket", []any{"bucket_prefix"}, cty.NullVal(cty.String)},
				{generatedBucket, []any{"bucket_prefix"}, cty.StringVal("logs-")},
			},
		},
		{
			name: "buckets by ID", typ: "aws_s3_bucket",
			ids:  []string{"plain-bucket", "eu-bucket", "no-such-bucket"},
			want: []string{"plain-bucket"},
		},
		{
			// A bucket whose versioning was never set is listed too, as
			// "Disabled" (what Terraform reads and stores): the engine
			// reads without IDs, and leaving it out made a configured
			// "Disabled" versioning missing. It is CloudManaged (see
			// TestS3VersioningNeverSetIsCloudManaged).
			name: "versioning", typ: "aws_s3_bucket_versioning",
			want: []string{generatedBucket, "plain-bucket", "suspended-bucket", "tagged-versioned"},
			checks: []check{
				{"tagged-versioned", []any{"versioning_configuration", 0, "status"}, cty.StringVal("Enabled")},
				{"tagged-versioned", []any{"versioning_configuration", 0, "mfa_delete"}, cty.StringVal("Disabled")},
				{"suspended-bucket", []any{"versioning_configuration", 0, "status"}, cty.StringVal("Suspended")},
				{"suspended-bucket", []any{"bucket"}, cty.StringVal("suspended-bucket")},
				{"plain-bucket", []any{"versioning_configuration", 0, "status"}, cty.StringVal("Disabled")},
				{"plain-bucket", []any{"versioning_configuration", 0, "mfa_delete"}, cty.StringVal("Disabled")},
			},
		},
		{
			// Asked for by ID, it is "Disabled", as Terraform reads it.
			name: "versioning by ID", typ: "aws_s3_bucket_versioning",
			ids:  []string{"plain-bucket", "tagged-versioned,123456789012"},
			want: []string{"plain-bucket", "tagged-versioned"},
			checks: []check{
				{"plain-bucket", []any{"versioning_configuration", 0, "status"}, cty.StringVal("Disabled")},
			},
		},
		{
			name: "policies", typ: "aws_s3_bucket_policy",
			want: []string{"tagged-versioned"},
			checks: []check{
				{"tagged-versioned", []any{"policy"}, cty.StringVal(testBucketPolicy)},
				{"tagged-versioned", []any{"bucket"}, cty.StringVal("tagged-versioned")},
			},
		},
		{
			name: "public access blocks", typ: "aws_s3_bucket_public_access_block",
			want: []string{"tagged-versioned"},
			checks: []check{
				{"tagged-versioned", []any{"block_public_acls"}, cty.True},
				{"tagged-versioned", []any{"block_public_policy"}, cty.True},
				{"tagged-versioned", []any{"ignore_public_acls"}, cty.True},
				{"tagged-versioned", []any{"restrict_public_buckets"}, cty.False},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := p.Read(context.Background(), providers.ReadRequest{Type: tt.typ, IDs: tt.ids})
			if err != nil {
				t.Fatal(err)
			}
			if got := liveIDs(resp.Resources); !equalStrings(got, tt.want) {
				t.Fatalf("IDs = %q, want %q", got, tt.want)
			}
			schema := p.f.schema.Resources[tt.typ]
			for _, l := range resp.Resources {
				if !l.Attrs.Type().Equals(schema.ImpliedType()) {
					t.Errorf("%s: attrs type %s, want %s", l.ID, l.Attrs.Type().FriendlyName(), schema.ImpliedType().FriendlyName())
				}
				if l.Region != "us-east-1" || l.Type != tt.typ {
					t.Errorf("%s: region %q type %q", l.ID, l.Region, l.Type)
				}
				if got := schema.Identity(l.Attrs); got != l.ID {
					t.Errorf("%s: identity %q", l.ID, got)
				}
			}
			for _, c := range tt.checks {
				got := getAttr(liveByID(t, resp.Resources, c.id).Attrs, c.path...)
				if !got.RawEquals(c.want) {
					t.Errorf("%s %v = %#v, want %#v", c.id, c.path, got, c.want)
				}
			}
		})
	}
}

// TestS3VersioningNeverSetIsCloudManaged: a never-versioned bucket's
// "Disabled" versioning is what S3 gives every bucket, so it is not an
// unmanaged resource; a bucket whose versioning was set is not
// cloud-managed, even once suspended.
func TestS3VersioningNeverSetIsCloudManaged(t *testing.T) {
	srv := emulator.Start(t)
	seedBuckets(t, srv)
	p := testProvider(t, srv.URL(), "us-east-1")
	live := mustRead(t, p, "aws_s3_bucket_versioning")
	for id, want := range map[string]bool{"plain-bucket": true, generatedBucket: true, "tagged-versioned": false, "suspended-bucket": false} {
		if got := liveByID(t, live, id).CloudManaged; got != want {
			t.Errorf("%s: CloudManaged = %v, want %v", id, got, want)
		}
	}
}

func TestS3RegionFiltering(t *testing.T) {
	srv := emulator.Start(t)
	seedBuckets(t, srv)
	p := testProvider(t, srv.URL(), "eu-west-1")
	for _, typ := range []string{"aws_s3_bucket", "aws_s3_bucket_versioning", "aws_s3_bucket_policy"} {
		live := mustRead(t, p, typ)
		if got := liveIDs(live); !equalStrings(got, []string{"eu-bucket"}) {
			t.Errorf("%s in eu-west-1: %q, want only eu-bucket", typ, got)
		}
	}
	b := liveByID(t, mustRead(t, p, "aws_s3_bucket"), "eu-bucket")
	if got := b.Attrs.GetAttr("region"); !got.RawEquals(cty.StringVal("eu-west-1")) || b.Region != "eu-west-1" {
		t.Errorf("region attr %#v, live region %q", got, b.Region)
	}
}

func TestS3CallsAreShared(t *testing.T) {
	srv := emulator.Start(t)
	seedBuckets(t, srv)
	proxy := srv.StartProxy(t)
	p := testProvider(t, proxy.URL(), "us-east-1")
	for _, typ := range []string{"aws_s3_bucket", "aws_s3_bucket_versioning", "aws_s3_bucket_policy", "aws_s3_bucket_public_access_block"} {
		mustRead(t, p, typ)
	}
	tests := []struct {
		op   string
		want int
	}{
		{"ListBuckets", 1},
		// moto's ListBuckets has no BucketRegion: one location per bucket.
		{"GetBucketLocation", 5},
		// Only the four buckets of us-east-1, once each for all types.
		{"GetBucketVersioning", 4},
		{"GetBucketPolicy", 4},
		{"GetPublicAccessBlock", 4},
		{"GetBucketTagging", 4},
	}
	for _, tt := range tests {
		if got := proxy.Calls("s3", tt.op); got != tt.want {
			t.Errorf("%s calls = %d, want %d", tt.op, got, tt.want)
		}
	}
}

func TestS3ReadFailures(t *testing.T) {
	srv := emulator.Start(t)
	seedBuckets(t, srv)
	tests := []struct {
		typ   string
		fault emulator.Fault
		op    string
	}{
		{"aws_s3_bucket_versioning", emulator.Fault{Service: "s3", Operation: "GetBucketVersioning", Status: 403, Code: "AccessDenied"}, "s3:GetBucketVersioning"},
		// One bucket's policy failing fails the read: the other buckets'
		// policies are not reported as if they were all.
		{"aws_s3_bucket_policy", emulator.Fault{Service: "s3", Operation: "GetBucketPolicy", Status: 403, Code: "AccessDenied", Times: 1}, "s3:GetBucketPolicy"},
		{"aws_s3_bucket_public_access_block", emulator.Fault{Service: "s3", Operation: "GetPublicAccessBlock", Status: 403, Code: "AccessDenied"}, "s3:GetPublicAccessBlock"},
		{"aws_s3_bucket", emulator.Fault{Service: "s3", Operation: "GetBucketTagging", Status: 403, Code: "AccessDenied"}, "s3:GetBucketTagging"},
		{"aws_s3_bucket", emulator.Fault{Service: "s3", Operation: "ListBuckets", Status: 403, Code: "AccessDenied"}, "s3:ListBuckets"},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			proxy := srv.StartProxy(t)
			proxy.Inject(tt.fault)
			p := testProvider(t, proxy.URL(), "us-east-1")
			resp, err := p.Read(context.Background(), providers.ReadRequest{Type: tt.typ})
			var re *providers.ReadError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v (resources %v), want a *providers.ReadError", err, resp)
			}
			if re.Operation != tt.op || re.Type != tt.typ || re.Region != "us-east-1" {
				t.Errorf("ReadError = %+v, want operation %s", re, tt.op)
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
