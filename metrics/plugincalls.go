package metrics

import (
	"path/filepath"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// PluginCalls counts the calls driftctl makes to Terraform provider
// plugin processes, and those that failed.
//
// As a prometheus.Collector it exposes the counters
// driftctl_plugin_calls_total and driftctl_plugin_errors_total and the
// gauge driftctl_plugin_processes (driftctl serve); NewJobRegistry shows
// the counts as the gauges driftctl_scan_plugin_calls and
// driftctl_scan_plugin_errors, and no processes, since none runs once a
// one-shot scan is done.
type PluginCalls struct {
	calls     *prometheus.CounterVec
	errors    *prometheus.CounterVec
	processes *prometheus.Desc

	mu sync.Mutex
	// pools count the processes of the scans under way (see Track).
	pools map[int]func() int
	next  int
}

// NewPluginCalls returns zeroed counters, registered nowhere.
func NewPluginCalls() *PluginCalls {
	labels := []string{"provider", "rpc"}
	return &PluginCalls{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: prometheus.BuildFQName(namespace, "plugin", "calls_total"),
			Help: "Calls made to provider plugin processes, by provider configuration and RPC.",
		}, labels),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: prometheus.BuildFQName(namespace, "plugin", "errors_total"),
			Help: "Calls to provider plugin processes that failed, by provider configuration and RPC.",
		}, labels),
		processes: prometheus.NewDesc(prometheus.BuildFQName(namespace, "plugin", "processes"),
			"Provider plugin processes running, in every scan under way.", nil, nil),
		pools: map[int]func() int{},
	}
}

// lastScan shows the counts of a one-shot scan as gauges.
func (p *PluginCalls) lastScan() prometheus.Collector {
	labels := []string{"provider", "rpc"}
	return counterGauges{
		newCounterGauge(p.calls, prometheus.BuildFQName(namespace, "scan", "plugin_calls"),
			"Calls made to provider plugin processes during the scan, by provider configuration and RPC (one-shot scans; driftctl serve counts them in driftctl_plugin_calls_total).",
			labels),
		newCounterGauge(p.errors, prometheus.BuildFQName(namespace, "scan", "plugin_errors"),
			"Calls to provider plugin processes during the scan that failed, by provider configuration and RPC (one-shot scans; driftctl serve counts them in driftctl_plugin_errors_total).",
			labels),
	}
}

// Track counts the processes a scan's plugin pool runs (processes says
// how many now) in driftctl_plugin_processes until stop is called, as
// scan.PluginOptions.Track takes it.
func (p *PluginCalls) Track(processes func() int) (stop func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	id := p.next
	p.next++
	p.pools[id] = processes
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		delete(p.pools, id)
	}
}

// Observe counts one call: provider is the provider configuration's key
// ("aws", "aws.west") or the binary's path, rpc the protocol's name of the
// call ("ReadResource"), err nil on success. A failed call counts in both
// counters. It is safe for concurrent use, as scan.PluginOptions.Observe
// must be.
func (p *PluginCalls) Observe(provider, rpc string, err error) {
	provider = pluginLabel(provider)
	p.calls.WithLabelValues(provider, rpc).Inc()
	if err != nil {
		p.errors.WithLabelValues(provider, rpc).Inc()
	}
}

// pluginLabel is the provider label of a key. The pool observes the first
// GetProviderSchema of a binary under the binary's path, before any
// configuration owns the process. A path is a poor label: it differs from
// machine to machine (cache directories, home directories) and may name a
// user, so the binary's base name (terraform-provider-aws_v5.31.0_x5)
// stands for it.
func pluginLabel(provider string) string {
	if strings.ContainsRune(provider, '/') || strings.ContainsRune(provider, filepath.Separator) {
		return filepath.Base(provider)
	}
	return provider
}

// Describe sends the counters' descriptors.
func (p *PluginCalls) Describe(ch chan<- *prometheus.Desc) {
	p.calls.Describe(ch)
	p.errors.Describe(ch)
	ch <- p.processes
}

// Collect sends the counters.
func (p *PluginCalls) Collect(ch chan<- prometheus.Metric) {
	p.calls.Collect(ch)
	p.errors.Collect(ch)
	p.mu.Lock()
	n := 0
	for _, count := range p.pools {
		n += count()
	}
	p.mu.Unlock()
	ch <- prometheus.MustNewConstMetric(p.processes, prometheus.GaugeValue, float64(n))
}
