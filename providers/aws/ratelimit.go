package aws

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"
)

// AWS throttles API calls per account: EC2 per API action, account and
// region, IAM and STS per account for the whole partition. Every provider a
// Factory makes (one per provider block: several regions, aliases) shares
// one apiLimiter, so that a scan of many regions and blocks stays under the
// account's limits as a whole. It has one token bucket per service and
// region (per service for IAM and STS), the ceiling driftctl keeps to over
// all of a service's calls; for EC2, one more bucket per action with the
// size and refill rate AWS documents for it (ec2ActionRate). A request takes
// a token from each of its buckets. Every bucket adapts to throttling by
// AIMD, and a semaphore bounds the attempts in flight.

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

// defaultRate is the configured rate of a service's bucket. The account's
// other clients (the console, Terraform, CI) draw from the same limits, and
// AIMD halves a bucket's rate when AWS throttles, so that driftctl yields
// to them:
//   - EC2 throttles each API action separately per account and region
//     (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html),
//     with the buckets of ec2ActionRate, and documents no limit of the
//     service as a whole. The service bucket only bounds the sum over the
//     actions: at 100 per second with a burst of 100 it never cuts below
//     one action's documented bucket (at most 100 tokens refilled at 20 per
//     second for the actions driftctl calls) and lets five read actions run
//     at their full refill rate together, while the action buckets pace
//     each call. (At 20 per second, the refill rate of one read action, it
//     made the scan's per-VPC DescribeVpcAttribute calls wait on the other
//     actions' tokens.)
//   - IAM limits are account-wide, not published and cannot be raised
//     (https://repost.aws/knowledge-center/iam-sts-throttling-error). The
//     only IAM throttle AWS publishes, the account access API's, is 20
//     transactions per second
//     (https://docs.aws.amazon.com/IAM/latest/UserGuide/aam-quotas.html):
//     driftctl's IAM reads start there, with a burst of 40, and halve on
//     the first throttle. STS: 10 per second.
//   - S3 serves at least 5,500 GET/HEAD requests per second per partitioned
//     prefix (https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html),
//     and the bucket-configuration reads go to many buckets: 500 per second
//     is less than a tenth of what one prefix takes.
//   - Route 53 allows five requests per second per account, over every
//     region (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html#limits-api-requests):
//     driftctl keeps to that rate, with a burst of 5.
//
// Other services (SSM's GetParameter, KMS's DescribeKey, credential
// providers' SSO) get 10 per second: below SSM's standard throughput of
// 40 per second and KMS's shared request quotas, and the data sources that
// use them call once each.
func defaultRate(service string) bucketRate {
	switch service {
	case "ec2":
		return bucketRate{perSecond: 100, burst: 100}
	case "s3":
		return bucketRate{perSecond: 500, burst: 500}
	case "iam":
		return bucketRate{perSecond: 20, burst: 40}
	case "route53":
		return bucketRate{perSecond: 5, burst: 5}
	}
	return bucketRate{perSecond: 10, burst: 20}
}

// hasActionBuckets reports whether AWS throttles a service per API action,
// so that each action has a bucket of its own besides the service's.
func hasActionBuckets(service string) bool { return service == "ec2" }

// ec2ActionRate is the request token bucket that AWS documents for an EC2
// API action, from "Request token bucket sizes and refill rates" in
// https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html:
//
//	API action category                          Bucket maximum capacity  Bucket refill rate
//	Non-mutating actions: the Describe*, List*,  100                      20
//	  Search* and Get* actions not included in
//	  another category
//	Unfiltered and unpaginated non-mutating      50                       10
//	  actions: DescribeInstances,
//	  DescribeInstanceStatus, DescribeNetworkInterfaces,
//	  DescribeSecurityGroups, DescribeSnapshots,
//	  DescribeSpotInstanceRequests, DescribeVolumes
//	Mutating actions: all mutating actions that  50                       5
//	  are not resource-intensive or uncategorized
//	Resource-intensive actions:                  50                       5
//	  AuthorizeSecurityGroupIngress,
//	  RevokeSecurityGroupIngress, CreateKeyPair, ...
//	Console non-mutating actions                 100                      10
//
// and "uncategorized actions" with their own buckets; ec2Uncategorized
// holds those driftctl calls. The seven actions of the smaller read bucket
// use it only when called without a filter and without pagination. The
// limiter sees the action, not its parameters, and driftctl's listings of
// unmanaged resources are such calls, so they always get the smaller
// bucket. The resource token buckets of RunInstances, StartInstances,
// StopInstances and TerminateInstances (tokens per instance) are not
// modelled: driftctl starts or stops one instance per call.
func ec2ActionRate(action string) bucketRate {
	if r, ok := ec2Uncategorized[action]; ok {
		return r
	}
	switch action {
	case "DescribeInstances", "DescribeInstanceStatus", "DescribeNetworkInterfaces", "DescribeSecurityGroups",
		"DescribeSnapshots", "DescribeSpotInstanceRequests", "DescribeVolumes":
		return bucketRate{perSecond: 10, burst: 50}
	}
	for _, verb := range []string{"Describe", "List", "Search", "Get"} {
		if strings.HasPrefix(action, verb) {
			return bucketRate{perSecond: 20, burst: 100}
		}
	}
	return bucketRate{perSecond: 5, burst: 50}
}

