package aws

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// attemptAction passes one attempt of an API action through l with the
// outcome code ("" for a success).
func attemptAction(t *testing.T, l *apiLimiter, service, region, action, code string) {
	t.Helper()
	sentAction(l, service, region, action).done(code)
}

func TestEC2ActionRates(t *testing.T) {
	// The table of "Request token bucket sizes and refill rates" in
	// https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html.
	tests := []struct {
		action string
		want   bucketRate
	}{
		{"DescribeVpcAttribute", bucketRate{perSecond: 20, burst: 100}},
		{"DescribeVpcs", bucketRate{perSecond: 20, burst: 100}},
		{"GetConsoleOutput", bucketRate{perSecond: 20, burst: 100}},
		{"ListImagesInRecycleBin", bucketRate{perSecond: 20, burst: 100}},
		{"SearchTransitGatewayRoutes", bucketRate{perSecond: 20, burst: 100}},
		{"DescribeInstances", bucketRate{perSecond: 10, burst: 50}},
		{"DescribeSecurityGroups", bucketRate{perSecond: 10, burst: 50}},
		{"DescribeVolumes", bucketRate{perSecond: 10, burst: 50}},
		{"ModifyVpcAttribute", bucketRate{perSecond: 5, burst: 50}},
		{"CreateVpc", bucketRate{perSecond: 5, burst: 50}},
		{"AuthorizeSecurityGroupIngress", bucketRate{perSecond: 5, burst: 50}},
		{"StopInstances", bucketRate{perSecond: 5, burst: 50}},
		{"CreateTags", bucketRate{perSecond: 10, burst: 100}},
		{"DeleteTags", bucketRate{perSecond: 10, burst: 100}},
		{"RunInstances", bucketRate{perSecond: 2, burst: 5}},
		{"TerminateInstances", bucketRate{perSecond: 5, burst: 100}},
	}
	for _, tt := range tests {
		if got := ec2ActionRate(tt.action); got != tt.want {
			t.Errorf("ec2ActionRate(%s) = %+v, want %+v", tt.action, got, tt.want)
		}
	}
}

func TestLimiterEC2ActionsHaveSeparateBuckets(t *testing.T) {
	l := newAPILimiter(0, 0)
	a := l.actionBucket("ec2", "us-east-1", "DescribeVpcAttribute")
	b := l.actionBucket("ec2", "us-east-1", "DescribeSubnets")
	if a == nil || b == nil || a == b {
		t.Fatalf("DescribeVpcAttribute's bucket %p and DescribeSubnets' %p: want two buckets", a, b)
	}
	if a != l.actionBucket("ec2", "us-east-1", "DescribeVpcAttribute") {
		t.Error("a second DescribeVpcAttribute attempt got another bucket")
	}
	if a == l.actionBucket("ec2", "eu-west-1", "DescribeVpcAttribute") {
		t.Error("DescribeVpcAttribute shares its bucket across regions")
	}
	for _, s := range []string{"s3", "iam", "sts"} {
		if got := l.actionBucket(s, "us-east-1", "ListBuckets"); got != nil {
			t.Errorf("%s has an action bucket; AWS documents none", s)
		}
	}
	// Drain DescribeVpcAttribute's burst: DescribeSubnets' tokens stay.
	for range 100 {
		p, err := l.acquire(context.Background(), "ec2", "us-east-1", "DescribeVpcAttribute")
		if err != nil {
			t.Fatal(err)
		}
		p.done("")
	}
	if got := a.lim.Tokens(); got >= 1 {
		t.Errorf("DescribeVpcAttribute tokens after 100 attempts = %.1f, want < 1", got)
	}
	if got := b.lim.Tokens(); got < 99 {
		t.Errorf("DescribeSubnets tokens after 100 DescribeVpcAttribute attempts = %.1f, want 100", got)
	}
}

