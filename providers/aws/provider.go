// Package aws is driftctl's AWS provider: it reads live EC2, S3 and IAM
// resources with aws-sdk-go-v2, describes each resource type with the
// attribute semantics of terraform-provider-aws v5, and, for remediation,
// changes them as v5 would. One file per resource type holds its schema,
// its read and its apply (vpc.go, s3_bucket_versioning.go, iam_role.go);
// what a service's types share is in ec2.go, s3.go and iam.go.
// aws_instance, too long for one file, is instance.go, instance_read.go
// and instance_apply.go.
package aws

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// resourceType is one supported resource type: its schema and how to read it.
type resourceType struct {
	schema *providers.Schema
	// read returns the live resources of the type that req asks for.
	read func(ctx context.Context, p *Provider, req *readRequest) ([]*providers.Live, error)
	// apply changes one resource (remediation); nil for a type that
	// cannot be remediated.
	apply applyFunc
}

// dataSource is one supported data source.
type dataSource struct {
	schema *providers.Schema
	read   func(ctx context.Context, p *Provider, config cty.Value) (cty.Value, error)
}

// Factory makes AWS providers. Options apply to every provider it makes.
type Factory struct {
	resources map[string]*resourceType
	data      map[string]*dataSource
	schema    *providers.ProviderSchema
	opts      []func(*config.LoadOptions) error
	observe   APIObserver

	apiRate     float64
	parallelism int
	// identityTimeout bounds each provider's identity check (see
	// checkIdentity).
	identityTimeout time.Duration
	// timeouts bound every request; transport, when not nil, replaces the
	// network (tests); httpClient is shared by the factory's providers.
	timeouts   HTTPTimeouts
	transport  http.RoundTripper
	httpClient *http.Client
	// limiter throttles the calls of every provider the factory makes.
	limiter *apiLimiter
}

// Option configures a Factory.
type Option func(*Factory)

// WithLoadOptions adds options to the SDK's default configuration loading
// (tests use them to set credentials and endpoints).
func WithLoadOptions(opts ...func(*config.LoadOptions) error) Option {
	return func(f *Factory) { f.opts = append(f.opts, opts...) }
}

// NewFactory returns the AWS provider factory.
func NewFactory(opts ...Option) *Factory {
	f := &Factory{resources: resourceTypes(), data: dataSources()}
	for _, o := range opts {
		o(f)
	}
	f.limiter = newAPILimiter(f.apiRate, f.parallelism)
	f.httpClient = newHTTPClient(f.timeouts, f.transport)
	f.schema = &providers.ProviderSchema{
		Provider:    providerSchema(),
		Resources:   map[string]*providers.Schema{},
		DataSources: map[string]*providers.Schema{},
		Functions:   providerFunctions(),
	}
	for name, rt := range f.resources {
		f.schema.Resources[name] = rt.schema
	}
	for name, ds := range f.data {
		f.schema.DataSources[name] = ds.schema
	}
	return f
}

// resourceTypes lists the supported resource types.
func resourceTypes() map[string]*resourceType {
	all := []*resourceType{
		vpcType(), subnetType(), securityGroupType(), instanceType(),
		s3BucketType(), s3BucketVersioningType(), s3BucketPolicyType(), s3BucketPublicAccessBlockType(),
		iamRoleType(), iamPolicyType(), iamRolePolicyAttachmentType(), iamUserType(),
	}
	m := make(map[string]*resourceType, len(all))
	for _, rt := range all {
		m[rt.schema.Type] = rt
	}
	return m
}

// dataSources lists the supported data sources.
func dataSources() map[string]*dataSource {
	all := []*dataSource{
		callerIdentityData(), regionData(), partitionData(), defaultTagsData(), arnData(),
		vpcData(), subnetData(), subnetsData(), securityGroupData(), s3BucketData(),
		iamRoleData(), iamPolicyData(),
		iamPolicyDocumentData(), availabilityZonesData(),
		amiData(), managedPrefixListData(), ssmParameterData(), kmsKeyData(), route53ZoneData(),
	}
	m := make(map[string]*dataSource, len(all))
	for _, ds := range all {
		m[ds.schema.Type] = ds
	}
	return m
}

