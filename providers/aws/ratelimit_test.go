package aws

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// sent is a permit as acquire gives it for an attempt of service in region
// without an action, without waiting for a token: the AIMD tests make
// hundreds of attempts at rates of a few per second.
func sent(l *apiLimiter, service, region string) *permit {
	return sentAction(l, service, region, "")
}

// sentAction is sent for an attempt of an API action.
func sentAction(l *apiLimiter, service, region, action string) *permit {
	buckets := l.bucketsFor(service, region, action)
	l.inFlight <- struct{}{}
	return l.permitOf(buckets)
}

// attempt passes one attempt of service in region through l with the
// outcome code ("" for a success).
func attempt(t *testing.T, l *apiLimiter, service, region, code string) {
	t.Helper()
	sent(l, service, region).done(code)
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestLimiterDefaults(t *testing.T) {
	l := newAPILimiter(0, 0)
	tests := []struct {
		service, region string
		want            float64
	}{
		{"ec2", "us-east-1", 100},
		{"s3", "eu-west-1", 500},
		{"iam", "us-east-1", 20},
		{"sts", "eu-west-1", 10},
		{"sso", "eu-west-1", 10},
	}
	for _, tt := range tests {
		if got := l.rate(tt.service, tt.region); !near(got, tt.want) {
			t.Errorf("rate(%s, %s) = %v, want %v", tt.service, tt.region, got, tt.want)
		}
	}
	if got := cap(l.inFlight); got != DefaultParallelism {
		t.Errorf("parallelism = %d, want %d", got, DefaultParallelism)
	}
}

func TestLimiterAIMD(t *testing.T) {
	tests := []struct {
		name string
		// run drives the limiter; rates are then checked by key.
		run       func(t *testing.T, l *apiLimiter)
		want      map[[2]string]float64
		throttles int64
	}{
		{
			name:      "a throttle halves the rate",
			run:       func(t *testing.T, l *apiLimiter) { attempt(t, l, "ec2", "us-east-1", "RequestLimitExceeded") },
			want:      map[[2]string]float64{{"ec2", "us-east-1"}: 50},
			throttles: 1,
		},
		{
			name: "each throttle code counts",
			run: func(t *testing.T, l *apiLimiter) {
				for _, code := range []string{"Throttling", "ThrottlingException", "SlowDown", "TooManyRequestsException", "RequestThrottled"} {
					attempt(t, l, "s3", "us-east-1", code)
				}
			},
			want:      map[[2]string]float64{{"s3", "us-east-1"}: 500.0 / 32},
			throttles: 5,
		},
		{
			name: "other errors change nothing",
			run: func(t *testing.T, l *apiLimiter) {
				for _, code := range []string{"InternalError", "AccessDenied", "NetworkError", "Canceled"} {
					attempt(t, l, "ec2", "us-east-1", code)
				}
			},
			want: map[[2]string]float64{{"ec2", "us-east-1"}: 100},
		},
		{
			name: "throttles of attempts sent together halve once",
			run: func(t *testing.T, l *apiLimiter) {
				var ps []*permit
				for range 8 {
					ps = append(ps, sent(l, "ec2", "us-east-1"))
				}
				for _, p := range ps {
					p.done("RequestLimitExceeded")
				}
			},
			want:      map[[2]string]float64{{"ec2", "us-east-1"}: 50},
			throttles: 8,
		},
		{
			name: "the rate does not fall below the floor",
			run: func(t *testing.T, l *apiLimiter) {
				for range 10 {
					attempt(t, l, "iam", "", "Throttling")
				}
			},
			want:      map[[2]string]float64{{"iam", ""}: aimdFloor},
			throttles: 10,
		},
		{
			name: "successes raise the rate slowly",
			run: func(t *testing.T, l *apiLimiter) {
				attempt(t, l, "ec2", "us-east-1", "RequestLimitExceeded") // 50
				for range aimdRaiseAfter - 1 {
					attempt(t, l, "ec2", "us-east-1", "")
				}
				if got := l.rate("ec2", "us-east-1"); !near(got, 50) {
					t.Errorf("after %d successes rate = %v, want 50", aimdRaiseAfter-1, got)
				}
				attempt(t, l, "ec2", "us-east-1", "")
			},
			want:      map[[2]string]float64{{"ec2", "us-east-1"}: 55},
			throttles: 1,
		},
		{
			name: "a throttle restarts the count of successes",
			run: func(t *testing.T, l *apiLimiter) {
				for range aimdRaiseAfter - 1 {
					attempt(t, l, "ec2", "us-east-1", "")
				}
				attempt(t, l, "ec2", "us-east-1", "RequestLimitExceeded") // 50
				for range aimdRaiseAfter - 1 {
					attempt(t, l, "ec2", "us-east-1", "")
				}
			},
			want:      map[[2]string]float64{{"ec2", "us-east-1"}: 50},
			throttles: 1,
		},
		{
			name: "the rate does not rise above the configured rate",
			run: func(t *testing.T, l *apiLimiter) {
				attempt(t, l, "ec2", "us-east-1", "RequestLimitExceeded")
				for range 20 * aimdRaiseAfter {
					attempt(t, l, "ec2", "us-east-1", "")
				}
			},
			want:      map[[2]string]float64{{"ec2", "us-east-1"}: 100},
			throttles: 1,
		},
		{
			name: "buckets are per service and region, global for IAM and STS",
			run: func(t *testing.T, l *apiLimiter) {
				attempt(t, l, "ec2", "us-east-1", "RequestLimitExceeded")
				attempt(t, l, "iam", "eu-west-1", "Throttling")
			},
			want: map[[2]string]float64{
				{"ec2", "us-east-1"}: 50,
				{"ec2", "eu-west-1"}: 100,
				{"s3", "us-east-1"}:  500,
				{"iam", "us-east-1"}: 10,
				{"iam", ""}:          10,
				{"sts", "eu-west-1"}: 10,
			},
			throttles: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newAPILimiter(0, 0)
			tt.run(t, l)
			for k, want := range tt.want {
				if got := l.rate(k[0], k[1]); !near(got, want) {
					t.Errorf("rate(%s, %s) = %v, want %v", k[0], k[1], got, want)
				}
			}
			if got := l.throttles.Load(); got != tt.throttles {
				t.Errorf("throttles = %d, want %d", got, tt.throttles)
			}
		})
	}
}

