package aws

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// HTTPTimeouts bound every request the provider sends, so that an endpoint
// that accepts and never answers, or answers a byte now and then, cannot
// hold a scan forever. A zero field keeps its default.
type HTTPTimeouts struct {
	// Connect bounds the TCP connection (default 10s).
	Connect time.Duration
	// TLSHandshake bounds the TLS handshake (default 10s).
	TLSHandshake time.Duration
	// ResponseHeader bounds the wait for the answer's headers once the
	// request is sent (default 60s).
	ResponseHeader time.Duration
	// IdleRead fails a read of the answer's body that waits longer than
	// this for a byte (default 60s).
	IdleRead time.Duration
	// Attempt bounds one attempt, body included (default 5m): an answer
	// trickled a byte at a time never waits IdleRead, but never ends.
	Attempt time.Duration
}

// DefaultHTTPTimeouts are the timeouts of a factory without
// WithHTTPTimeouts.
var DefaultHTTPTimeouts = HTTPTimeouts{
	Connect:        10 * time.Second,
	TLSHandshake:   10 * time.Second,
	ResponseHeader: 60 * time.Second,
	IdleRead:       60 * time.Second,
	Attempt:        5 * time.Minute,
}

// WithHTTPTimeouts sets the timeouts of every request of every provider
// the factory makes; zero fields keep DefaultHTTPTimeouts'.
func WithHTTPTimeouts(t HTTPTimeouts) Option {
	return func(f *Factory) { f.timeouts = t }
}

// withDefaults fills zero fields from DefaultHTTPTimeouts.
func (t HTTPTimeouts) withDefaults() HTTPTimeouts {
	d := DefaultHTTPTimeouts
	for _, f := range []struct{ v, def *time.Duration }{
		{&t.Connect, &d.Connect}, {&t.TLSHandshake, &d.TLSHandshake}, {&t.ResponseHeader, &d.ResponseHeader},
		{&t.IdleRead, &d.IdleRead}, {&t.Attempt, &d.Attempt},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return t
}

// newHTTPClient is the SDK's HTTP client with the timeouts: its transport
// (connection pool, TLS settings) with connect, handshake and header
// timeouts, wrapped to bound idle body reads and whole attempts. base, when
// not nil, replaces the transport (tests).
func newHTTPClient(t HTTPTimeouts, base http.RoundTripper) *http.Client {
	t = t.withDefaults()
	if base == nil {
		base = awshttp.NewBuildableClient().
			WithDialerOptions(func(d *net.Dialer) { d.Timeout = t.Connect }).
			WithTransportOptions(func(tr *http.Transport) {
				tr.TLSHandshakeTimeout = t.TLSHandshake
				tr.ResponseHeaderTimeout = t.ResponseHeader
			}).GetTransport()
	}
	return &http.Client{
		Transport: &deadlineTransport{base: base, idle: t.IdleRead, attempt: t.Attempt},
		// As the SDK's client: AWS answers redirects as errors to read.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// TimeoutError is a request that an HTTPTimeouts bound ended. It is a
// network timeout: the SDK retries it as it does others.
type TimeoutError struct {
	// What ran out: "no byte of the answer's body", "the attempt".
	What  string
	After time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%s within %s", e.What, e.After)
}

// Timeout reports true: the SDK's retryer and net.Error users treat it
// as a timeout.
func (e *TimeoutError) Timeout() bool { return true }

// deadlineTransport bounds each request's attempt and each read of its
// answer's body.
type deadlineTransport struct {
	base          http.RoundTripper
	idle, attempt time.Duration
}

func (d *deadlineTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	attempt := time.AfterFunc(d.attempt, func() {
		cancel(&TimeoutError{What: "the attempt (request and answer) did not end", After: d.attempt})
	})
	resp, err := d.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		attempt.Stop()
		err = ourCause(ctx, err)
		cancel(nil)
		return nil, err
	}
	resp.Body = &idleBody{body: resp.Body, ctx: ctx, cancel: cancel, idle: d.idle, attempt: attempt}
	return resp, nil
}

// ourCause is the TimeoutError that canceled ctx, if any, else err.
func ourCause(ctx context.Context, err error) error {
	var te *TimeoutError
	if cause := context.Cause(ctx); errors.As(cause, &te) {
		return fmt.Errorf("%w (%v)", te, err)
	}
	return err
}

// idleBody fails a Read that waits longer than idle, by canceling the
// request's context, which makes the transport abort the read.
type idleBody struct {
	body    io.ReadCloser
	ctx     context.Context
	cancel  context.CancelCauseFunc
	idle    time.Duration
	attempt *time.Timer

	mu    sync.Mutex
	timer *time.Timer
	// expired is the idle timeout, once it fired.
	expired atomic.Pointer[TimeoutError]
}

func (b *idleBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	if b.timer == nil {
		b.timer = time.AfterFunc(b.idle, func() {
			te := &TimeoutError{What: "no byte of the answer's body", After: b.idle}
			b.expired.Store(te)
			b.cancel(te)
		})
	} else {
		b.timer.Reset(b.idle)
	}
	b.mu.Unlock()
	n, err := b.body.Read(p)
	b.mu.Lock()
	b.timer.Stop()
	b.mu.Unlock()
	if err != nil && !errors.Is(err, io.EOF) {
		// The transport's error for an aborted read varies ("use of
		// closed network connection", the context's cause): say why.
		if te := b.expired.Load(); te != nil {
			return n, fmt.Errorf("%w (%v)", te, err)
		}
		err = ourCause(b.ctx, err)
	}
	return n, err
}

func (b *idleBody) Close() error {
	b.attempt.Stop()
	b.mu.Lock()
	if b.timer != nil {
		b.timer.Stop()
	}
	b.mu.Unlock()
	err := b.body.Close()
	b.cancel(nil)
	return err
}
