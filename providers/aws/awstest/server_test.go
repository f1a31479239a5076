package awstest

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

func TestProxyInjectsFaultsByOperation(t *testing.T) {
	srv := Start(t)
	proxy := srv.StartProxy(t)
	ctx := context.Background()
	cfg := Config(proxy.URL(), "us-east-1")
	ec2c := ec2.NewFromConfig(cfg)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })

	if _, err := ec2c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}); err != nil {
		t.Fatalf("DescribeVpcs through a clean proxy: %v", err)
	}
	proxy.Inject(Fault{Service: "ec2", Operation: "DescribeVpcs", Status: http.StatusForbidden, Code: "UnauthorizedOperation"})
	proxy.Inject(Fault{Service: "s3", Operation: "ListBuckets", Status: http.StatusForbidden, Code: "AccessDenied"})

	_, err := ec2c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "UnauthorizedOperation" {
		t.Fatalf("DescribeVpcs error = %v, want UnauthorizedOperation", err)
	}
	if _, err := ec2c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{}); err != nil {
		t.Fatalf("DescribeSubnets must not be hit by the DescribeVpcs fault: %v", err)
	}
	_, err = s3c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
		t.Fatalf("ListBuckets error = %v, want AccessDenied", err)
	}
	if got := proxy.Calls("ec2", "DescribeSubnets"); got != 1 {
		t.Errorf("DescribeSubnets calls = %d, want 1", got)
	}
}

func TestResetForgetsResources(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	s3c := s3.NewFromConfig(srv.Config("us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: ptr("reset-me")}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	out, err := s3c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Buckets) != 0 {
		t.Fatalf("after Reset, %d buckets remain", len(out.Buckets))
	}
}

func ptr(s string) *string { return &s }