func TestLimiterConfiguredRates(t *testing.T) {
	t.Run("WithAPIRate overrides every bucket and the provider blocks", func(t *testing.T) {
		l := newAPILimiter(5, 0)
		l.setProviderRate("us-east-1", 50)
		for _, s := range []string{"ec2", "s3", "iam", "sts"} {
			if got := l.rate(s, "us-east-1"); !near(got, 5) {
				t.Errorf("rate(%s) = %v, want 5", s, got)
			}
		}
		// The burst keeps the service's proportion: IAM is 20/s burst 40.
		if got := l.bucket("iam", "iam").lim.Burst(); got != 10 {
			t.Errorf("IAM burst at 5/s = %d, want 10", got)
		}
	})
	t.Run("provider blocks: the lowest rate of a region wins", func(t *testing.T) {
		l := newAPILimiter(0, 0)
		l.setProviderRate("us-east-1", 50)
		attempt(t, l, "ec2", "us-east-1", "") // the bucket exists
		l.setProviderRate("us-east-1", 4)
		l.setProviderRate("us-east-1", 30)
		l.setProviderRate("eu-west-1", 40)
		want := map[[2]string]float64{
			{"ec2", "us-east-1"}: 4,
			{"s3", "us-east-1"}:  4,
			{"iam", ""}:          4,
			{"ec2", "eu-west-1"}: 40,
			{"s3", "eu-west-1"}:  40,
			{"ec2", "us-west-2"}: 100,
		}
		for k, w := range want {
			if got := l.rate(k[0], k[1]); !near(got, w) {
				t.Errorf("rate(%s, %s) = %v, want %v", k[0], k[1], got, w)
			}
		}
		// Successes never raise a bucket above its provider's rate.
		for range 10 * aimdRaiseAfter {
			attempt(t, l, "ec2", "us-east-1", "")
		}
		if got := l.rate("ec2", "us-east-1"); !near(got, 4) {
			t.Errorf("after successes rate = %v, want 4", got)
		}
	})
	t.Run("a rate below the floor is its own floor", func(t *testing.T) {
		l := newAPILimiter(0.5, 0)
		attempt(t, l, "iam", "", "Throttling")
		if got := l.rate("iam", ""); !near(got, 0.5) {
			t.Errorf("rate = %v, want 0.5", got)
		}
	})
}

