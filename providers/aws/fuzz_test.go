package aws

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// fuzzTargets are the (type, operation) pairs FuzzResponses drives: the
// operation's answer is the fuzzed body, every other call of the read gets
// moto's recorded answer (testdata/fuzz/answers).
var fuzzTargets = []struct{ typ, service, op string }{
	{"aws_vpc", "ec2", "DescribeVpcs"},
	{"aws_vpc", "ec2", "DescribeVpcAttribute"},
	{"aws_vpc", "ec2", "DescribeRouteTables"},
	{"aws_subnet", "ec2", "DescribeSubnets"},
	{"aws_security_group", "ec2", "DescribeSecurityGroups"},
	{"aws_instance", "ec2", "DescribeInstances"},
	{"aws_instance", "ec2", "DescribeVolumes"},
	{"aws_s3_bucket", "s3", "ListBuckets"},
	{"aws_s3_bucket", "s3", "GetBucketTagging"},
	{"aws_s3_bucket", "s3", "GetBucketLocation"},
	{"aws_s3_bucket_policy", "s3", "GetBucketPolicy"},
	{"aws_s3_bucket_versioning", "s3", "GetBucketVersioning"},
	{"aws_s3_bucket_public_access_block", "s3", "GetPublicAccessBlock"},
	{"aws_iam_role", "iam", "GetAccountAuthorizationDetails"},
	{"aws_iam_role", "iam", "ListRoles"},
	{"aws_iam_policy", "iam", "ListPolicies"},
	{"aws_iam_policy", "iam", "ListPolicyTags"},
	{"aws_iam_user", "iam", "GetAccountAuthorizationDetails"},
	{"aws_iam_role_policy_attachment", "iam", "GetAccountAuthorizationDetails"},
}

const answersDir = "testdata/fuzz/answers"

// recordedAnswers are moto's answers by "service_Operation".
var recordedAnswers = sync.OnceValues(func() (map[string][]byte, error) {
	files, err := filepath.Glob(filepath.Join(answersDir, "*"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no recorded answers in %s (DRIFTCTL_RECORD_ANSWERS=1 go test -run TestRecordAnswers): %v", answersDir, err)
	}
	m := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		m[filepath.Base(f)] = b
	}
	return m, nil
})

// fakeAWS answers every request from the recorded answers, and the target
// operation with body. It stops a read that keeps asking (a fuzzed page
// token that never ends) after maxRequests.
type fakeAWS struct {
	service, op string
	body        []byte
	answers     map[string][]byte
	requests    atomic.Int32
}

const maxRequests = 100

func (f *fakeAWS) RoundTrip(r *http.Request) (*http.Response, error) {
	var reqBody []byte
	if r.Body != nil {
		reqBody, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	if f.requests.Add(1) > maxRequests {
		return nil, errors.New("fake AWS: too many requests")
	}
	service, op := emulator.Identify(r, reqBody)
	status := http.StatusOK
	body, ok := f.answers[service+"_"+op]
	if service == f.service && op == f.op {
		body, ok = f.body, true
	}
	for code := 400; !ok && code < 600; code++ {
		body, ok = f.answers[fmt.Sprintf("%s_%s.%d", service, op, code)]
		status = code
	}
	if !ok {
		return nil, fmt.Errorf("fake AWS: no recorded answer to %s:%s", service, op)
	}
	contentType := "text/xml"
	switch {
	case service == "s3" && op == "GetBucketPolicy":
		contentType = "application/json"
	case service == "s3":
		contentType = "application/xml"
	}
	return &http.Response{
		StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {contentType}},
		Body:    io.NopCloser(bytes.NewReader(body)),
		Request: r, ContentLength: int64(len(body)),
	}, nil
}

