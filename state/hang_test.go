package state

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/gitdrift/driftctl/internal/hangserver"
	"github.com/gitdrift/driftctl/internal/httpclient"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// loadWithin loads location, failing the test when Load has not returned
// after a generous bound: every server here hangs.
func loadWithin(t *testing.T, location string, opts ...Option) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := Load(context.Background(), location, opts...)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("Load(%s) did not return within 30s", location)
		return nil
	}
}

// TestLoadFromHungServers: a state server that never answers, or that
// trickles its body, fails the read with an error naming the location
// without its password, instead of blocking the scan for ever.
func TestLoadFromHungServers(t *testing.T) {
	t.Parallel()
	silent, err := hangserver.Silent()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(silent.Close) // after the parallel subtests
	trickle := hangserver.Trickle()
	t.Cleanup(trickle.Close)
	tests := []struct {
		name string
		url  string
		opts httpclient.Options
		want error
	}{
		{"silent", silent.URL, httpclient.Options{ResponseHeader: 200 * time.Millisecond}, nil},
		{"trickle", trickle.URL, httpclient.Options{IdleBody: 200 * time.Millisecond}, httpclient.ErrIdleBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			loc := strings.Replace(tt.url, "http://", "http://user:SECRET@", 1) + "/state?token=SECRET"
			err := loadWithin(t, loc, WithHTTPClient(httpclient.New(tt.opts)))
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			msg := err.Error()
			if strings.Contains(msg, "SECRET") {
				t.Errorf("error %q shows the secret", msg)
			}
			if !strings.Contains(msg, "reading state http://user:xxxxx@"+strings.TrimPrefix(tt.url, "http://")+"/state?token=xxxxx") {
				t.Errorf("error %q does not name the redacted location", msg)
			}
		})
	}
}

// TestLoadS3FromHungServer: S3 requests have deadlines too.
func TestLoadS3FromHungServer(t *testing.T) {
	t.Parallel()
	silent, err := hangserver.Silent()
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	err = loadWithin(t, "s3://tfstate/prod/terraform.tfstate",
		WithS3Endpoint(silent.URL), WithS3Region("us-east-1"),
		WithS3Timeouts(httpclient.Options{ResponseHeader: 200 * time.Millisecond}),
		WithLoadOptions(config.WithCredentialsProvider(emulator.Credentials), config.WithRetryMaxAttempts(1)))
	if err == nil || !strings.Contains(err.Error(), "reading state s3://tfstate/prod/terraform.tfstate") {
		t.Fatalf("error %v, want a failed read naming the location", err)
	}
}

// TestLoadErrorsRedactTheLocation: a refused connection's error (net/http
// prints the URL in it) never shows the password or a token.
func TestLoadErrorsRedactTheLocation(t *testing.T) {
	t.Parallel()
	_, err := Load(context.Background(), "http://SECRET@127.0.0.1:1/x?X-Amz-Signature=SECRET")
	if err == nil {
		t.Skip("something listens on 127.0.0.1:1")
	}
	if strings.Contains(err.Error(), "SECRET") || !strings.Contains(err.Error(), "http://xxxxx@127.0.0.1:1/x?X-Amz-Signature=xxxxx") {
		t.Errorf("error %q", err)
	}
}

// TestLoadS3FromTricklingServer: an S3 object whose body stops arriving
// fails at the idle deadline.
func TestLoadS3FromTricklingServer(t *testing.T) {
	t.Parallel()
	trickle := hangserver.Trickle()
	defer trickle.Close()
	err := loadWithin(t, "s3://tfstate/prod/terraform.tfstate",
		WithS3Endpoint(trickle.URL), WithS3Region("us-east-1"),
		WithS3Timeouts(httpclient.Options{IdleBody: 200 * time.Millisecond}),
		WithLoadOptions(config.WithCredentialsProvider(emulator.Credentials), config.WithRetryMaxAttempts(1)))
	if !errors.Is(err, httpclient.ErrIdleBody) || !strings.Contains(err.Error(), "reading state s3://tfstate/prod/terraform.tfstate") {
		t.Fatalf("error %v, want ErrIdleBody naming the location", err)
	}
}
