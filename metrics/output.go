package metrics

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/gitdrift/driftctl/internal/atomicfile"
)

// Job is the Pushgateway job that Push pushes to.
const Job = "driftctl"

// pushTimeout bounds one push when ctx has no earlier deadline: a
// Pushgateway that hangs must not hang a scheduled scan.
const pushTimeout = 30 * time.Second

// Push replaces the metrics of the group job="driftctl", stack=stack on the
// Pushgateway at url with those g gathers (an HTTP PUT: series that the
// scan no longer reports disappear from the group).
//
// The Pushgateway adds the grouping labels to every metric of the group,
// and refuses metrics that carry them already, so the stack label is taken
// off the gathered metrics; a metric of another stack is an error.
func Push(ctx context.Context, url, stack string, g prometheus.Gatherer) error {
	err := push.New(url, Job).
		Grouping("stack", stack).
		Client(&http.Client{Timeout: pushTimeout}).
		Gatherer(withoutLabel(g, "stack", stack)).
		PushContext(ctx)
	if err != nil {
		return fmt.Errorf("pushing metrics of stack %s to %s: %w", stack, url, err)
	}
	return nil
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
