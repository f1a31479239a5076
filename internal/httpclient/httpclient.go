// Package httpclient makes the HTTP clients driftctl talks to servers with
// (state over HTTP and S3, the Pushgateway, Git over HTTP): never
// http.DefaultClient, whose calls may wait forever. Every call has a
// deadline for connecting, for the TLS handshake, for the response
// headers, and for a body that stops sending: a server that answers its
// headers at once and then sends nothing fails after Options.IdleBody,
// however long the whole transfer is allowed to take.
package httpclient

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Options are a client's deadlines; a zero field takes its Defaults value.
type Options struct {
	// Dial bounds connecting (TCP).
	Dial time.Duration
	// TLSHandshake bounds the TLS handshake.
	TLSHandshake time.Duration
	// ResponseHeader bounds the wait for the response headers once the
	// request is sent.
	ResponseHeader time.Duration
	// IdleBody bounds the wait for the next bytes of a response body.
	IdleBody time.Duration
	// Total bounds a whole call, body included (http.Client.Timeout);
	// zero means no bound beyond the others and the caller's context.
	Total time.Duration
	// TLS is the TLS configuration (trusted CAs, client certificates);
	// nil means Go's defaults. ConfigureTransport uses a clone.
	TLS *tls.Config
}

// Defaults are generous: only a hung server reaches them.
var Defaults = Options{
	Dial:           30 * time.Second,
	TLSHandshake:   30 * time.Second,
	ResponseHeader: 60 * time.Second,
	IdleBody:       60 * time.Second,
}

// ErrIdleBody is the cause of a body read that failed because the server
// sent nothing for Options.IdleBody.
var ErrIdleBody = errors.New("the server stopped sending")

// New returns a client with the deadlines of o (Defaults where unset),
// proxies from the environment as net/http's default transport, and no
// shared state with other clients.
func New(o Options) *http.Client {
	o = o.withDefaults()
	return &http.Client{Transport: NewTransport(o), Timeout: o.Total}
}

// NewTransport returns the RoundTripper of New, for clients that build
// their own http.Client (Options.Total is then theirs to set).
func NewTransport(o Options) http.RoundTripper {
	o = o.withDefaults()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	ConfigureTransport(tr, o)
	return &idleTransport{base: tr, idle: o.IdleBody}
}

// ConfigureTransport sets the connect, TLS and response-header deadlines of
// o (Defaults where unset) on tr, for clients that must be built elsewhere
// (the AWS SDK's BuildableClient, which a custom CA bundle requires). The
// idle-body deadline needs the RoundTripper of NewTransport.
func ConfigureTransport(tr *http.Transport, o Options) {
	o = o.withDefaults()
	tr.DialContext = (&net.Dialer{Timeout: o.Dial, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = o.TLSHandshake
	tr.ResponseHeaderTimeout = o.ResponseHeader
	if o.TLS != nil {
		tr.TLSClientConfig = o.TLS.Clone()
	}
}

func (o Options) withDefaults() Options {
	for _, f := range []struct{ v, d *time.Duration }{
		{&o.Dial, &Defaults.Dial}, {&o.TLSHandshake, &Defaults.TLSHandshake},
		{&o.ResponseHeader, &Defaults.ResponseHeader}, {&o.IdleBody, &Defaults.IdleBody},
	} {
		if *f.v <= 0 {
			*f.v = *f.d
		}
	}
	return o
}

// idleTransport gives every response body an idle timer: each request runs
// under its own context, cancelled (which closes the connection and ends a
// blocked Read) when a Read has waited longer than idle.
type idleTransport struct {
	base *http.Transport
	idle time.Duration
}

func (t *idleTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel(nil)
		return nil, err
	}
	resp.Body = IdleBody(ctx, cancel, resp.Body, t.idle)
	return resp, nil
}

// IdleBody wraps the body of a response received under ctx, which cancel
// cancels: a Read that waits longer than idle for data cancels ctx, which
// ends the transfer, and fails with ErrIdleBody. It is for clients whose
// transport is not NewTransport's (an AWS SDK streaming body): run the
// request under a context made by context.WithCancelCause and wrap the
// body it returns. Close cancels ctx.
func IdleBody(ctx context.Context, cancel context.CancelCauseFunc, body io.ReadCloser, idle time.Duration) io.ReadCloser {
	if idle <= 0 {
		idle = Defaults.IdleBody
	}
	return &idleBody{body: body, ctx: ctx, cancel: cancel, idle: idle}
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// transport.
func (t *idleTransport) CloseIdleConnections() { t.base.CloseIdleConnections() }

// idleBody is a response body whose Reads fail once one has waited longer
// than idle for data.
type idleBody struct {
	body   io.ReadCloser
	ctx    context.Context
	cancel context.CancelCauseFunc
	idle   time.Duration

	mu    sync.Mutex
	timer *time.Timer
}

func (b *idleBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	if b.timer == nil {
		b.timer = time.AfterFunc(b.idle, func() {
			b.cancel(fmt.Errorf("%w: no data for %s", ErrIdleBody, b.idle))
		})
	} else {
		b.timer.Reset(b.idle)
	}
	b.mu.Unlock()
	n, err := b.body.Read(p)
	b.mu.Lock()
	b.timer.Stop() // the time the caller takes between Reads is not idle
	b.mu.Unlock()
	if err != nil && err != io.EOF {
		if cause := context.Cause(b.ctx); errors.Is(cause, ErrIdleBody) {
			err = cause
		}
	}
	return n, err
}

func (b *idleBody) Close() error {
	err := b.body.Close()
	b.mu.Lock()
	if b.timer != nil {
		b.timer.Stop()
	}
	b.mu.Unlock()
	b.cancel(nil)
	return err
}
