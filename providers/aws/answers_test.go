package aws

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

func TestCheckAnswer(t *testing.T) {
	t.Parallel()
	const xmlDecl = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	tests := []struct {
		name        string
		service, op string
		contentType string
		body        string
		ok          bool
	}{
		{"query answer", "ec2", "DescribeVpcs", "text/xml", xmlDecl + `<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><vpcSet/></DescribeVpcsResponse>`, true},
		{"query answer after a comment", "iam", "ListRoles", "text/xml", xmlDecl + `<!-- hi --> <ListRolesResponse><ListRolesResult/></ListRolesResponse>`, true},
		{"html page", "ec2", "DescribeVpcs", "text/html", "<html><body>Welcome</body></html>", false},
		{"html page said to be XML", "ec2", "DescribeVpcs", "text/xml", "<!DOCTYPE html>\n<HTML><body>Welcome</body></HTML>", false},
		{"empty body where AWS always answers", "ec2", "DescribeVpcs", "text/xml", "", false},
		{"another operation's answer", "ec2", "DescribeVpcs", "text/xml", `<DescribeSubnetsResponse/>`, false},
		{"plain text", "sts", "GetCallerIdentity", "text/plain", "OK", false},
		{"S3 list", "s3", "ListBuckets", "application/xml", xmlDecl + `<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Buckets/></ListAllMyBucketsResult>`, true},
		{"S3 list as an error document", "s3", "ListBuckets", "application/xml", `<Error><Code>x</Code></Error>`, false},
		{"S3 versioning", "s3", "GetBucketVersioning", "application/xml", `<VersioningConfiguration/>`, true},
		{"S3 policy", "s3", "GetBucketPolicy", "application/json", ` {"Version":"2012-10-17"}`, true},
		{"S3 policy as a web page", "s3", "GetBucketPolicy", "text/html", `<html></html>`, false},
		{"S3 policy, empty", "s3", "GetBucketPolicy", "application/json", ``, false},
		{"KMS answer", "kms", "DescribeKey", "application/x-amz-json-1.1", `{"KeyMetadata":{}}`, true},
		{"KMS answer said to be HTML (moto)", "kms", "DescribeKey", "text/html; charset=utf-8", `{"KeyMetadata":{}}`, true},
		{"KMS answer as a web page", "kms", "DescribeKey", "text/html", `<html></html>`, false},
		{"Route 53 answer", "route53", "GetHostedZone", "text/xml", `<GetHostedZoneResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"/>`, true},
		{"no output, empty", "s3", "PutBucketTagging", "", "", true},
		{"no output, XML", "s3", "CreateBucket", "application/xml", `<CreateBucketConfiguration/>`, true},
		{"no output, empty, said to be HTML (moto)", "s3", "DeleteBucket", "text/html; charset=utf-8", "", true},
		{"no output, text (moto)", "s3", "PutBucketPolicy", "application/xml", "True", true},
		{"no output, a web page", "s3", "PutBucketTagging", "text/html", "<html>hi</html>", false},
		{"no output query answer", "iam", "DeleteRole", "text/xml", `<DeleteRoleResponse><ResponseMetadata/></DeleteRoleResponse>`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp := &smithyhttp.Response{Response: &http.Response{
				StatusCode: 200, Header: http.Header{"Content-Type": {tt.contentType}},
				Body: io.NopCloser(strings.NewReader(tt.body)),
			}}
			err := checkAnswer(resp, tt.service, tt.op)
			if (err == nil) != tt.ok {
				t.Fatalf("checkAnswer = %v, want ok %v", err, tt.ok)
			}
			if err != nil {
				var ia *InvalidAnswerError
				if !errors.As(err, &ia) || ia.Operation != tt.op || !strings.Contains(err.Error(), "operation "+tt.op+": the endpoint's answer is not an AWS response") {
					t.Errorf("error %q does not name the operation %s", err, tt.op)
				}
			}
			// The SDK still reads the whole body.
			rest, _ := io.ReadAll(resp.Body)
			if string(rest) != tt.body {
				t.Errorf("body after the check = %q, want %q", rest, tt.body)
			}
		})
	}
}

