package metrics

import (
	"cmp"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Collector exposes the last snapshot of every stack. Collect only reads
// the snapshots given to Set: a scrape never calls a cloud or Git.
type Collector struct {
	maxDriftInfo int

	mu    sync.RWMutex
	snaps map[string]*Snapshot

	resources, driftInfo, driftOmitted, driftSince, driftDetected,
	coverage, success, duration, lastScan, lastSuccess, scans, specInfo *prometheus.Desc
	withheld, providerInfo *prometheus.Desc
}

// NewCollector returns a collector without snapshots. maxDriftInfo bounds
// the driftctl_drift_info and driftctl_drift_since_timestamp_seconds
// series of one stack (a stack with thousands of unmanaged resources must
// not explode Prometheus's series count); 0 or less exposes none.
func NewCollector(maxDriftInfo int) *Collector {
	stack := []string{"stack"}
	item := []string{"stack", "address", "type", "id", "status", "provider"}
	return &Collector{
		maxDriftInfo: maxDriftInfo,
		snaps:        map[string]*Snapshot{},
		resources: prometheus.NewDesc("driftctl_resources",
			"Resources found by the last scan with a report, per provider, type and status.",
			[]string{"stack", "provider", "type", "status"}, nil),
		driftInfo: prometheus.NewDesc("driftctl_drift_info",
			"A resource that is not in sync (always 1); at most the configured number per stack.",
			item, nil),
		// A gauge rather than a counter: it is the number left out by the
		// last scan, which goes down as well as up.
		driftOmitted: prometheus.NewDesc("driftctl_drift_info_omitted_resources",
			"Resources not in sync that the last scan left out of driftctl_drift_info to bound the series count (a gauge: the last scan's number).",
			stack, nil),
		driftSince: prometheus.NewDesc("driftctl_drift_since_timestamp_seconds",
			"When a resource was first seen with its status, for the resources of driftctl_drift_info.",
			item, nil),
		driftDetected: prometheus.NewDesc("driftctl_drift_detected",
			"1 when the last scan with a report found resources with a status that fails the scan (fail_on), else 0.",
			stack, nil),
		coverage: prometheus.NewDesc("driftctl_coverage_ratio",
			"Resources checked and managed over all resources found (unmanaged ones and those whose read failed lower it), from the last scan with a report.",
			stack, nil),
		success: prometheus.NewDesc("driftctl_scan_success",
			"1 when the last scan produced a complete report, else 0.",
			stack, nil),
		duration: prometheus.NewDesc("driftctl_scan_duration_seconds",
			"How long the last scan took.",
			stack, nil),
		lastScan: prometheus.NewDesc("driftctl_last_scan_timestamp_seconds",
			"When the last scan ended.",
			stack, nil),
		lastSuccess: prometheus.NewDesc("driftctl_last_successful_scan_timestamp_seconds",
			"When the last successful scan ended.",
			stack, nil),
		scans: prometheus.NewDesc("driftctl_scans_total",
			"Scans per result: success (complete report), partial (report with errors), error (no report).",
			[]string{"stack", "result"}, nil),
		withheld: prometheus.NewDesc("driftctl_unmanaged_withheld",
			"A type whose unmanaged resources the last scan with a report did not report, since part of the configuration that may declare them was not evaluated (always 1).",
			[]string{"stack", "provider", "type"}, nil),
		// An info metric rather than labels on driftctl_resources, whose
		// series alert rules and dashboards select: join with
		// driftctl_resources * on(stack, provider) group_left(account, region) driftctl_provider_info.
		providerInfo: prometheus.NewDesc("driftctl_provider_info",
			"A provider configuration of the last scan with a report, with the account ID of its credentials (\"\" when not known) and its region (always 1).",
			[]string{"stack", "provider", "account", "region"}, nil),
		specInfo: prometheus.NewDesc("driftctl_spec_info",
			"The desired state of the last scan with a report: source, Git commit and ref (always 1).",
			[]string{"stack", "commit", "ref", "source"}, nil),
	}
}

// Set replaces the snapshot of s.Stack with a copy of s. It is safe to
// call while Prometheus scrapes. Entries that would make the same series
// twice (a snapshot kept on disk by an older or buggy version, or edited
// by hand) are dropped, keeping the first, so that one stack can never
// make a scrape fail; Set returns how many it dropped, for the caller to
// log.
func (c *Collector) Set(s *Snapshot) (duplicates int) {
	cp := s.clone()
	duplicates = cp.dedupe()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.snaps[s.Stack] = cp
	return duplicates
}

// Snapshots returns copies of the snapshots, sorted by stack.
func (c *Collector) Snapshots() []*Snapshot {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]*Snapshot, 0, len(c.snaps))
	for _, s := range c.snaps {
		out = append(out, s.clone())
	}
	slices.SortFunc(out, func(a, b *Snapshot) int { return cmp.Compare(a.Stack, b.Stack) })
	return out
}

