package metrics

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/gitdrift/driftctl/internal/atomicfile"
	"github.com/gitdrift/driftctl/internal/httpclient"
	"github.com/gitdrift/driftctl/internal/redact"
)

// Job is the Pushgateway job that Push pushes to.
const Job = "driftctl"

// pushTimeout bounds one push when ctx has no earlier deadline: a
// Pushgateway that hangs must not hang a scheduled scan.
const pushTimeout = 30 * time.Second

// maxErrorBody bounds how much of a failed push's response body the error
// shows.
const maxErrorBody = 200

// PushMode says what a push does to the metrics the group already holds on
// the Pushgateway.
type PushMode int

const (
	// PushReplace (an HTTP PUT) leaves the group holding exactly the pushed
	// metrics: series that the scan no longer reports disappear. A
	// complete scan pushes so.
	PushReplace PushMode = iota
	// PushUpdate (an HTTP POST) replaces the metrics of the pushed names
	// and keeps the others. A scan that failed pushes so, as the
	// Pushgateway's documentation advises for a batch job's failures: the
	// last successful scan's timestamp and its drift series stay, as serve
	// keeps the last known state, and DriftScanStale still sees when the
	// stack last succeeded.
	PushUpdate
)

// Push sends the metrics g gathers to the group job="driftctl",
// stack=stack on the Pushgateway at url, replacing the group's metrics or
// only those of the same names (mode).
//
// The Pushgateway adds the grouping labels to every metric of the group,
// and refuses metrics that carry them already, so the stack label is taken
// off the gathered metrics; a metric of another stack is an error.
//
// Credentials in url (user:password@) are sent as basic authentication;
// errors show url redacted, and at most 200 bytes of the Pushgateway's
// answer, with the credentials masked should it echo them.
func Push(ctx context.Context, url, stack string, g prometheus.Gatherer, mode PushMode) error {
	shown := redact.URL(url)
	target, user, password, err := splitUserinfo(url)
	if err != nil {
		return fmt.Errorf("pushing metrics of stack %s to %s: invalid URL", stack, shown)
	}
	p := push.New(target, Job).
		Grouping("stack", stack).
		Client(&http.Client{Transport: boundedErrors{httpclient.NewTransport(httpclient.Defaults)}, Timeout: pushTimeout}).
		Gatherer(withoutLabel(g, "stack", stack))
	if user != "" || password != "" {
		p = p.BasicAuth(user, password)
	}
	send := p.PushContext
	if mode == PushUpdate {
		send = p.AddContext
	}
	if err := send(ctx); err != nil {
		return &pushError{
			msg: fmt.Sprintf("pushing metrics of stack %s to %s: %s", stack, shown, scrub(err.Error(), url, user, password)),
			err: err,
		}
	}
	return nil
}

// splitUserinfo takes the userinfo out of a URL.
func splitUserinfo(raw string) (target, user, password string, err error) {
	u, err := neturl.Parse(raw)
	if err != nil {
		return "", "", "", err
	}
	if u.User != nil {
		user = u.User.Username()
		password, _ = u.User.Password()
		u.User = nil
	}
	return u.String(), user, password, nil
}

// scrub redacts the URL in msg and masks the credentials, in clear and as a
// basic Authorization header carries them, wherever the message shows
// them (a Pushgateway, or a proxy before it, may echo the request).
func scrub(msg, url, user, password string) string {
	msg = redact.String(msg, url)
	if password == "" && user == "" {
		return msg
	}
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	for _, secret := range []string{basic, password} {
		if len(secret) >= 3 {
			msg = strings.ReplaceAll(msg, secret, redact.Mask)
		}
	}
	if password == "" && len(user) >= 3 { // a user name alone is a token
		msg = strings.ReplaceAll(msg, user, redact.Mask)
	}
	return msg
}

// pushError is a failed push whose message is redacted; it unwraps to the
// push library's error.
type pushError struct {
	msg string
	err error
}

func (e *pushError) Error() string { return e.msg }
func (e *pushError) Unwrap() error { return e.err }

// boundedErrors cuts the body of a response that is not a success to
// maxErrorBody bytes: the push library reads it whole into its error.
type boundedErrors struct{ next http.RoundTripper }

func (b boundedErrors) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := b.next.RoundTrip(req)
	if err == nil && (resp.StatusCode < 200 || resp.StatusCode > 299) {
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.LimitReader(resp.Body, maxErrorBody), resp.Body}
	}
	return resp, err
}

// withoutLabel gathers from g and removes the label name from every
// metric, failing when its value is not value.
func withoutLabel(g prometheus.Gatherer, name, value string) prometheus.Gatherer {
	return prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		mfs, err := g.Gather()
		if err != nil {
			return nil, err
		}
		for _, mf := range mfs {
			for _, m := range mf.GetMetric() {
				kept := m.Label[:0]
				for _, l := range m.GetLabel() {
					if l.GetName() != name {
						kept = append(kept, l)
						continue
					}
					if l.GetValue() != value {
						return nil, fmt.Errorf("metric %s has %s=%q, not %q", mf.GetName(), name, l.GetValue(), value)
					}
				}
				m.Label = kept
			}
		}
		return mfs, nil
	})
}

// WriteTextfile writes the metrics g gathers to path in the text format
// that node_exporter's textfile collector reads. A regular file is replaced
// atomically (a temporary file in the same directory, synced, then
// renamed), so the collector never reads half a file; on error path is left
// as it was. A device or a FIFO is written in place, a directory refused
// (see internal/atomicfile).
func WriteTextfile(path string, g prometheus.Gatherer) error {
	mfs, err := g.Gather()
	if err != nil {
		return fmt.Errorf("gathering metrics for %s: %w", path, err)
	}
	err = atomicfile.Write(path, 0o644, func(w io.Writer) error {
		for _, mf := range mfs {
			if _, err := expfmt.MetricFamilyToText(w, mf); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("writing metrics: %w", err)
	}
	return nil
}
