package aws

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// apiCallLog records what an APIObserver is told, for tests.
type apiCallLog struct {
	mu    sync.Mutex
	calls map[apiCall]int // attempts
}

type apiCall struct{ service, operation, code string }

func (l *apiCallLog) observe(service, operation, code string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.calls == nil {
		l.calls = map[apiCall]int{}
	}
	l.calls[apiCall{service, operation, code}]++
}

func (l *apiCallLog) count(service, operation, code string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls[apiCall{service, operation, code}]
}

func TestAPIObserverCountsAttempts(t *testing.T) {
	srv := emulator.Start(t)
	tests := []struct {
		name  string
		fault *emulator.Fault
		// code is what the observer must see for DescribeVpcs; attempts
		// how many times, 0 meaning as many as the proxy saw.
		code     string
		attempts int
		wantErr  bool
	}{
		{name: "success", code: "", attempts: 0},
		{
			name:  "access denied is not retried",
			fault: &emulator.Fault{Service: "ec2", Operation: "DescribeVpcs", Status: 403, Code: "UnauthorizedOperation"},
			code:  "UnauthorizedOperation", attempts: 1, wantErr: true,
		},
		{
			// The factory below allows 2 attempts, as testProvider does.
			name:  "unavailable is retried",
			fault: &emulator.Fault{Service: "ec2", Operation: "DescribeVpcs", Status: 503, Code: "ServiceUnavailable"},
			code:  "ServiceUnavailable", attempts: 2, wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy := srv.StartProxy(t)
			if tt.fault != nil {
				proxy.Inject(*tt.fault)
			}
			var log apiCallLog
			f := NewFactory(
				WithLoadOptions(
					config.WithCredentialsProvider(emulator.Credentials),
					config.WithBaseEndpoint(proxy.URL()),
					config.WithRetryMaxAttempts(2),
				),
				WithAPIObserver(log.observe),
			)
			p, err := f.New(context.Background(), providers.Config{
				Name:  "aws",
				Attrs: cty.ObjectVal(map[string]cty.Value{"region": cty.StringVal("us-east-1")}),
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Read(context.Background(), providers.ReadRequest{Type: "aws_vpc"})
			if (err != nil) != tt.wantErr {
				t.Fatalf("Read error = %v, want error: %v", err, tt.wantErr)
			}
			sent := proxy.Calls("ec2", "DescribeVpcs")
			want := tt.attempts
			if want == 0 {
				want = sent
			}
			if sent != want || want == 0 {
				t.Errorf("proxy saw %d DescribeVpcs requests, want %d", sent, want)
			}
			if got := log.count("ec2", "DescribeVpcs", tt.code); got != want {
				t.Errorf("observed %d DescribeVpcs attempts with code %q, want %d (all: %v)", got, tt.code, want, log.calls)
			}
			// Every other operation the read made was observed once per
			// request and succeeded.
			for c, n := range log.calls {
				if c.operation == "DescribeVpcs" {
					continue
				}
				if c.code != "" || n != proxy.Calls(c.service, c.operation) {
					t.Errorf("observed %+v %d times, proxy saw %d", c, n, proxy.Calls(c.service, c.operation))
				}
			}
		})
	}
}

func TestAPIObserverErrorCode(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want string
	}{
		{"success", context.Background(), nil, ""},
		{"API error", context.Background(), &smithy.GenericAPIError{Code: "Throttling", Message: "slow down"}, "Throttling"},
		{"wrapped API error", context.Background(), fmt.Errorf("op: %w", &smithy.GenericAPIError{Code: "AccessDenied"}), "AccessDenied"},
		{"canceled", context.Background(), fmt.Errorf("send: %w", context.Canceled), "Canceled"},
		{"context done", canceled, errors.New("connection reset"), "Canceled"},
		{"network", context.Background(), errors.New("dial tcp: connection refused"), "NetworkError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errorCode(tt.ctx, tt.err); got != tt.want {
				t.Errorf("errorCode(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}
