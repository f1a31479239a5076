package aws

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"
)

// AWS throttles API calls per account: EC2 per account and region, IAM and
// STS per account for the whole partition. Every provider a Factory makes
// (one per provider block: several regions, aliases) shares one apiLimiter,
// so that a scan of many regions and blocks stays under the account's
// limits as a whole. It has one token bucket per service and region (per
// service for IAM and STS), adapted to throttling by AIMD, and a semaphore
// bounding the attempts in flight.

// DefaultParallelism is how many API requests a Factory has in flight at
// most, over every service, unless WithParallelism says otherwise.
const DefaultParallelism = 32

// defaultMaxAttempts is how many attempts the SDK makes of a call when the
// provider block has no max_retries. The SDK's default (3) gives up too
// soon under sustained throttling; the limiter slows the retries down.
const defaultMaxAttempts = 10

// AIMD parameters: a throttle halves a bucket's rate, down to aimdFloor
// requests per second; aimdRaiseAfter consecutive successes raise it by
// aimdRaiseFactor, up to the bucket's configured rate.
const (
	aimdFloor       = 1.0
	aimdRaiseAfter  = 20
	aimdRaiseFactor = 1.1
)

// throttleCodes are the error codes with which AWS says "slow down":
// EC2's RequestLimitExceeded, the query and JSON services' Throttling and
// ThrottlingException, S3's SlowDown (HTTP 503), and the variants other
// services use. Each is in the SDK's retry.DefaultThrottleErrorCodes, so
// the SDK retries them.
var throttleCodes = map[string]bool{
	"Throttling":                true,
	"ThrottlingException":       true,
	"ThrottledException":        true,
	"RequestLimitExceeded":      true,
	"RequestThrottled":          true,
	"RequestThrottledException": true,
	"SlowDown":                  true,
	"TooManyRequestsException":  true,
	"EC2ThrottledException":     true,
}

// isThrottle reports whether an attempt's error code (see errorCode) means
// the request was throttled.
func isThrottle(code string) bool { return throttleCodes[code] }

// bucketRate is a token bucket's configured rate (requests per second) and
// burst.
type bucketRate struct {
	perSecond float64
	burst     int
}

// defaultRate is the configured rate of a service's bucket. Each is below
// what AWS documents, because the account's other clients (the console,
// Terraform, CI) draw from the same limits:
//   - EC2 throttles each API per account and region with a token bucket;
//     a non-mutating action such as DescribeHosts has a bucket of 100
//     tokens refilled at 20 per second
//     (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html).
//     driftctl's Describe calls stay at the refill rate with half the burst.
//   - IAM and STS limits are account-wide, not published and cannot be
//     raised (https://repost.aws/knowledge-center/iam-sts-throttling-error):
//     10 per second.
//   - S3 serves at least 5,500 GET/HEAD requests per second per partitioned
//     prefix (https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html);
//     the bucket-configuration reads are far below that at 100 per second.
//
// Other services (credential providers' SSO, for instance) get 10 per
// second.
func defaultRate(service string) bucketRate {
	switch service {
	case "ec2":
		return bucketRate{perSecond: 20, burst: 50}
	case "s3":
		return bucketRate{perSecond: 100, burst: 200}
	case "iam":
		return bucketRate{perSecond: 10, burst: 20}
	}
	return bucketRate{perSecond: 10, burst: 20}
}

// scaled is the service's default with another rate, keeping its burst in
// proportion (at least 1).
func (r bucketRate) scaled(perSecond float64) bucketRate {
	burst := int(math.Ceil(perSecond * float64(r.burst) / r.perSecond))
	return bucketRate{perSecond: perSecond, burst: max(burst, 1)}
}

// isGlobalService reports whether AWS throttles a service per account,
// whatever the region.
func isGlobalService(service string) bool { return service == "iam" || service == "sts" }

// limiterKey names the bucket of a service in a region: "ec2/us-east-1",
// or only the service ("iam") for the global ones.
func limiterKey(service, region string) string {
	if isGlobalService(service) || region == "" {
		return service
	}
	return service + "/" + region
}

