package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// callCounter is a reverse proxy in front of the emulator's proxy that
// counts every request by "service:Operation" (emulator.Identify),
// whoever sends it: driftctl's SDK, or a provider plugin that driftctl
// or terraform runs. The SDK observer of a native scan sees only
// driftctl's own calls; this sees them all, the same way for every mode.
type callCounter struct {
	srv   *http.Server
	url   string
	mu    sync.Mutex
	calls map[string]int
	// since is when the count started; spans when each operation was
	// first and last asked for, in seconds from since.
	since time.Time
	spans map[string][2]float64
}

// newCallCounter starts a counter on 127.0.0.1 that forwards to target.
func newCallCounter(target string) (*callCounter, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("parsing the proxy's URL: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c := &callCounter{url: "http://" + ln.Addr().String(), calls: map[string]int{}, since: time.Now(), spans: map[string][2]float64{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	// Up to a scan's parallelism of connections kept open, as the SDKs
	// keep theirs, rather than net/http's 2 per host.
	rp.Transport = &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 128, DisableCompression: true}
	c.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		service, op := emulator.Identify(r, body)
		if service == "s3" && r.Method == http.MethodGet {
			op = s3Subresource(r.URL.Query(), op)
		}
		key := service + ":" + op
		c.mu.Lock()
		at := time.Since(c.since).Seconds()
		if c.calls[key]++; c.calls[key] == 1 {
			c.spans[key] = [2]float64{at, at}
		} else {
			c.spans[key] = [2]float64{c.spans[key][0], at}
		}
		c.mu.Unlock()
		rp.ServeHTTP(w, r)
	})}
	go func() { _ = c.srv.Serve(ln) }()
	return c, nil
}

// URL is the counter's base URL: the endpoint to give the scans.
func (c *callCounter) URL() string { return c.url }

// take returns the calls counted since the last take, and when each
// operation was first and last asked for (seconds from that take), and
// starts again; nothing from a nil counter.
func (c *callCounter) take() (map[string]int, map[string][2]float64) {
	if c == nil {
		return nil, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m, sp := c.calls, c.spans
	c.calls, c.spans, c.since = map[string]int{}, map[string][2]float64{}, time.Now()
	return m, sp
}

// Close stops the counter.
func (c *callCounter) Close() { _ = c.srv.Close() }

// s3BucketReads are the bucket sub-resources terraform-provider-aws reads
// that emulator.Identify does not name (it calls them ListObjects): a GET
// of /bucket?cors is GetBucketCors.
var s3BucketReads = []struct{ key, op string }{
	{"cors", "GetBucketCors"},
	{"website", "GetBucketWebsite"},
	{"accelerate", "GetBucketAccelerateConfiguration"},
	{"requestPayment", "GetBucketRequestPayment"},
	{"logging", "GetBucketLogging"},
	{"lifecycle", "GetBucketLifecycleConfiguration"},
	{"replication", "GetBucketReplication"},
	{"ownershipControls", "GetBucketOwnershipControls"},
	{"notification", "GetBucketNotificationConfiguration"},
	{"analytics", "GetBucketAnalyticsConfiguration"},
	{"inventory", "GetBucketInventoryConfiguration"},
	{"metrics", "GetBucketMetricsConfiguration"},
	{"intelligent-tiering", "GetBucketIntelligentTieringConfiguration"},
}

// s3Subresource names a GET that emulator.Identify named op.
func s3Subresource(q url.Values, op string) string {
	if op != "ListObjects" {
		return op
	}
	for _, s := range s3BucketReads {
		if q.Has(s.key) {
			return s.op
		}
	}
	return op
}
