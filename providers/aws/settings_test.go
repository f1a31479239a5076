package aws

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// decodeProviderBlock decodes the body of a provider "aws" block as the
// configuration's evaluation does.
func decodeProviderBlock(t *testing.T, body string) (cty.Value, hcl.Diagnostics) {
	t.Helper()
	f, diags := hclsyntax.ParseConfig([]byte(body), "main.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	spec, ok := providers.NewRegistry(NewFactory()).ProviderSpec("aws")
	if !ok {
		t.Fatal("no provider spec for aws")
	}
	return hcldec.Decode(f.Body, spec, nil)
}

// TestProviderBlockOfEveryVersion: provider blocks as terraform-provider-aws
// v3, v4 and v5 take them load (checked with `terraform validate` against
// v3.49.0 and v5.100.0), and the settings driftctl needs take effect from
// any of their spellings.
func TestProviderBlockOfEveryVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		body      string
		pathStyle bool
		endpoints map[string]string
	}{
		{
			name: "v3",
			body: `
region                      = "us-east-1"
access_key                  = "test"
secret_key                  = "test"
s3_force_path_style         = true
skip_credentials_validation = true
skip_metadata_api_check     = true
skip_get_ec2_platforms      = true
skip_requesting_account_id  = true
shared_credentials_file     = "~/.aws/credentials"
max_retries                 = 3
endpoints {
  dynamodb       = "http://127.0.0.1:5000"
  sqs            = "http://127.0.0.1:5000"
  sns            = "http://127.0.0.1:5000"
  kms            = "http://127.0.0.1:5000"
  cloudwatchlogs = "http://127.0.0.1:5000"
  ec2            = "http://127.0.0.1:5001"
  s3             = "http://127.0.0.1:5002"
  iam            = "http://127.0.0.1:5003"
  sts            = "http://127.0.0.1:5004"
}
assume_role {
  role_arn         = "arn:aws:iam::123456789012:role/deploy"
  duration_seconds = 900
}
default_tags {
  tags = { Team = "platform" }
}
ignore_tags {
  key_prefixes = ["kubernetes.io/"]
}
`,
			pathStyle: true,
			// kms is kept: aws_kms_key calls it. dynamodb and the others
			// are accepted and unused.
			endpoints: map[string]string{"ec2": "http://127.0.0.1:5001", "s3": "http://127.0.0.1:5002", "iam": "http://127.0.0.1:5003", "sts": "http://127.0.0.1:5004", "kms": "http://127.0.0.1:5000"},
		},
		{
			name: "v5",
			body: `
region                             = "eu-west-1"
s3_use_path_style                  = true
skip_metadata_api_check            = "true"
shared_config_files                = ["~/.aws/config"]
shared_credentials_files           = ["~/.aws/credentials"]
retry_mode                         = "adaptive"
token_bucket_rate_limiter_capacity = 10000
use_fips_endpoint                  = false
sts_region                         = "us-east-1"
endpoints {
  s3api    = "http://127.0.0.1:6000"
  dynamodb = "http://127.0.0.1:5000"
  lambda   = "http://127.0.0.1:5000"
}
assume_role {
  role_arn = "arn:aws:iam::123456789012:role/first"
  duration = "1h"
  tags     = { Purpose = "drift" }
}
assume_role {
  role_arn        = "arn:aws:iam::210987654321:role/second"
  source_identity = "driftctl"
}
assume_role_with_web_identity {
  role_arn                = "arn:aws:iam::123456789012:role/ci"
  web_identity_token_file = "/var/run/token"
}
`,
			pathStyle: true,
			endpoints: map[string]string{"s3": "http://127.0.0.1:6000"},
		},
		{
			name: "a service's own name wins over its alias",
			body: `
endpoints {
  s3api = "http://127.0.0.1:6000"
  s3    = "http://127.0.0.1:7000"
}
`,
			endpoints: map[string]string{"s3": "http://127.0.0.1:7000"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, diags := decodeProviderBlock(t, tt.body)
			if diags.HasErrors() {
				t.Fatalf("the block does not load: %s", diags.Error())
			}
			s, err := decodeSettings(v)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.s3PathStyle != nil && *s.s3PathStyle; got != tt.pathStyle {
				t.Errorf("path style %v, want %v", got, tt.pathStyle)
			}
			if len(s.endpoints) != len(tt.endpoints) {
				t.Errorf("endpoints %v, want %v", s.endpoints, tt.endpoints)
			}
			for svc, u := range tt.endpoints {
				if s.endpoints[svc] != u {
					t.Errorf("endpoint of %s = %q, want %q", svc, s.endpoints[svc], u)
				}
			}
		})
	}
}

// TestProviderBlockStillValidated: what no version of the provider takes
// is refused, naming the argument, as terraform validate does.
func TestProviderBlockStillValidated(t *testing.T) {
	t.Parallel()
	tests := []struct{ body, want string }{
		{`s3_force_path_styl = true`, `An argument named "s3_force_path_styl" is not expected here`},
		{`s3_force_path_style = "sometimes"`, `a bool is required`},
		{"endpoints {\n  dynamodbb = \"http://x\"\n}", `An argument named "dynamodbb" is not expected here`},
		{`max_retries = "many"`, `a number is required`},
	}
	for _, tt := range tests {
		_, diags := decodeProviderBlock(t, tt.body)
		if !diags.HasErrors() || !strings.Contains(diags.Error(), tt.want) {
			t.Errorf("%s: %v, want an error with %q", tt.body, diags, tt.want)
		}
	}
}