// apiLimiter is the account-wide limiter of a Factory. It is safe for
// concurrent use.
type apiLimiter struct {
	// override, when positive, is every bucket's rate (WithAPIRate).
	override float64
	inFlight chan struct{}

	mu       sync.Mutex
	buckets  map[string]*tokenBucket
	ceilings map[string]float64 // from provider blocks' api_rate, by key

	throttles atomic.Int64
}

// newAPILimiter returns a limiter with every bucket at override requests
// per second when it is positive (else the services' defaults) and at most
// parallelism attempts in flight (DefaultParallelism when not positive).
func newAPILimiter(override float64, parallelism int) *apiLimiter {
	if parallelism <= 0 {
		parallelism = DefaultParallelism
	}
	return &apiLimiter{
		override: override,
		inFlight: make(chan struct{}, parallelism),
		buckets:  map[string]*tokenBucket{},
		ceilings: map[string]float64{},
	}
}

// configured is the rate a key's bucket starts at and never exceeds.
func (l *apiLimiter) configured(service, key string) bucketRate {
	def := defaultRate(service)
	if l.override > 0 {
		return def.scaled(l.override)
	}
	if c, ok := l.ceilings[key]; ok {
		return def.scaled(c)
	}
	return def
}

// bucket returns the key's bucket, made on first use.
func (l *apiLimiter) bucket(service, key string) *tokenBucket {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		b = newTokenBucket(l.configured(service, key))
		l.buckets[key] = b
	}
	return b
}

// setProviderRate applies a provider block's api_rate to the buckets of
// the services it calls in its region. Buckets are shared by the blocks of
// the account, so where several blocks set a rate the lowest wins;
// WithAPIRate (the command line) overrides them all.
func (l *apiLimiter) setProviderRate(region string, perSecond float64) {
	if l.override > 0 || perSecond <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, service := range endpointServices {
		key := limiterKey(service, region)
		if c, ok := l.ceilings[key]; ok && c <= perSecond {
			continue
		}
		l.ceilings[key] = perSecond
		if b, ok := l.buckets[key]; ok {
			b.reconfigure(defaultRate(service).scaled(perSecond))
		}
	}
}

// rate is the current rate of a key's bucket, or the rate it would start
// at when no request used it yet.
func (l *apiLimiter) rate(service, region string) float64 {
	key := limiterKey(service, region)
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.buckets[key]; ok {
		return b.rate()
	}
	return l.configured(service, key).perSecond
}

// permit is one attempt allowed through the limiter; done must be called
// with the attempt's outcome.
type permit struct {
	l   *apiLimiter
	b   *tokenBucket
	gen uint64
}

// acquire waits for a token of the key's bucket, then for a slot among the
// requests in flight. It fails only when ctx ends first.
func (l *apiLimiter) acquire(ctx context.Context, service, region string) (*permit, error) {
	b := l.bucket(service, limiterKey(service, region))
	// The token first: an attempt waiting for its service's rate does not
	// hold a slot that another service's attempt could use.
	if err := b.lim.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	select {
	case l.inFlight <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return &permit{l: l, b: b, gen: b.generation()}, nil
}

// done releases the attempt's slot and adapts its bucket to the outcome:
// code is "" for a success, else the attempt's error code.
func (p *permit) done(code string) {
	<-p.l.inFlight
	switch {
	case code == "":
		p.b.success()
	case isThrottle(code):
		p.l.throttles.Add(1)
		p.b.throttled(p.gen)
	}
}

// tokenBucket is one service's (and region's) bucket with its AIMD state.
type tokenBucket struct {
	lim *rate.Limiter

	mu        sync.Mutex
	max       float64
	gen       uint64 // incremented by every decrease
	successes int    // consecutive, since the last change
}

func newTokenBucket(r bucketRate) *tokenBucket {
	return &tokenBucket{lim: rate.NewLimiter(rate.Limit(r.perSecond), r.burst), max: r.perSecond}
}

func (b *tokenBucket) rate() float64 { return float64(b.lim.Limit()) }

func (b *tokenBucket) generation() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.gen
}

