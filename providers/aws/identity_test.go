package aws

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// closedPort is the URL of a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// The identity is checked once, when the provider is configured: missing
// credentials, an unreachable endpoint or rejected keys fail New with one
// message naming the provider block and what to set, after at most two
// attempts (not the reads' ten, once per type).
func TestIdentityCheck(t *testing.T) {
	srv := emulator.Start(t)
	noCredentials := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, errors.New("no EC2 IMDS role found")
	})
	tests := []struct {
		name     string
		endpoint string // "" for moto
		creds    aws.CredentialsProvider
		fault    *emulator.Fault
		attrs    map[string]cty.Value
		alias    string
		wantErr  []string // in the error; none for success
		attempts int      // of sts:GetCallerIdentity
	}{
		{name: "moto answers", attempts: 1},
		{
			name: "closed port", endpoint: "closed", alias: "west",
			wantErr:  []string{`provider "aws" (alias "west", region us-east-1)`, "cannot reach AWS", "sts:GetCallerIdentity", "AWS_ENDPOINT_URL", "connection refused"},
			attempts: identityAttempts,
		},
		{
			name: "no credentials", creds: noCredentials,
			wantErr:  []string{`provider "aws" (region us-east-1): no usable AWS credentials`, "no EC2 IMDS role found", "AWS_PROFILE", "AWS_ACCESS_KEY_ID"},
			attempts: 0,
		},
		{
			name:     "rejected keys",
			fault:    &emulator.Fault{Service: "sts", Operation: "GetCallerIdentity", Status: 403, Code: "InvalidClientTokenId"},
			wantErr:  []string{"AWS rejected the credentials (sts:GetCallerIdentity): InvalidClientTokenId", "AWS_ACCESS_KEY_ID"},
			attempts: 1,
		},
		{
			name:     "a lying endpoint",
			fault:    &emulator.Fault{Service: "sts", Operation: "GetCallerIdentity", Lie: true},
			wantErr:  []string{"operation GetCallerIdentity: the endpoint's answer is not an AWS response", "AWS_ENDPOINT_URL"},
			attempts: 1,
		},
		{
			name: "skip_credentials_validation", endpoint: "closed",
			attrs:    map[string]cty.Value{"skip_credentials_validation": cty.True},
			attempts: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			endpoint := tt.endpoint
			switch endpoint {
			case "closed":
				endpoint = closedPort(t)
			case "":
				proxy := srv.StartProxy(t)
				if tt.fault != nil {
					proxy.Inject(*tt.fault)
				}
				endpoint = proxy.URL()
			}
			creds := tt.creds
			if creds == nil {
				creds = emulator.Credentials
			}
			var log apiCallLog
			f := NewFactory(WithLoadOptions(config.WithCredentialsProvider(creds), config.WithBaseEndpoint(endpoint)), WithAPIObserver(log.observe))
			attrs := map[string]cty.Value{"region": cty.StringVal("us-east-1")}
			for k, v := range tt.attrs {
				attrs[k] = v
			}
			p, err := f.New(context.Background(), providers.Config{Name: "aws", Alias: tt.alias, Attrs: cty.ObjectVal(attrs)})
			if len(tt.wantErr) == 0 && err != nil {
				t.Fatalf("New: %v", err)
			}
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatal("New succeeded, want an error")
				}
				for _, want := range tt.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q\ndoes not say %q", err, want)
					}
				}
			}
			attempts := 0
			log.mu.Lock()
			for c, n := range log.calls {
				if c.operation != "GetCallerIdentity" {
					t.Errorf("New called %s:%s", c.service, c.operation)
				}
				attempts += n
			}
			log.mu.Unlock()
			if attempts != tt.attempts {
				t.Errorf("%d attempts of sts:GetCallerIdentity, want %d", attempts, tt.attempts)
			}
			if tt.name == "moto answers" {
				if got := p.(*Provider).Account(); got != motoAccount {
					t.Errorf("Account = %q, want moto's %s", got, motoAccount)
				}
			}
		})
	}
}