func TestLimiterBoundsRequestsInFlight(t *testing.T) {
	l := newAPILimiter(0, 2)
	ctx := context.Background()
	p1, err := l.acquire(ctx, "ec2", "us-east-1", "DescribeVpcs")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.acquire(ctx, "s3", "us-east-1", "ListBuckets"); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := l.acquire(short, "iam", "", "ListRoles"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third acquire with 2 in flight: err = %v, want a deadline error", err)
	}
	p1.done("")
	if _, err := l.acquire(ctx, "iam", "", "ListRoles"); err != nil {
		t.Fatalf("acquire after a release: %v", err)
	}
}

func TestLimiterWaitsForTokens(t *testing.T) {
	// At 50/s with burst 100 (S3's proportion), the 101st request waits
	// about 20ms.
	l := newAPILimiter(50, 0)
	start := time.Now()
	for range 110 {
		p, err := l.acquire(context.Background(), "s3", "us-east-1", "GetBucketTagging")
		if err != nil {
			t.Fatal(err)
		}
		p.done("")
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("110 requests at 50/s burst 100 took %v, want about 200ms", d)
	}
}

func TestProviderRetriesAndAPIRate(t *testing.T) {
	tests := []struct {
		name         string
		attrs        map[string]cty.Value
		wantAttempts int
		wantEC2Rate  float64
		wantErr      bool
	}{
		{name: "defaults", wantAttempts: defaultMaxAttempts, wantEC2Rate: 100},
		{name: "max_retries", attrs: map[string]cty.Value{"max_retries": cty.NumberIntVal(4)}, wantAttempts: 4, wantEC2Rate: 100},
		{name: "api_rate", attrs: map[string]cty.Value{"api_rate": cty.NumberFloatVal(2.5)}, wantAttempts: defaultMaxAttempts, wantEC2Rate: 2.5},
		{name: "api_rate must be positive", attrs: map[string]cty.Value{"api_rate": cty.NumberIntVal(0)}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_MAX_ATTEMPTS", "")
			t.Setenv("AWS_RETRY_MODE", "")
			attrs := map[string]cty.Value{
				"region": cty.StringVal("eu-west-3"), "access_key": cty.StringVal("a"), "secret_key": cty.StringVal("b"),
				"skip_credentials_validation": cty.True, // nothing answers
			}
			for k, v := range tt.attrs {
				attrs[k] = v
			}
			f := NewFactory()
			p, err := f.New(context.Background(), providers.Config{Name: "aws", Attrs: cty.ObjectVal(attrs)})
			if (err != nil) != tt.wantErr {
				t.Fatalf("New error = %v, want error: %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got := p.(*Provider).ec2.Options().Retryer.MaxAttempts(); got != tt.wantAttempts {
				t.Errorf("EC2 client MaxAttempts = %d, want %d", got, tt.wantAttempts)
			}
			if got := f.APIRate("ec2", "eu-west-3"); !near(got, tt.wantEC2Rate) {
				t.Errorf("APIRate(ec2) = %v, want %v", got, tt.wantEC2Rate)
			}
		})
	}
}
