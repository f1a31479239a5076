package aws

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// TestDataS3Bucket reads aws_s3_bucket against moto: a bucket of the
// provider's region, one of another region (its own region and names), a
// website bucket, and a bucket that does not exist.
func TestDataS3Bucket(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	p := testProvider(t, srv.URL(), "eu-west-1")
	create := func(name, region string) {
		in := &s3.CreateBucketInput{Bucket: aws.String(name)}
		if region != "us-east-1" {
			in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
		}
		if _, err := p.s3.CreateBucket(ctx, in, func(o *s3.Options) { o.Region = region }); err != nil {
			t.Fatal(err)
		}
	}
	create("logs-here", "eu-west-1")
	create("assets-there", "eu-central-1")
	create("site-east", "us-east-1")
	if _, err := p.s3.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String("site-east"), WebsiteConfiguration: &s3types.WebsiteConfiguration{
		IndexDocument: &s3types.IndexDocument{Suffix: aws.String("index.html")},
	}}); err != nil {
		t.Fatal(err)
	}
	null := cty.NullVal(cty.String)
	tests := []struct {
		bucket string
		want   map[string]cty.Value
	}{
		{"logs-here", map[string]cty.Value{
			"id":                          cty.StringVal("logs-here"),
			"arn":                         cty.StringVal("arn:aws:s3:::logs-here"),
			"bucket_domain_name":          cty.StringVal("logs-here.s3.amazonaws.com"),
			"bucket_regional_domain_name": cty.StringVal("logs-here.s3.eu-west-1.amazonaws.com"),
			"hosted_zone_id":              cty.StringVal("Z1BKCTXD74EZPE"),
			"region":                      cty.StringVal("eu-west-1"),
			"website_endpoint":            null,
			"website_domain":              null,
		}},
		{"assets-there", map[string]cty.Value{
			"bucket_regional_domain_name": cty.StringVal("assets-there.s3.eu-central-1.amazonaws.com"),
			"region":                      cty.StringVal("eu-central-1"),
		}},
		{"site-east", map[string]cty.Value{
			"region":           cty.StringVal("us-east-1"),
			"hosted_zone_id":   cty.StringVal("Z3AQBSTGFYJSTF"),
			"website_endpoint": cty.StringVal("site-east.s3-website-us-east-1.amazonaws.com"),
			"website_domain":   cty.StringVal("s3-website-us-east-1.amazonaws.com"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.bucket, func(t *testing.T) {
			v, err := p.ReadData(ctx, "aws_s3_bucket", decodeData(t, p, "aws_s3_bucket", `bucket = "`+tt.bucket+`"`))
			if err != nil {
				t.Fatal(err)
			}
			if !v.Type().Equals(p.f.schema.DataSources["aws_s3_bucket"].ImpliedType()) {
				t.Errorf("type %s is not the schema's", v.Type().GoString())
			}
			for k, w := range tt.want {
				if got := v.GetAttr(k); !got.RawEquals(w) {
					t.Errorf("%s = %#v, want %#v", k, got, w)
				}
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		_, err := p.ReadData(ctx, "aws_s3_bucket", decodeData(t, p, "aws_s3_bucket", `bucket = "no-such-bucket"`))
		if err == nil || !strings.Contains(err.Error(), "not found") || !strings.Contains(err.Error(), "s3:HeadBucket") {
			t.Errorf("err = %v, want a not-found error naming s3:HeadBucket", err)
		}
	})
}