func TestLimiterPacesAnEC2ActionAtItsRefillRate(t *testing.T) {
	l := newAPILimiter(0, 0)
	ctx := context.Background()
	acquire := func(action string) {
		t.Helper()
		p, err := l.acquire(ctx, "ec2", "us-east-1", action)
		if err != nil {
			t.Fatal(err)
		}
		p.done("")
	}
	start := time.Now()
	for range 100 { // the burst
		acquire("DescribeVpcAttribute")
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("DescribeVpcAttribute's burst of 100 took %v, want no wait", d)
	}
	// Five more at 20/s take about 250ms; at the service's 100/s they
	// would take 50ms.
	start = time.Now()
	for range 5 {
		acquire("DescribeVpcAttribute")
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 2*time.Second {
		t.Errorf("5 DescribeVpcAttribute after the burst took %v, want about 250ms (20/s)", d)
	}
}

func TestLimiterActionBucketsUnderConfiguredRates(t *testing.T) {
	t.Run("WithAPIRate below an action's rate caps it", func(t *testing.T) {
		l := newAPILimiter(5, 0)
		want := map[string]bucketRate{
			"DescribeVpcAttribute": {perSecond: 5, burst: 5},
			"DescribeInstances":    {perSecond: 5, burst: 5},
			"ModifyVpcAttribute":   {perSecond: 5, burst: 5},
			"RunInstances":         {perSecond: 2, burst: 5}, // below already
		}
		for action, w := range want {
			b := l.actionBucket("ec2", "us-east-1", action)
			if got := (bucketRate{perSecond: b.rate(), burst: b.lim.Burst()}); got != w {
				t.Errorf("%s at --api-rate 5: %+v, want %+v", action, got, w)
			}
		}
		// AIMD raises a throttled action back to the override, not to AWS's
		// rate.
		attemptAction(t, l, "ec2", "us-east-1", "DescribeVpcAttribute", "RequestLimitExceeded")
		for range 20 * aimdRaiseAfter {
			attemptAction(t, l, "ec2", "us-east-1", "DescribeVpcAttribute", "")
		}
		if got := l.actionRate("ec2", "us-east-1", "DescribeVpcAttribute"); !near(got, 5) {
			t.Errorf("DescribeVpcAttribute after a throttle and successes = %v/s, want 5", got)
		}
	})
	t.Run("WithAPIRate above an action's rate keeps AWS's", func(t *testing.T) {
		l := newAPILimiter(1000, 0)
		if got := l.rate("ec2", "us-east-1"); !near(got, 1000) {
			t.Errorf("EC2 service rate = %v, want 1000", got)
		}
		b := l.actionBucket("ec2", "us-east-1", "DescribeVpcAttribute")
		if b.rate() != 20 || b.lim.Burst() != 100 {
			t.Errorf("DescribeVpcAttribute at --api-rate 1000: %v/s burst %d, want 20/s burst 100", b.rate(), b.lim.Burst())
		}
	})
	t.Run("a provider block's api_rate caps the actions of its region", func(t *testing.T) {
		l := newAPILimiter(0, 0)
		attemptAction(t, l, "ec2", "us-east-1", "DescribeVpcs", "") // the bucket exists
		l.setProviderRate("us-east-1", 4)
		want := map[[2]string]float64{
			{"us-east-1", "DescribeVpcs"}:         4,
			{"us-east-1", "DescribeVpcAttribute"}: 4,
			{"us-east-1", "RunInstances"}:         2,
			{"eu-west-1", "DescribeVpcs"}:         20,
		}
		for k, w := range want {
			if got := l.actionRate("ec2", k[0], k[1]); !near(got, w) {
				t.Errorf("actionRate(%s, %s) = %v, want %v", k[0], k[1], got, w)
			}
		}
		if got := l.actionBucket("ec2", "us-east-1", "DescribeVpcs").lim.Burst(); got != 4 {
			t.Errorf("DescribeVpcs burst at api_rate 4 = %d, want 4", got)
		}
	})
}

func TestLimiterThrottleHalvesTheThrottledAction(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, l *apiLimiter)
		// want are the rates by action, "" for the service bucket.
		want      map[string]float64
		throttles int64
	}{
		{
			name: "a throttle halves its action and the service only",
			run: func(t *testing.T, l *apiLimiter) {
				attemptAction(t, l, "ec2", "us-east-1", "DescribeVpcs", "")
				attemptAction(t, l, "ec2", "us-east-1", "DescribeVpcAttribute", "RequestLimitExceeded")
			},
			want:      map[string]float64{"DescribeVpcAttribute": 10, "DescribeVpcs": 20, "DescribeSubnets": 20, "": 50},
			throttles: 1,
		},
		{
			name: "throttles of attempts sent together halve the action once",
			run: func(t *testing.T, l *apiLimiter) {
				var ps []*permit
				for range 8 {
					ps = append(ps, sentAction(l, "ec2", "us-east-1", "DescribeVpcAttribute"))
				}
				for _, p := range ps {
					p.done("RequestLimitExceeded")
				}
			},
			want:      map[string]float64{"DescribeVpcAttribute": 10, "": 50},
			throttles: 8,
		},
		{
			name: "successes raise the action back to AWS's rate, no further",
			run: func(t *testing.T, l *apiLimiter) {
				attemptAction(t, l, "ec2", "us-east-1", "DescribeVpcAttribute", "RequestLimitExceeded")
				for range aimdRaiseAfter {
					attemptAction(t, l, "ec2", "us-east-1", "DescribeVpcAttribute", "")
				}
				if got := l.actionRate("ec2", "us-east-1", "DescribeVpcAttribute"); !near(got, 11) {
					t.Errorf("after %d successes DescribeVpcAttribute = %v/s, want 11", aimdRaiseAfter, got)
				}
				for range 20 * aimdRaiseAfter {
					attemptAction(t, l, "ec2", "us-east-1", "DescribeVpcAttribute", "")
				}
			},
			want:      map[string]float64{"DescribeVpcAttribute": 20, "": 100},
			throttles: 1,
		},
		{
			name: "other errors change nothing",
			run: func(t *testing.T, l *apiLimiter) {
				attemptAction(t, l, "ec2", "us-east-1", "DescribeVpcAttribute", "InvalidVpcID.NotFound")
			},
			want: map[string]float64{"DescribeVpcAttribute": 20, "": 100},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newAPILimiter(0, 0)
			tt.run(t, l)
			for action, want := range tt.want {
				got := l.rate("ec2", "us-east-1")
				if action != "" {
					got = l.actionRate("ec2", "us-east-1", action)
				}
				if !near(got, want) {
					t.Errorf("rate of %q = %v, want %v", action, got, want)
				}
			}
			if got := l.throttles.Load(); got != tt.throttles {
				t.Errorf("throttles = %d, want %d", got, tt.throttles)
			}
		})
	}
}

