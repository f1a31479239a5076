package state

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"

	"github.com/gitdrift/driftctl/internal/httpclient"
	"github.com/gitdrift/driftctl/internal/redact"
)

// maxStateSize bounds what Load reads: states of tens of thousands of
// resources stay well below it.
const maxStateSize = 512 << 20

// defaultS3Region is used when neither an option nor the AWS configuration
// chain names a region; Terraform's s3 backend requires one, so this only
// serves s3:// locations given by hand.
const defaultS3Region = "us-east-1"

// Option is an optional setting of Load.
type Option func(*loadOptions)

type loadOptions struct {
	region    string
	endpoint  string
	pathStyle bool
	profile   string
	// creds are static credentials (the s3 backend's access_key and
	// secret_key); nil: the AWS configuration chain's.
	creds      aws.CredentialsProvider
	configFns  []func(*config.LoadOptions) error
	httpClient *http.Client
	s3Timeouts httpclient.Options
	// httpUser and httpPassword are http locations' basic
	// authentication; httpTLS their TLS settings (nil: Go's defaults).
	httpUser, httpPassword string
	httpTLS                *httpTLS
	httpRetry              httpRetry
	// environ is where TF_TOKEN_<host> is read (nil: os.Environ());
	// remoteToken, when set, is the token of remote:// locations instead.
	environ     []string
	remoteToken string
	// s3PageSize is ListObjectsV2's MaxKeys (0: S3's 1,000), for tests.
	s3PageSize int32
}

// WithS3Region sets the region of the S3 bucket; without it the AWS
// configuration chain (AWS_REGION, the profile) decides, then us-east-1.
func WithS3Region(region string) Option { return func(o *loadOptions) { o.region = region } }

// WithS3Endpoint sends S3 requests to url (MinIO, moto, a VPC endpoint)
// with path-style addressing.
func WithS3Endpoint(url string) Option {
	return func(o *loadOptions) { o.endpoint, o.pathStyle = url, true }
}

// WithS3PathStyle addresses buckets as https://endpoint/bucket rather than
// https://bucket.endpoint.
func WithS3PathStyle() Option { return func(o *loadOptions) { o.pathStyle = true } }

// WithProfile reads AWS credentials and settings from the named shared
// configuration profile.
func WithProfile(profile string) Option { return func(o *loadOptions) { o.profile = profile } }

// WithS3Credentials reads S3 with static credentials (the s3 backend's
// access_key, secret_key and token) instead of the AWS configuration
// chain's. They never appear in errors.
func WithS3Credentials(accessKey, secretKey, sessionToken string) Option {
	return func(o *loadOptions) {
		o.creds = credentials.NewStaticCredentialsProvider(accessKey, secretKey, sessionToken)
	}
}

// WithS3Timeouts sets the connect, TLS, response-header and idle-body
// deadlines of S3 requests (internal/httpclient's defaults otherwise).
func WithS3Timeouts(t httpclient.Options) Option { return func(o *loadOptions) { o.s3Timeouts = t } }

// WithLoadOptions adds options to the AWS configuration chain
// (config.LoadDefaultConfig), after the ones the other options set; tests
// pass static credentials this way.
func WithLoadOptions(fns ...func(*config.LoadOptions) error) Option {
	return func(o *loadOptions) { o.configFns = append(o.configFns, fns...) }
}

// WithHTTPClient sets the client for http(s):// and remote:// locations
// (otherwise one from internal/httpclient with its default deadlines and
// the TLS settings of WithHTTPTLS: a hung server fails the read instead of
// blocking it for ever).
func WithHTTPClient(c *http.Client) Option { return func(o *loadOptions) { o.httpClient = c } }

// Load reads and parses the state at location: a local path (or file://
// URL), s3://bucket/key, an http:// or https:// URL (as Terraform's http
// backend serves it), or remote://HOST/ORGANIZATION/WORKSPACE (the current
// state version of an HCP Terraform or Terraform Enterprise workspace, see
// readRemote). A missing file, object or URL gives an error matching
// ErrNotFound; a state that cannot be parsed one matching ErrInvalid (see
// Parse). Errors and the State's Location show location redacted (no
// password or token, see internal/redact).
func Load(ctx context.Context, location string, opts ...Option) (*State, error) {
	var o loadOptions
	for _, opt := range opts {
		opt(&o)
	}
	var (
		data []byte
		err  error
	)
	switch {
	case strings.HasPrefix(location, "s3://"):
		data, err = readS3(ctx, location, &o)
	case strings.HasPrefix(location, "http://"), strings.HasPrefix(location, "https://"):
		data, err = readHTTP(ctx, location, &o)
	case strings.HasPrefix(location, remoteScheme):
		data, err = readRemote(ctx, location, &o)
	default:
		data, err = readFile(strings.TrimPrefix(location, "file://"))
	}
	shown := redact.URL(location)
	if err != nil {
		return nil, redact.Error(fmt.Errorf("reading state %s: %w", shown, err), location)
	}
	return Parse(shown, data)
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: no such file", ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f)
}

func readAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxStateSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxStateSize {
		return nil, fmt.Errorf("larger than %d MiB", maxStateSize>>20)
	}
	return data, nil
}

// splitS3 splits s3://bucket/key.
func splitS3(location string) (bucket, key string, err error) {
	rest := strings.TrimPrefix(location, "s3://")
	bucket, key, _ = strings.Cut(rest, "/")
	if bucket == "" || key == "" {
		return "", "", errors.New("want s3://BUCKET/KEY")
	}
	return bucket, key, nil
}

func readS3(ctx context.Context, location string, o *loadOptions) ([]byte, error) {
	bucket, key, err := splitS3(location)
	if err != nil {
		return nil, err
	}
	client, err := newS3Client(ctx, o)
	if err != nil {
		return nil, err
	}
	// The object's body is read after GetObject returns: a cancellable
	// context lets an idle timer end a body that stops arriving.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, s3NotFound(err)
	}
	body := httpclient.IdleBody(ctx, cancel, out.Body, o.s3Timeouts.IdleBody)
	defer body.Close()
	return readAll(body)
}

// newS3Client is the S3 client of o's settings: the AWS configuration
// chain with o's region, profile, credentials, endpoint and deadlines.
func newS3Client(ctx context.Context, o *loadOptions) (*s3.Client, error) {
	var fns []func(*config.LoadOptions) error
	if o.region != "" {
		fns = append(fns, config.WithRegion(o.region))
	}
	if o.profile != "" {
		fns = append(fns, config.WithSharedConfigProfile(o.profile))
	}
	if o.creds != nil {
		fns = append(fns, config.WithCredentialsProvider(o.creds))
	}
	// The SDK's default client has no deadline for a server that accepts
	// the connection and never answers. It must stay a BuildableClient: a
	// custom CA bundle (AWS_CA_BUNDLE) is added through it.
	fns = append(fns, config.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		httpclient.ConfigureTransport(tr, o.s3Timeouts)
	})))
	// The SDK's own log lines ("falling back to IMDSv1", checksum
	// notes) would reach stderr in its format between driftctl's
	// messages; its errors reach the caller.
	fns = append(fns, config.WithLogger(logging.Nop{}))
	fns = append(fns, o.configFns...)
	cfg, err := config.LoadDefaultConfig(ctx, fns...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = defaultS3Region
	}
	return s3.NewFromConfig(cfg, func(so *s3.Options) {
		// A state written without a checksum (by Terraform, or by an
		// S3-compatible store) is normal; do not log about it on stderr.
		so.DisableLogOutputChecksumValidationSkipped = true
		if o.endpoint != "" {
			so.BaseEndpoint = aws.String(o.endpoint)
		}
		// An endpoint override (AWS_ENDPOINT_URL, an emulator, MinIO)
		// implies path-style addressing, as for the provider.
		if o.pathStyle || cfg.BaseEndpoint != nil {
			so.UsePathStyle = true
		}
	}), nil
}

// s3NotFound is err, or for a missing object or bucket an error matching
// ErrNotFound with the API's code and message only: the SDK's message
// (operation, request and host IDs) says nothing more about it.
func s3NotFound(err error) error {
	var apiErr smithy.APIError
	if isS3NotFound(err) && errors.As(err, &apiErr) {
		return fmt.Errorf("%w: %s: %s", ErrNotFound, apiErr.ErrorCode(), apiErr.ErrorMessage())
	}
	return err
}

// isS3NotFound reports whether GetObject failed because the object or its
// bucket does not exist.
func isS3NotFound(err error) bool {
	var noKey *types.NoSuchKey
	var noBucket *types.NoSuchBucket
	if errors.As(err, &noKey) || errors.As(err, &noBucket) {
		return true
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "NoSuchKey", "NoSuchBucket", "NotFound":
			return true
		}
	}
	return false
}