// TestLyingAnswersAreReadErrors reads each of the 12 types once through a
// proxy and records the operations it makes; then, for every one of those
// operations, reads the type again through a proxy that answers that
// operation with a 200 web page. Each read must fail with a ReadError that
// names the operation (the type is unknown, never missing), and the
// invalid answer is not retried as if it could succeed.
func TestLyingAnswersAreReadErrors(t *testing.T) {
	srv := emulator.Start(t)
	seedEveryType(t, srv)

	clean := srv.StartProxy(t)
	var log apiCallLog
	f := NewFactory(WithLoadOptions(config.WithCredentialsProvider(emulator.Credentials), config.WithBaseEndpoint(clean.URL())), WithAPIObserver(log.observe))
	types := f.ResourceTypes()
	if len(types) != 12 {
		t.Fatalf("%d resource types, want the 12 this test was written for", len(types))
	}
	calls := map[string][]apiCall{} // by type
	cleanCalls := map[string]int{}  // requests by type/operation
	for _, typ := range types {
		log = apiCallLog{}
		p := newTestProvider(t, f)
		resp, err := p.Read(context.Background(), providers.ReadRequest{Type: typ})
		if err != nil {
			t.Fatalf("clean read of %s: %v", typ, err)
		}
		if len(resp.Resources) == 0 {
			t.Fatalf("clean read of %s found nothing: the estate must have one of each type", typ)
		}
		seen := map[apiCall]bool{}
		for c, n := range log.calls {
			c.code = ""
			cleanCalls[typ+"/"+c.operation] += n
			if c.service != "sts" && !seen[c] {
				seen[c] = true
				calls[typ] = append(calls[typ], c)
			}
		}
		sort.Slice(calls[typ], func(i, j int) bool { return calls[typ][i].operation < calls[typ][j].operation })
	}

	for _, typ := range types {
		for _, c := range calls[typ] {
			t.Run(typ+"/"+c.operation, func(t *testing.T) {
				t.Parallel()
				if lookupOperation(c.service, c.operation) == nil {
					t.Errorf("%s:%s is not in the operations table", c.service, c.operation)
				}
				proxy := srv.StartProxy(t)
				proxy.Inject(emulator.Fault{Service: c.service, Operation: c.operation, Lie: true})
				f := NewFactory(WithLoadOptions(config.WithCredentialsProvider(emulator.Credentials), config.WithBaseEndpoint(proxy.URL())))
				_, err := newTestProvider(t, f).Read(context.Background(), providers.ReadRequest{Type: typ})
				var re *providers.ReadError
				var ia *InvalidAnswerError
				if !errors.As(err, &re) || !errors.As(err, &ia) {
					t.Fatalf("read of %s with a lying %s: err = %v, want a ReadError for the invalid answer", typ, c.operation, err)
				}
				if want := c.service + ":" + c.operation; re.Operation != want {
					t.Errorf("ReadError names %s, want %s", re.Operation, want)
				}
				if !strings.Contains(err.Error(), "content-type text/html") {
					t.Errorf("error %q does not say what came back", err)
				}
				// One request per resource at most, as in the clean read:
				// a retried lie would send more.
				if n, clean := proxy.Calls(c.service, c.operation), cleanCalls[typ+"/"+c.operation]; n > clean {
					t.Errorf("%s sent %d times, the clean read %d: the invalid answer was retried", c.operation, n, clean)
				}
			})
		}
	}
}

// seedEveryType makes resources of all 12 types: seedFaultEstate's, an
// instance and a public access block.
func seedEveryType(t *testing.T, srv *emulator.Server) {
	t.Helper()
	seedFaultEstate(t, srv)
	if _, err := ec2Seed(srv).RunInstances(context.Background(), &ec2.RunInstancesInput{
		ImageId: aws.String(motoAMI), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
	}); err != nil {
		t.Fatal(err)
	}
	s := s3.NewFromConfig(srv.Config("us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s.PutPublicAccessBlock(context.Background(), &s3.PutPublicAccessBlockInput{
		Bucket: aws.String("fault-bucket-1"), PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true)},
	}); err != nil {
		t.Fatal(err)
	}
}

// newTestProvider configures a us-east-1 provider of f.
func newTestProvider(t *testing.T, f *Factory) *Provider {
	t.Helper()
	p, err := f.New(context.Background(), providers.Config{
		Name:  "aws",
		Attrs: cty.ObjectVal(map[string]cty.Value{"region": cty.StringVal("us-east-1")}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return p.(*Provider)
}

// A lie is told once: the body the validator read is given back whole.
func TestCheckAnswerKeepsBody(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("<a/>"), answerPeekLimit)
	body := append([]byte("<DescribeVpcsResponse>"), big...)
	resp := &smithyhttp.Response{Response: &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body))}}
	if err := checkAnswer(resp, "ec2", "DescribeVpcs"); err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	if !bytes.Equal(got, body) {
		t.Errorf("body changed: %d bytes, want %d", len(got), len(body))
	}
}
