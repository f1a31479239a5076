package state

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gitdrift/driftctl/internal/httpclient"
)

// WithHTTPBasicAuth sends username and password (HTTP basic
// authentication, as the http backend's username and password settings)
// with the requests to http(s):// locations. The password never appears
// in errors or logs.
func WithHTTPBasicAuth(username, password string) Option {
	return func(o *loadOptions) { o.httpUser, o.httpPassword = username, password }
}

// WithHTTPTLS sets the TLS settings of the requests to https:// locations,
// as the http backend's settings: skipVerify (skip_cert_verification)
// accepts any server certificate; caPEM (client_ca_certificate_pem) is the
// CA that signs the server's certificate, instead of the system's; certPEM
// and keyPEM (client_certificate_pem, client_private_key_pem) are a client
// certificate for mutual TLS. Empty strings leave a setting out. It has no
// effect with WithHTTPClient.
func WithHTTPTLS(skipVerify bool, caPEM, certPEM, keyPEM string) Option {
	return func(o *loadOptions) {
		o.httpTLS = &httpTLS{skipVerify: skipVerify, caPEM: caPEM, certPEM: certPEM, keyPEM: keyPEM}
	}
}

// WithHTTPRetries retries a read of an http(s):// location that could not
// connect, or was answered 429 or a 5xx status but 501, up to max times:
// first after waitMin, then twice as long each time, at most waitMax. As
// the http backend's retry_max, retry_wait_min and retry_wait_max (whose
// defaults Resolve gives: 2, 1s, 30s); without it there is no retry.
func WithHTTPRetries(max int, waitMin, waitMax time.Duration) Option {
	return func(o *loadOptions) { o.httpRetry = httpRetry{max: max, waitMin: waitMin, waitMax: waitMax} }
}

type httpRetry struct {
	max              int
	waitMin, waitMax time.Duration
}

// wait is how long to wait before retry n (1, 2, ...).
func (r httpRetry) wait(n int) time.Duration {
	d := r.waitMin
	for i := 1; i < n && d < r.waitMax; i++ {
		d *= 2
	}
	return min(d, r.waitMax)
}

// retryable reports whether a request that failed with err, or was
// answered status, may succeed if sent again, as go-retryablehttp's
// DefaultRetryPolicy (which the http backend uses) decides: not for an
// untrusted certificate, a bad URL or too many redirects.
func retryable(err error, status int) bool {
	if err != nil {
		var unknownCA x509.UnknownAuthorityError
		var invalid x509.CertificateInvalidError
		var hostname x509.HostnameError
		var verify *tls.CertificateVerificationError
		switch {
		case errors.As(err, &unknownCA), errors.As(err, &invalid), errors.As(err, &hostname), errors.As(err, &verify),
			strings.Contains(err.Error(), "stopped after"), strings.Contains(err.Error(), "unsupported protocol scheme"):
			return false
		}
		return true
	}
	return status == http.StatusTooManyRequests || (status >= 500 && status != http.StatusNotImplemented)
}

type httpTLS struct {
	skipVerify             bool
	caPEM, certPEM, keyPEM string
}

// config is the tls.Config of the settings.
func (t *httpTLS) config() (*tls.Config, error) {
	// InsecureSkipVerify only when the configuration says
	// skip_cert_verification = true, as the http backend does.
	c := &tls.Config{InsecureSkipVerify: t.skipVerify}
	if t.caPEM != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(t.caPEM)) {
			return nil, errors.New("client_ca_certificate_pem holds no PEM certificate")
		}
		c.RootCAs = pool
	}
	switch {
	case t.certPEM != "" && t.keyPEM != "":
		cert, err := tls.X509KeyPair([]byte(t.certPEM), []byte(t.keyPEM))
		if err != nil {
			// The error names neither the key nor its bytes.
			return nil, fmt.Errorf("client_certificate_pem and client_private_key_pem: %w", err)
		}
		c.Certificates = []tls.Certificate{cert}
	case t.certPEM != "" || t.keyPEM != "":
		return nil, errors.New("client_certificate_pem and client_private_key_pem go together")
	}
	return c, nil
}

// httpClientOf is the client for http(s):// locations: WithHTTPClient's,
// or one with internal/httpclient's deadlines and o's TLS settings.
func httpClientOf(o *loadOptions) (*http.Client, error) {
	if o.httpClient != nil {
		return o.httpClient, nil
	}
	opts := httpclient.Defaults
	if o.httpTLS != nil {
		c, err := o.httpTLS.config()
		if err != nil {
			return nil, err
		}
		opts.TLS = c
	}
	return httpclient.New(opts), nil
}

// readHTTP reads a state over HTTP as Terraform's http backend does
// (internal/backend/remote-state/http/client.go, Get): 200 with the state,
// 204 or an empty body for no state yet (ErrNoState), 404 for none
// (ErrNotFound). Anything else is an error saying what was answered: a
// state is never made up from an error page.
func readHTTP(ctx context.Context, location string, o *loadOptions) ([]byte, error) {
	client, err := httpClientOf(o)
	if err != nil {
		return nil, err
	}
	var (
		req  *http.Request
		resp *http.Response
	)
	for attempt := 0; ; attempt++ {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, location, nil)
		if err != nil {
			return nil, err
		}
		if o.httpUser != "" || o.httpPassword != "" {
			req.SetBasicAuth(o.httpUser, o.httpPassword)
		}
		resp, err = client.Do(req)
		status := 0
		if err == nil {
			status = resp.StatusCode
		}
		if attempt >= o.httpRetry.max || !retryable(err, status) || ctx.Err() != nil {
			break
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAPIAnswer))
			resp.Body.Close()
		}
		t := time.NewTimer(o.httpRetry.wait(attempt + 1))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, context.Cause(ctx)
		case <-t.C:
		}
	}
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			// The caller's message names the location already.
			err = uerr.Err
		}
		return nil, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("%w: HTTP status %s", ErrNotFound, resp.Status)
	case resp.StatusCode == http.StatusNoContent:
		// Terraform's http backend reads 204 as "no state yet".
		return nil, nil
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		if req.Header.Get("Authorization") == "" {
			return nil, fmt.Errorf("HTTP status %s: the server wants credentials (the http backend's username and password, or TF_HTTP_USERNAME and TF_HTTP_PASSWORD)", resp.Status)
		}
		return nil, fmt.Errorf("HTTP status %s: the server refused the credentials", resp.Status)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("HTTP status %s", resp.Status)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "text/html" {
		// A proxy's or single sign-on's login page answers 200 too.
		return nil, fmt.Errorf("%w: the server answered an HTML page (%s), not a state: a login page or a wrong address?", ErrInvalid, resp.Status)
	}
	return readAll(resp.Body)
}