// ec2Uncategorized are the "uncategorized actions" of the same page's
// second table that driftctl calls: actions with buckets of their own.
var ec2Uncategorized = map[string]bucketRate{
	"CreateTags":                    {perSecond: 10, burst: 100},
	"DeleteTags":                    {perSecond: 10, burst: 100},
	"ModifyInstanceMetadataOptions": {perSecond: 5, burst: 100},
	"RunInstances":                  {perSecond: 2, burst: 5},
	"StartInstances":                {perSecond: 2, burst: 5},
	"TerminateInstances":            {perSecond: 5, burst: 100},
}

// capped is r lowered to a ceiling's rate and burst where they are below
// r's: a request takes a token from both buckets, so an action's bucket
// above its service's would say what the service's does not allow.
func (r bucketRate) capped(ceiling bucketRate) bucketRate {
	return bucketRate{perSecond: min(r.perSecond, ceiling.perSecond), burst: min(r.burst, ceiling.burst)}
}

// scaled is the service's default with another rate, keeping its burst in
// proportion (at least 1).
func (r bucketRate) scaled(perSecond float64) bucketRate {
	burst := int(math.Ceil(perSecond * float64(r.burst) / r.perSecond))
	return bucketRate{perSecond: perSecond, burst: max(burst, 1)}
}

// isGlobalService reports whether AWS throttles a service per account,
// whatever the region.
func isGlobalService(service string) bool {
	return service == "iam" || service == "sts" || service == "route53"
}

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
	// override, when positive, is every service bucket's rate and the
	// highest rate of the action buckets (WithAPIRate).
	override float64
	inFlight chan struct{}

	mu       sync.Mutex
	buckets  map[string]*tokenBucket    // by limiterKey
	actions  map[actionKey]*tokenBucket // EC2's, by limiterKey and action
	ceilings map[string]float64         // from provider blocks' api_rate, by limiterKey

	throttles atomic.Int64
}

// actionKey names the bucket of an API action in a region (the key of
// its service's bucket): {"ec2/us-east-1", "DescribeVpcAttribute"}.
type actionKey struct{ key, action string }

// newAPILimiter returns a limiter with every service bucket at override
// requests per second when it is positive (else the services' defaults),
// action buckets at no more than that, and at most parallelism attempts in
// flight (DefaultParallelism when not positive).
func newAPILimiter(override float64, parallelism int) *apiLimiter {
	if parallelism <= 0 {
		parallelism = DefaultParallelism
	}
	return &apiLimiter{
		override: override,
		inFlight: make(chan struct{}, parallelism),
		buckets:  map[string]*tokenBucket{},
		actions:  map[actionKey]*tokenBucket{},
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

// actionConfigured is the rate an action's bucket starts at and never
// exceeds: AWS's for the action, capped by its service bucket's configured
// rate (so by WithAPIRate and api_rate).
func (l *apiLimiter) actionConfigured(service string, k actionKey) bucketRate {
	return ec2ActionRate(k.action).capped(l.configured(service, k.key))
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

// actionBucket returns the bucket of an action of service in region, made
// on first use, or nil when AWS does not throttle the service per action
// or the action is not known.
func (l *apiLimiter) actionBucket(service, region, action string) *tokenBucket {
	if !hasActionBuckets(service) || action == "" {
		return nil
	}
	k := actionKey{key: limiterKey(service, region), action: action}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.actions[k]
	if !ok {
		b = newTokenBucket(l.actionConfigured(service, k))
		l.actions[k] = b
	}
	return b
}

// setProviderRate applies a provider block's api_rate to the buckets of
// the services it calls in its region, and caps their action buckets with
// it. Buckets are shared by the blocks of the account, so where several
// blocks set a rate the lowest wins; WithAPIRate (the command line)
// overrides them all.
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
			b.reconfigure(l.configured(service, key))
		}
		for k, b := range l.actions {
			if k.key == key {
				b.reconfigure(l.actionConfigured(service, k))
			}
		}
	}
}