// ResourceTypes lists the supported resource types, sorted.
func (f *Factory) ResourceTypes() []string {
	names := make([]string, 0, len(f.resources))
	for n := range f.resources {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Name is "aws".
func (f *Factory) Name() string { return "aws" }

// Schema is the provider's static schema.
func (f *Factory) Schema() *providers.ProviderSchema { return f.schema }

// Provider is a configured AWS provider: one account, one region.
type Provider struct {
	f           *Factory
	region      string
	defaultTags map[string]string
	ignoreTags  ignoreTags
	ec2         *ec2.Client
	s3          *s3.Client
	iam         *iam.Client
	sts         *sts.Client
	// ssm, kms and route53 serve only data sources (aws_ssm_parameter,
	// aws_kms_key, aws_route53_zone).
	ssm     *ssm.Client
	kms     *kms.Client
	route53 *route53.Client
	// identity is who the credentials are, from the identity check; nil
	// when skip_credentials_validation skipped it.
	identity *callerIdentity

	// IAM and S3 reads serve several resource types; each is made once
	// until a change (Apply) forgets them.
	// pageSize is how many finished resources a reader holds before it
	// gives them to a read's page sink (readRequest.flushPage).
	pageSize int

	iamMu   sync.Mutex
	iamAuth *accountAuthorization
	s3Mu    sync.Mutex
	buckets map[string]*bucketCall
}

// New configures a provider from an evaluated provider "aws" block.
func (f *Factory) New(ctx context.Context, cfg providers.Config) (providers.Configured, error) {
	settings, err := decodeSettings(cfg.Attrs)
	if err != nil {
		return nil, fmt.Errorf("provider %s: %w", providerName(cfg), err)
	}
	loadOpts := append([]func(*config.LoadOptions) error{}, f.opts...)
	if settings.region != "" {
		loadOpts = append(loadOpts, config.WithRegion(settings.region))
	}
	if settings.profile != "" {
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(settings.profile))
	}
	if settings.accessKey != "" {
		loadOpts = append(loadOpts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(settings.accessKey, settings.secretKey, settings.token)))
	}
	if settings.maxRetries > 0 {
		loadOpts = append(loadOpts, config.WithRetryMaxAttempts(settings.maxRetries))
	}
	// The SDK's own log lines ("falling back to IMDSv1", checksum notes)
	// would reach stderr in its format; its errors reach the caller.
	loadOpts = append([]func(*config.LoadOptions) error{config.WithLogger(logging.Nop{})}, loadOpts...)
	awsCfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("provider %s: loading AWS configuration: %w", providerName(cfg), err)
	}
	// Never the default client: every request has a deadline.
	awsCfg.HTTPClient = f.httpClient
	if awsCfg.Region == "" {
		return nil, fmt.Errorf("provider %s: no region: set region in the provider block or AWS_REGION", providerName(cfg))
	}
	// Unless a retryer was given (tests) or the adaptive mode asked for
	// (AWS_RETRY_MODE), the SDK's standard one without its retry quota. Its
	// attempts are defaultMaxAttempts unless max_retries, AWS_MAX_ATTEMPTS
	// or the profile's max_attempts say otherwise: those set
	// RetryMaxAttempts, which each client applies over the retryer (a
	// retryer in the load options would make the SDK ignore them).
	if awsCfg.Retryer == nil && awsCfg.RetryMode != aws.RetryModeAdaptive {
		awsCfg.Retryer = standardRetryer(defaultMaxAttempts)
	}
	if f.observe != nil {
		awsCfg.APIOptions = append(awsCfg.APIOptions, observeAPICalls(f.observe))
	}
	// Every successful answer must be the operation's result: the SDK
	// would read an HTML page as an empty one.
	awsCfg.APIOptions = append(awsCfg.APIOptions, validateAnswers)
	// Installed after the observer, the limiter runs closer to the retry
	// loop: the observer sees only attempts that were let through.
	awsCfg.APIOptions = append(awsCfg.APIOptions, limitAPICalls(f.limiter))
	f.limiter.setProviderRate(awsCfg.Region, settings.apiRate)
	if settings.assumeRoleARN != "" {
		stsClient := sts.NewFromConfig(awsCfg, endpointOption[sts.Options](settings.endpoints["sts"]))
		awsCfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, settings.assumeRoleARN, func(o *stscreds.AssumeRoleOptions) {
			if settings.sessionName != "" {
				o.RoleSessionName = settings.sessionName
			}
			if settings.externalID != "" {
				o.ExternalID = aws.String(settings.externalID)
			}
		}))
	}
	p := &Provider{
		f:           f,
		region:      awsCfg.Region,
		defaultTags: settings.ignoreTags.filterMap(settings.defaultTags),
		ignoreTags:  settings.ignoreTags,
		ec2:         ec2.NewFromConfig(awsCfg, endpointOption[ec2.Options](settings.endpoints["ec2"])),
		iam:         iam.NewFromConfig(awsCfg, endpointOption[iam.Options](settings.endpoints["iam"])),
		sts:         sts.NewFromConfig(awsCfg, endpointOption[sts.Options](settings.endpoints["sts"])),
		ssm:         ssm.NewFromConfig(awsCfg, endpointOption[ssm.Options](settings.endpoints["ssm"])),
		kms:         kms.NewFromConfig(awsCfg, endpointOption[kms.Options](settings.endpoints["kms"])),
		route53:     route53.NewFromConfig(awsCfg, endpointOption[route53.Options](settings.endpoints["route53"])),
		buckets:     map[string]*bucketCall{},
		pageSize:    defaultPageSize,
	}
	// An endpoint override (a local emulator, a private S3) implies
	// path-style addressing unless the block says otherwise.
	pathStyle := settings.s3PathStyle
	if pathStyle == nil {
		overridden := settings.endpoints["s3"] != "" || awsCfg.BaseEndpoint != nil
		pathStyle = &overridden
	}
	p.s3 = s3.NewFromConfig(awsCfg, endpointOption[s3.Options](settings.endpoints["s3"]), func(o *s3.Options) {
		o.UsePathStyle = *pathStyle
	})
	// As terraform-provider-aws, skip_credentials_validation skips the
	// sts:GetCallerIdentity check.
	if !settings.skipCredentialsValidation {
		if err := p.checkIdentity(ctx, awsCfg, cfg, settings); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// endpointOption sets a client's BaseEndpoint when url is not empty.
func endpointOption[O ec2.Options | s3.Options | iam.Options | sts.Options | ssm.Options | kms.Options | route53.Options](url string) func(*O) {
	return func(o *O) {
		if url == "" {
			return
		}
		switch o := any(o).(type) {
		case *ec2.Options:
			o.BaseEndpoint = aws.String(url)
		case *s3.Options:
			o.BaseEndpoint = aws.String(url)
		case *iam.Options:
			o.BaseEndpoint = aws.String(url)
		case *sts.Options:
			o.BaseEndpoint = aws.String(url)
		case *ssm.Options:
			o.BaseEndpoint = aws.String(url)
		case *kms.Options:
			o.BaseEndpoint = aws.String(url)
		case *route53.Options:
			o.BaseEndpoint = aws.String(url)
		}
	}
}

func providerName(cfg providers.Config) string {
	if cfg.Alias == "" {
		return cfg.Name
	}
	return cfg.Name + "." + cfg.Alias
}

// Region is where the provider reads.
func (p *Provider) Region() string { return p.region }

// DefaultTags are the provider block's default_tags, less those that
// ignore_tags names (terraform-provider-aws leaves them out of tags_all).
func (p *Provider) DefaultTags() map[string]string { return p.defaultTags }

// Read returns the live resources of one type.
func (p *Provider) Read(ctx context.Context, req providers.ReadRequest) (*providers.ReadResponse, error) {
	rt, ok := p.f.resources[req.Type]
	if !ok {
		return nil, fmt.Errorf("resource type %s is not supported by the aws provider", req.Type)
	}
	finish := func(live []*providers.Live) {
		for _, l := range live {
			l.Type = req.Type
			// As terraform-provider-aws's read, the provider's ignore_tags
			// never reach a resource's tags.
			l.Attrs = p.ignoreTags.filterAttrs(l.Attrs)
			if l.Region == "" {
				l.Region = p.regionOf(rt)
			}
		}
	}
	r := &readRequest{ids: req.IDs, attributes: req.Attributes, pageSize: p.pageSize}
	if req.Page != nil {
		// Readers give finished resources a page at a time (flushPage),
		// so that a large type is never all in memory twice.
		r.page = func(page []*providers.Live) {
			finish(page)
			req.Page(page)
		}
	}
	live, err := rt.read(ctx, p, r)
	if err != nil {
		return nil, &providers.ReadError{Type: req.Type, Region: p.regionOf(rt), Operation: operationOf(err), Err: err}
	}
	finish(live)
	return &providers.ReadResponse{Resources: live}, nil
}

func (p *Provider) regionOf(rt *resourceType) string {
	if rt.schema.Global {
		return "global"
	}
	return p.region
}

// ReadData evaluates a supported data source.
func (p *Provider) ReadData(ctx context.Context, typ string, config cty.Value) (cty.Value, error) {
	ds, ok := p.f.data[typ]
	if !ok {
		return cty.NilVal, fmt.Errorf("data source %s is not supported by the aws provider", typ)
	}
	if !config.IsNull() && !config.IsWhollyKnown() {
		// Terraform defers such a read to apply: what configuration
		// gives is known, the rest is not.
		return providers.MarkSensitive(ds.schema, unknownData(ds.schema, config)), nil
	}
	v, err := ds.read(ctx, p, config)
	if err != nil {
		// Errors of no AWS call (a malformed ARN) name none; a query
		// that matched none or several names the operation it searched
		// when its data source says which (SingularMatchError).
		if op := operationOf(err); op != "unknown" {
			return cty.NilVal, fmt.Errorf("reading data.%s (%s): %w", typ, op, err)
		}
		return cty.NilVal, fmt.Errorf("reading data.%s: %w", typ, err)
	}
	return providers.MarkSensitive(ds.schema, v), nil
}

// Close releases nothing: the SDK clients hold no resources of their own.
func (p *Provider) Close() error { return nil }
