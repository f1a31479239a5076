package aws

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// s3BucketData is the aws_s3_bucket data source, as terraform-provider-aws
// v5's dataSourceBucketRead (internal/service/s3/bucket_data_source.go):
// HeadBucket says the bucket exists and where (x-amz-bucket-region), the
// names are built locally, and GetBucketWebsite says whether it has website
// endpoints.
func s3BucketData() *dataSource {
	computed := &providers.Attribute{Type: cty.String, Computed: true}
	schema := &providers.Schema{
		Type: "aws_s3_bucket",
		Attributes: map[string]*providers.Attribute{
			"id":                          computed,
			"bucket":                      {Type: cty.String, Required: true},
			"arn":                         computed,
			"bucket_domain_name":          computed,
			"bucket_regional_domain_name": computed,
			"hosted_zone_id":              computed,
			"region":                      computed,
			"website_domain":              computed,
			"website_endpoint":            computed,
		},
	}
	return &dataSource{
		schema: schema,
		read: func(ctx context.Context, p *Provider, config cty.Value) (cty.Value, error) {
			bucket := attrString(config, "bucket")
			region, err := bucketRegion(ctx, p, bucket)
			if err != nil {
				return cty.NilVal, fmt.Errorf("reading S3 Bucket (%s): %w", bucket, err)
			}
			part := partitionOf(p.region)
			vals := map[string]cty.Value{
				"id":                          cty.StringVal(bucket),
				"bucket":                      cty.StringVal(bucket),
				"arn":                         cty.StringVal("arn:" + part.name + ":s3:::" + bucket),
				"bucket_domain_name":          cty.StringVal(bucket + ".s3." + part.dnsSuffix),
				"bucket_regional_domain_name": cty.StringVal(bucket + ".s3." + region + "." + partitionOf(region).dnsSuffix),
				"hosted_zone_id":              hostedZoneID(region),
				"region":                      cty.StringVal(region),
			}
			if arn.IsARN(bucket) {
				// An access point's ARN.
				vals["arn"] = cty.StringVal(bucket)
			}
			_, err = p.s3.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String(bucket)})
			switch {
			case err == nil:
				endpoint, domain := bucketWebsite(bucket, region)
				vals["website_endpoint"], vals["website_domain"] = cty.StringVal(endpoint), cty.StringVal(domain)
			case isAPIError(err, "NoSuchWebsiteConfiguration", "NoSuchBucket"):
			default:
				// The provider only logs this failure; a scan must not
				// guess, so it fails the read.
				return cty.NilVal, fmt.Errorf("reading S3 Bucket (%s) website: %w", bucket, err)
			}
			return objectOf(schema.Attributes, vals), nil
		},
	}
}

// bucketRegion is the region of a bucket, from HeadBucket's
// x-amz-bucket-region header, which S3 also sends with the 301 that a
// bucket of another region answers. A bucket that does not exist is an
// error, as the provider's findBucket makes it.
func bucketRegion(ctx context.Context, p *Provider, bucket string) (string, error) {
	out, err := p.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	// The SDK's S3 errors (s3shared.ResponseError) embed the HTTP
	// response without being a *smithyhttp.ResponseError.
	var re interface {
		HTTPStatusCode() int
		HTTPResponse() *smithyhttp.Response
	}
	hasResponse := errors.As(err, &re)
	switch {
	case err == nil:
		if r := aws.ToString(out.BucketRegion); r != "" {
			return r, nil
		}
	case hasResponse && re.HTTPStatusCode() == http.StatusMovedPermanently && re.HTTPResponse().Header.Get("X-Amz-Bucket-Region") != "":
		return re.HTTPResponse().Header.Get("X-Amz-Bucket-Region"), nil
	case isAPIError(err, "NotFound", "NoSuchBucket") || (hasResponse && re.HTTPStatusCode() == http.StatusNotFound):
		return "", fmt.Errorf("bucket not found: %w", err)
	default:
		return "", fmt.Errorf("heading bucket: %w", err)
	}
	// S3-compatible services that leave the header out (moto 5 sends
	// it; older versions did not): ask GetBucketLocation.
	loc, err := p.s3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(bucket)})
	if err != nil {
		return "", fmt.Errorf("reading bucket location: %w", err)
	}
	return locationRegion(loc.LocationConstraint), nil
}

// s3WebsiteDashRegions are the regions whose S3 website endpoints are
// s3-website-REGION rather than s3-website.REGION
// (https://docs.aws.amazon.com/general/latest/gr/s3.html#s3_website_region_endpoints),
// as the provider's bucketWebsiteEndpointAndDomain lists them.
var s3WebsiteDashRegions = []string{
	"ap-northeast-1", "ap-southeast-1", "ap-southeast-2", "eu-west-1", "sa-east-1",
	"us-east-1", "us-gov-west-1", "us-west-1", "us-west-2",
}

// bucketWebsite is a bucket's website endpoint and domain.
func bucketWebsite(bucket, region string) (endpoint, domain string) {
	if slices.Contains(s3WebsiteDashRegions, region) {
		domain = "s3-website-" + region + ".amazonaws.com"
	} else {
		domain = "s3-website." + region + "." + partitionOf(region).dnsSuffix
	}
	return bucket + "." + domain, domain
}
