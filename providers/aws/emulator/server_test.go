package emulator

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
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

// A server a test released is reused by the next, with nothing of the
// first test's left: not its bucket, not its name (S3 bucket names are
// global in moto), not its VPC. One the test closed is not reused.
func TestAcquireReusesResetServers(t *testing.T) {
	ctx := context.Background()
	first, release, err := Acquire(ctx)
	if errors.Is(err, ErrNoMoto) {
		t.Skip(err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	cfg := first.Config("eu-west-3")
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	ec2c := ec2.NewFromConfig(cfg)
	bucket := &s3.CreateBucketInput{Bucket: ptr("pool-reused"), CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest3}}
	if _, err := s3c.CreateBucket(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	if _, err := ec2c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: ptr("10.9.0.0/16")}); err != nil {
		t.Fatal(err)
	}
	release()

	started := launches.Load()
	second, release, err := Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if second != first || launches.Load() != started {
		t.Fatalf("Acquire launched a new server (%d launches, was %d) instead of reusing the released one", launches.Load(), started)
	}
	out, err := s3c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Buckets) != 0 {
		t.Errorf("the reused server holds %d buckets", len(out.Buckets))
	}
	if _, err := s3c.CreateBucket(ctx, bucket); err != nil {
		t.Errorf("the released test's bucket name is still taken: %v", err)
	}
	vpcs, err := ec2c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vpcs.Vpcs {
		if !*v.IsDefault {
			t.Errorf("the reused server holds VPC %s %s", *v.VpcId, *v.CidrBlock)
		}
	}

	second.Close()
	release()
	third, release3, err := Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer release3()
	if third == second {
		t.Error("Acquire returned a server that was closed")
	}
}