// TestLimitAPICallsUsesTheOperation sends EC2 calls through the SDK with
// the limiter's middleware to a server that throttles DescribeVpcAttribute
// once: the limiter must see the operation's name and halve that action's
// bucket only.
func TestLimitAPICallsUsesTheOperation(t *testing.T) {
	var mu sync.Mutex
	throttled := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		action := r.Form.Get("Action")
		mu.Lock()
		throttle := action == "DescribeVpcAttribute" && !throttled
		throttled = throttled || throttle
		mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		if throttle {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>1</RequestID></Response>`))
			return
		}
		_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><` + action + `Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>1</requestId></` + action + `Response>`))
	}))
	defer srv.Close()

	l := newAPILimiter(0, 0)
	cfg := emulator.Config(srv.URL, "eu-west-3")
	cfg.RetryMaxAttempts = 1
	cfg.APIOptions = append(cfg.APIOptions, limitAPICalls(l))
	c := ec2.NewFromConfig(cfg)
	ctx := context.Background()
	if _, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}); err != nil {
		t.Fatalf("DescribeVpcs: %v", err)
	}
	_, err := c.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String("vpc-1"), Attribute: ec2types.VpcAttributeNameEnableDnsSupport})
	if err == nil || !strings.Contains(err.Error(), "RequestLimitExceeded") {
		t.Fatalf("DescribeVpcAttribute: err = %v, want RequestLimitExceeded", err)
	}
	want := map[string]float64{"DescribeVpcAttribute": 10, "DescribeVpcs": 20}
	for action, w := range want {
		if got := l.actionRate("ec2", "eu-west-3", action); !near(got, w) {
			t.Errorf("actionRate(%s) = %v, want %v", action, got, w)
		}
	}
	if got := l.rate("ec2", "eu-west-3"); !near(got, 50) {
		t.Errorf("EC2 service rate = %v, want 50", got)
	}
	if got := l.throttles.Load(); got != 1 {
		t.Errorf("throttles = %d, want 1", got)
	}
}
