package aws

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// A bucket's deprecated inline settings cost a call each per bucket; they
// are read only when a configuration writes them.
func TestBucketInlineSettingsReadOnlyWhenWritten(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	s3c := s3.NewFromConfig(srv.Config("us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	for _, b := range []string{"w-a", "w-b"} {
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	inline := []string{"GetBucketVersioning", "GetBucketPolicy", "GetBucketEncryption", "GetObjectLockConfiguration"}
	tests := []struct {
		name  string
		attrs []string
		calls int // per inline operation
	}{
		{"not written", []string{"bucket", "tags"}, 0},
		{"no list: everything", nil, 2},
		{"written", []string{"bucket", "versioning", "policy", "server_side_encryption_configuration", "object_lock_enabled"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy := srv.StartProxy(t)
			p := testProvider(t, proxy.URL(), "us-east-1")
			resp, err := p.Read(ctx, providers.ReadRequest{Type: "aws_s3_bucket", Attributes: tt.attrs})
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Resources) != 2 {
				t.Fatalf("%d buckets", len(resp.Resources))
			}
			for _, op := range inline {
				if got := proxy.Calls("s3", op); got != tt.calls {
					t.Errorf("%s calls = %d, want %d", op, got, tt.calls)
				}
			}
			if got := proxy.Calls("s3", "GetBucketTagging"); got != 2 {
				t.Errorf("GetBucketTagging calls = %d, want 2: tags are always compared", got)
			}
		})
	}
}