// rate is the current rate of a service's bucket in region, or the rate it
// would start at when no request used it yet.
func (l *apiLimiter) rate(service, region string) float64 {
	key := limiterKey(service, region)
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.buckets[key]; ok {
		return b.rate()
	}
	return l.configured(service, key).perSecond
}

// actionRate is the current rate of an action's bucket in region, or the
// rate it would start at when no request used it yet; 0 when the service
// has no action buckets.
func (l *apiLimiter) actionRate(service, region, action string) float64 {
	if !hasActionBuckets(service) {
		return 0
	}
	k := actionKey{key: limiterKey(service, region), action: action}
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.actions[k]; ok {
		return b.rate()
	}
	return l.actionConfigured(service, k).perSecond
}

// permit is one attempt allowed through the limiter; done must be called
// with the attempt's outcome.
type permit struct {
	l *apiLimiter
	// held are the buckets the attempt took a token from.
	held []heldToken
}

// heldToken is a bucket an attempt took a token from, and the bucket's
// AIMD generation when it did.
type heldToken struct {
	b   *tokenBucket
	gen uint64
}

// acquire waits for a token of each of the attempt's buckets (see
// bucketsFor), then for a slot among the requests in flight. action is the
// API operation ("DescribeVpcs"); "" takes from the service bucket only. It
// fails only when ctx ends first.
func (l *apiLimiter) acquire(ctx context.Context, service, region, action string) (*permit, error) {
	buckets := l.bucketsFor(service, region, action)
	// The tokens before the slot: an attempt waiting for a rate does not
	// hold a slot that another service's attempt could use.
	for _, b := range buckets {
		if err := b.lim.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
	}
	select {
	case l.inFlight <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return l.permitOf(buckets), nil
}

// bucketsFor are the buckets an attempt takes a token from, in the order
// it waits for them: its action's (EC2), then its service's. The action's
// first, so that an attempt waiting for its action's rate does not hold a
// service token that another action could use.
func (l *apiLimiter) bucketsFor(service, region, action string) []*tokenBucket {
	svc := l.bucket(service, limiterKey(service, region))
	if a := l.actionBucket(service, region, action); a != nil {
		return []*tokenBucket{a, svc}
	}
	return []*tokenBucket{svc}
}

// permitOf is the permit of an attempt that got a token of each bucket,
// with the buckets' generations now.
func (l *apiLimiter) permitOf(buckets []*tokenBucket) *permit {
	p := &permit{l: l}
	for _, b := range buckets {
		p.held = append(p.held, heldToken{b: b, gen: b.generation()})
	}
	return p
}

// done releases the attempt's slot and adapts its buckets to the outcome:
// code is "" for a success, else the attempt's error code. A throttle
// halves the service's bucket and the action's: EC2's RequestLimitExceeded
// is about the action's bucket, but the account's other clients may be
// busier than the service bucket assumes.
func (p *permit) done(code string) {
	<-p.l.inFlight
	throttled := isThrottle(code)
	if throttled {
		p.l.throttles.Add(1)
	}
	for _, h := range p.held {
		switch {
		case code == "":
			h.b.success()
		case throttled:
			h.b.throttled(h.gen)
		}
	}
}

// tokenBucket is one bucket (a service's in a region, or an action's) with
// its AIMD state.
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
			p, err := l.acquire(ctx, service, awsmiddleware.GetRegion(ctx), awsmiddleware.GetOperationName(ctx))
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

// WithAPIRate sets every service bucket of the account-wide limiter to
// perSecond requests per second (the command line's --api-rate),
// overriding the services' defaults and the provider blocks' api_rate.
// EC2's action buckets keep the rates AWS documents for them where
// perSecond is above (AWS would throttle more) and are lowered to it where
// it is below. Zero or less keeps the defaults.
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
// IAM and STS), the ceiling over all of the service's actions: its
// configured rate, lowered after throttling. Each EC2 action also has a
// bucket of its own at or below it.
func (f *Factory) APIRate(service, region string) float64 {
	return f.limiter.rate(service, region)
}