// Describe sends the descriptors of every metric the collector exposes.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) { c.describe(ch, true) }

// Collect sends the metrics of every stack's snapshot.
func (c *Collector) Collect(ch chan<- prometheus.Metric) { c.collect(ch, true) }

// describe sends the descriptors, driftctl_scans_total's only when
// counters is set.
func (c *Collector) describe(ch chan<- *prometheus.Desc, counters bool) {
	for _, d := range []*prometheus.Desc{
		c.resources, c.driftInfo, c.driftOmitted, c.driftSince, c.driftDetected,
		c.coverage, c.success, c.duration, c.lastScan, c.lastSuccess, c.specInfo, c.withheld, c.providerInfo,
	} {
		ch <- d
	}
	if counters {
		ch <- c.scans
	}
}

// collect sends the metrics of every stack's snapshot, the counter
// driftctl_scans_total only when counters is set.
func (c *Collector) collect(ch chan<- prometheus.Metric, counters bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, stack := range slices.Sorted(maps.Keys(c.snaps)) {
		c.collectStack(ch, c.snaps[stack], counters)
	}
}

// gaugesOnly exposes a Collector without its counter, for the outputs of
// one-shot scans (see NewJobRegistry).
type gaugesOnly struct{ c *Collector }

func (g gaugesOnly) Describe(ch chan<- *prometheus.Desc) { g.c.describe(ch, false) }
func (g gaugesOnly) Collect(ch chan<- prometheus.Metric) { g.c.collect(ch, false) }

func (c *Collector) collectStack(ch chan<- prometheus.Metric, s *Snapshot, counters bool) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, append([]string{s.Stack}, labels...)...)
	}
	gauge(c.specInfo, 1, s.Commit, s.Ref, s.Source)
	gauge(c.success, boolFloat(s.Success))
	gauge(c.duration, s.DurationSeconds)
	gauge(c.lastScan, unixSeconds(s.LastScan))
	if !s.LastSuccess.IsZero() {
		gauge(c.lastSuccess, unixSeconds(s.LastSuccess))
	}
	if counters {
		for _, r := range results {
			ch <- prometheus.MustNewConstMetric(c.scans, prometheus.CounterValue, s.Scans[r], s.Stack, r)
		}
	}
	// Without a report nothing is known about the resources: their series
	// are absent rather than 0, so "no drift" is never claimed.
	if !s.HasReport {
		return
	}
	gauge(c.coverage, s.Coverage)
	gauge(c.driftDetected, boolFloat(s.DriftDetected))
	for _, r := range s.Resources {
		gauge(c.resources, float64(r.Count), r.Provider, r.Type, r.Status)
	}
	for _, w := range s.Withheld {
		gauge(c.withheld, 1, w.Provider, w.Type)
	}
	for _, p := range s.Providers {
		gauge(c.providerInfo, 1, p.Provider, p.Account, p.Region)
	}
	shown := s.Drift[:min(len(s.Drift), max(c.maxDriftInfo, 0))]
	for _, d := range shown {
		gauge(c.driftInfo, 1, d.Address, d.Type, d.ID, d.Status, d.Provider)
		gauge(c.driftSince, unixSeconds(d.Since), d.Address, d.Type, d.ID, d.Status, d.Provider)
	}
	gauge(c.driftOmitted, float64(len(s.Drift)-len(shown)))
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// unixSeconds is t as Unix seconds with sub-second precision.
func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}
