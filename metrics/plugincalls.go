package metrics

import (
	"path/filepath"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// PluginCalls counts the calls driftctl makes to Terraform provider
// plugin processes, and those that failed.
type PluginCalls struct {
	calls  *prometheus.CounterVec
	errors *prometheus.CounterVec
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
}

// Collect sends the counters.
func (p *PluginCalls) Collect(ch chan<- prometheus.Metric) {
	p.calls.Collect(ch)
	p.errors.Collect(ch)
}
