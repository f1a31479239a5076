package aws

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/gitdrift/driftctl/providers"
)

// The identity check that New makes once per provider configuration,
// before any read: short, so that missing credentials or an unreachable
// endpoint fail the scan in seconds with one message, not once per
// resource type after the reads' retries.
const (
	defaultIdentityTimeout = 10 * time.Second
	identityAttempts       = 2
)

// WithIdentityTimeout bounds the identity check (sts:GetCallerIdentity)
// that each new provider makes; 0 keeps the default, 10s.
func WithIdentityTimeout(d time.Duration) Option {
	return func(f *Factory) { f.identityTimeout = d }
}

// callerIdentity is who a provider's credentials are.
type callerIdentity struct {
	account, arn, userID string
}

// checkIdentity gets the credentials and asks STS who they are, with
// identityAttempts attempts within the factory's identity timeout. Its
// error names the provider block and says what to set.
func (p *Provider) checkIdentity(ctx context.Context, awsCfg aws.Config, cfg providers.Config, s settings) error {
	timeout := p.f.identityTimeout
	if timeout <= 0 {
		timeout = defaultIdentityTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	who := describeProvider(cfg, awsCfg.Region)
	if awsCfg.Credentials == nil {
		return fmt.Errorf("%s: no AWS credentials; %s", who, credentialsHint)
	}
	if _, err := awsCfg.Credentials.Retrieve(ctx); err != nil {
		if s.assumeRoleARN != "" {
			return fmt.Errorf("%s: assuming role %s (sts:AssumeRole): %w; check the role's trust policy and the credentials that assume it (%s)",
				who, s.assumeRoleARN, err, credentialsHint)
		}
		return fmt.Errorf("%s: no usable AWS credentials: %w; %s", who, err, credentialsHint)
	}
	out, err := p.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, func(o *sts.Options) {
		o.RetryMaxAttempts = identityAttempts
	})
	if err != nil {
		var apiErr smithy.APIError
		var invalid *InvalidAnswerError
		switch {
		case errors.As(err, &invalid):
			return fmt.Errorf("%s: checking the credentials (sts:GetCallerIdentity): %w; check the endpoint (%s)", who, err, endpointHint)
		case errors.As(err, &apiErr):
			return fmt.Errorf("%s: AWS rejected the credentials (sts:GetCallerIdentity): %s: %s; %s",
				who, apiErr.ErrorCode(), apiErr.ErrorMessage(), credentialsHint)
		}
		return fmt.Errorf("%s: cannot reach AWS to check the credentials (sts:GetCallerIdentity, %d attempts): %w; check the endpoint (%s) and the network",
			who, identityAttempts, err, endpointHint)
	}
	p.identity = &callerIdentity{account: aws.ToString(out.Account), arn: aws.ToString(out.Arn), userID: aws.ToString(out.UserId)}
	return nil
}

const (
	credentialsHint = "set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or profile or access_key and secret_key in the provider block"
	endpointHint    = "AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS or the provider block's endpoints { sts = ... }"
)

// describeProvider names a provider block for errors: provider "aws"
// (alias "west", region eu-west-1).
func describeProvider(cfg providers.Config, region string) string {
	var parts []string
	if cfg.Alias != "" {
		parts = append(parts, fmt.Sprintf("alias %q", cfg.Alias))
	}
	if region != "" {
		parts = append(parts, "region "+region)
	}
	name := cfg.Name
	if name == "" {
		name = "aws"
	}
	d := fmt.Sprintf("provider %q", name)
	if len(parts) > 0 {
		d += " (" + strings.Join(parts, ", ") + ")"
	}
	return d
}

// Account is the AWS account ID of the provider's credentials, "" when
// the identity check was skipped (skip_credentials_validation).
func (p *Provider) Account() string {
	if p.identity == nil {
		return ""
	}
	return p.identity.account
}