// throttled halves the rate for a throttle of an attempt that was sent in
// generation gen. Attempts sent before the last decrease say nothing about
// the lowered rate: when 32 requests in flight are throttled together, the
// rate is halved once, not 32 times (as TCP lowers its window once per
// round trip).
func (b *tokenBucket) throttled(gen uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.successes = 0
	if gen != b.gen {
		return
	}
	b.gen++
	b.lim.SetLimit(rate.Limit(max(b.rate()/2, min(aimdFloor, b.max))))
}

// success raises the rate by aimdRaiseFactor after aimdRaiseAfter
// consecutive successes, up to the configured rate.
func (b *tokenBucket) success() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.successes++
	if b.successes < aimdRaiseAfter {
		return
	}
	b.successes = 0
	if r := b.rate(); r < b.max {
		b.lim.SetLimit(rate.Limit(min(r*aimdRaiseFactor, b.max)))
	}
}

// reconfigure sets a new configured rate; the current rate does not
// exceed it.
func (b *tokenBucket) reconfigure(r bucketRate) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.max = r.perSecond
	b.lim.SetLimit(rate.Limit(r.perSecond))
	b.lim.SetBurst(r.burst)
}

// limiterID names the limiter's middleware in the SDK's stacks.
const limiterID = "driftctl.APILimiter"

// limitAPICalls returns an aws.Config.APIOptions entry that makes every
// attempt of a client's calls, retries included, go through l.
func limitAPICalls(l *apiLimiter) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		mw := middleware.FinalizeMiddlewareFunc(limiterID, func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			service := serviceCode(awsmiddleware.GetServiceID(ctx))
			p, err := l.acquire(ctx, service, awsmiddleware.GetRegion(ctx))
			if err != nil {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("waiting for the %s request rate: %w", service, err)
			}
			out, md, err := next.HandleFinalize(ctx, in)
			p.done(errorCode(ctx, err))
			return out, md, err
		})
		// After "Retry" (and before "Signing", so that a long wait does
		// not age the signature), the middleware runs once per attempt.
		if err := stack.Finalize.Insert(mw, "Retry", middleware.After); err == nil {
			return nil
		}
		return stack.Finalize.Add(mw, middleware.After)
	}
}

// standardRetryer is the SDK's standard retryer making up to maxAttempts
// attempts, without its client-side retry quota: that token bucket (500
// tokens, 5 per throttled retry) runs dry under sustained throttling and
// then fails calls without trying them, while the apiLimiter already slows
// the retries down. See StandardOptions.RateLimiter in
// https://pkg.go.dev/github.com/aws/aws-sdk-go-v2/aws/retry and
// https://aws.github.io/aws-sdk-go-v2/docs/configuring-sdk/retries-timeouts.
// Options (tests shorten the back-off) apply after those.
func standardRetryer(maxAttempts int, opts ...func(*retry.StandardOptions)) func() aws.Retryer {
	return func() aws.Retryer {
		return retry.NewStandard(append([]func(*retry.StandardOptions){func(o *retry.StandardOptions) {
			o.MaxAttempts = maxAttempts
			o.RateLimiter = ratelimit.None
		}}, opts...)...)
	}
}

// WithAPIRate sets every bucket of the account-wide limiter to perSecond
// requests per second (the command line's --api-rate), overriding the
// services' defaults and the provider blocks' api_rate. Zero or less keeps
// them.
func WithAPIRate(perSecond float64) Option {
	return func(f *Factory) { f.apiRate = perSecond }
}

// WithParallelism bounds the API requests in flight over every provider
// the factory makes (the command line's --parallelism); zero or less means
// DefaultParallelism.
func WithParallelism(n int) Option {
	return func(f *Factory) { f.parallelism = n }
}

// Throttles is how many attempts AWS throttled, over every provider the
// factory made.
func (f *Factory) Throttles() int64 { return f.limiter.throttles.Load() }

// APIRate is the current rate, in requests per second, of the limiter's
// bucket for service ("ec2", "s3", "iam", "sts") in region (ignored for
// IAM and STS): its configured rate, lowered after throttling.
func (f *Factory) APIRate(service, region string) float64 {
	return f.limiter.rate(service, region)
}
