package emulator

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
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

// Readiness is moto's own answer: another test's HTTP server that took the
// port is not taken for moto (a script then failed to reach a moto that
// had exited at start).
func TestIsMotoOnlyForMoto(t *testing.T) {
	t.Parallel()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("<html>some other server</html>"))
	}))
	defer other.Close()
	req, _ := http.NewRequest(http.MethodGet, other.URL+"/moto-api/", nil)
	if isMoto(req) {
		t.Error("another HTTP server was taken for moto")
	}
	srv := Start(t)
	req, _ = http.NewRequest(http.MethodGet, srv.URL()+"/moto-api/", nil)
	if !isMoto(req) {
		t.Error("moto was not recognised")
	}
}
