package aws

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// Endpoints that hold a read forever end it with an error naming the
// operation, under small timeouts: one that accepts and never answers, one
// that stops in the middle of its answer, one that trickles its answer a
// byte at a time without end.
func TestHungEndpointsTimeOut(t *testing.T) {
	t.Parallel()
	const head = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><vpcSet>`
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request, stop <-chan struct{})
		want    string
	}{
		{
			name:    "silent",
			handler: func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) { <-stop },
			want:    "timeout awaiting response headers",
		},
		{
			name: "stops mid-answer",
			handler: func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
				w.Header().Set("Content-Type", "text/xml")
				w.Write([]byte(head))
				w.(http.Flusher).Flush()
				<-stop
			},
			want: "no byte of the answer's body within 200ms",
		},
		{
			name: "trickles",
			handler: func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
				w.Header().Set("Content-Type", "text/xml")
				w.Write([]byte(head))
				w.(http.Flusher).Flush()
				tick := time.NewTicker(20 * time.Millisecond)
				defer tick.Stop()
				for {
					select {
					case <-stop:
						return
					case <-tick.C:
						w.Write([]byte(" "))
						w.(http.Flusher).Flush()
					}
				}
			},
			want: "the attempt (request and answer) did not end within 1s",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// A handler that never read the request does not see the
			// client leave: stop ends them before the server closes.
			stop := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tt.handler(w, r, stop) }))
			defer srv.Close()
			defer close(stop)
			f := NewFactory(
				WithLoadOptions(config.WithCredentialsProvider(emulator.Credentials), config.WithBaseEndpoint(srv.URL), config.WithRetryMaxAttempts(1)),
				WithHTTPTimeouts(HTTPTimeouts{ResponseHeader: 200 * time.Millisecond, IdleRead: 200 * time.Millisecond, Attempt: time.Second}),
			)
			p, err := f.New(context.Background(), providers.Config{Name: "aws", Attrs: cty.ObjectVal(map[string]cty.Value{
				"region": cty.StringVal("us-east-1"), "skip_credentials_validation": cty.True,
			})})
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				_, err := p.Read(context.Background(), providers.ReadRequest{Type: "aws_vpc"})
				done <- err
			}()
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("the read did not end within 30s")
			}
			var re *providers.ReadError
			if !errors.As(err, &re) || re.Operation != "ec2:DescribeVpcs" {
				t.Fatalf("err = %v, want a ReadError naming ec2:DescribeVpcs", err)
			}
			// Usually the error says which bound ended the read; the
			// transport sometimes reports the aborted connection instead
			// ("use of closed network connection"), which still ends it.
			if !strings.Contains(err.Error(), tt.want) && !strings.Contains(err.Error(), "closed network connection") {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}