// FuzzResponses reads a type through a fake AWS whose answer to one of the
// read's operations is fuzzed (seeds: moto's answers). The read never
// panics; it fails with a ReadError naming an operation, or gives
// resources with IDs and values of the type's schema.
func FuzzResponses(f *testing.F) {
	answers, err := recordedAnswers()
	if err != nil {
		f.Fatal(err)
	}
	for i, tg := range fuzzTargets {
		f.Add(uint8(i), answers[tg.service+"_"+tg.op])
	}
	schemas := NewFactory().Schema().Resources
	f.Fuzz(func(t *testing.T, target uint8, body []byte) {
		tg := fuzzTargets[int(target)%len(fuzzTargets)]
		fake := &fakeAWS{service: tg.service, op: tg.op, body: body, answers: answers}
		fac := NewFactory(WithLoadOptions(
			config.WithCredentialsProvider(emulator.Credentials),
			config.WithBaseEndpoint("http://aws.invalid"),
			config.WithRetryMaxAttempts(1),
		), WithAPIRate(1e6))
		fac.httpClient = newHTTPClient(HTTPTimeouts{}, fake)
		p, err := fac.New(context.Background(), providers.Config{Name: "aws", Attrs: cty.ObjectVal(map[string]cty.Value{
			"region": cty.StringVal("us-east-1"), "skip_credentials_validation": cty.True,
		})})
		if err != nil {
			t.Fatal(err)
		}
		// A read that waits on nothing but this process must end.
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		resp, err := p.Read(ctx, providers.ReadRequest{Type: tg.typ})
		if ctx.Err() != nil {
			t.Fatalf("read of %s did not end within 20s: %v", tg.typ, err)
		}
		if err != nil {
			var re *providers.ReadError
			if !errors.As(err, &re) || !strings.Contains(re.Operation, ":") || re.Operation == "unknown" {
				t.Fatalf("read of %s: %v: not a ReadError naming the operation", tg.typ, err)
			}
			return
		}
		want := schemas[tg.typ].ImpliedType()
		for _, l := range resp.Resources {
			if l.ID == "" {
				t.Errorf("%s: a resource without ID: %#v", tg.typ, l.Attrs)
			}
			if l.Attrs == cty.NilVal || !l.Attrs.Type().Equals(want) {
				t.Errorf("%s %s: attributes are not of the schema's type", tg.typ, l.ID)
			}
		}
	})
}

// TestRecordAnswers records moto's answers to the reads of every type into
// testdata/fuzz/answers, FuzzResponses' fake AWS and seeds. Run it with
// DRIFTCTL_RECORD_ANSWERS=1 when the reads change.
func TestRecordAnswers(t *testing.T) {
	if os.Getenv("DRIFTCTL_RECORD_ANSWERS") != "1" {
		t.Skip("records only with DRIFTCTL_RECORD_ANSWERS=1")
	}
	srv := emulator.Start(t)
	seedEveryType(t, srv)
	rec := &recorder{base: newHTTPClient(HTTPTimeouts{}, nil).Transport, answers: map[string][]byte{}}
	fac := NewFactory(WithLoadOptions(config.WithCredentialsProvider(emulator.Credentials), config.WithBaseEndpoint(srv.URL())))
	fac.httpClient = &http.Client{Transport: rec}
	p := newTestProvider(t, fac)
	for _, typ := range fac.ResourceTypes() {
		if _, err := p.Read(context.Background(), providers.ReadRequest{Type: typ}); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(answersDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range rec.answers {
		if err := os.WriteFile(filepath.Join(answersDir, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The seed corpus, in go test's corpus format.
	corpus := filepath.Join("testdata", "fuzz", "FuzzResponses")
	if err := os.MkdirAll(corpus, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, tg := range fuzzTargets {
		seed := fmt.Sprintf("go test fuzz v1\nuint8(%d)\n[]byte(%q)\n", i, rec.answers[tg.service+"_"+tg.op])
		if err := os.WriteFile(filepath.Join(corpus, "moto-"+tg.typ+"-"+tg.op), []byte(seed), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The fake AWS of FuzzResponses answers as moto did: each target's
// recorded answer reads resources, so fuzzing starts from real reads.
func TestFakeAWSReadsSeeds(t *testing.T) {
	t.Parallel()
	answers, err := recordedAnswers()
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range fuzzTargets {
		fake := &fakeAWS{service: tg.service, op: tg.op, body: answers[tg.service+"_"+tg.op], answers: answers}
		fac := NewFactory(WithLoadOptions(config.WithCredentialsProvider(emulator.Credentials), config.WithBaseEndpoint("http://aws.invalid")))
		fac.httpClient = newHTTPClient(HTTPTimeouts{}, fake)
		resp, err := newTestProvider(t, fac).Read(context.Background(), providers.ReadRequest{Type: tg.typ})
		if err != nil || len(resp.Resources) == 0 {
			t.Errorf("%s with moto's %s answer: %v, %v", tg.typ, tg.op, err, resp)
		}
	}
}

// recorder keeps the first successful answer to each operation.
type recorder struct {
	base    http.RoundTripper
	mu      sync.Mutex
	answers map[string][]byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	service, op := emulator.Identify(req, reqBody)
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	// An error answer (S3's "no encryption configuration") is kept as
	// service_Operation.STATUS, with the error code in the body.
	name := service + "_" + op
	if resp.StatusCode != http.StatusOK {
		name += fmt.Sprintf(".%d", resp.StatusCode)
	}
	r.mu.Lock()
	if _, ok := r.answers[name]; !ok {
		r.answers[name] = body
	}
	r.mu.Unlock()
	return resp, nil
}
