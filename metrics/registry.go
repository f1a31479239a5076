package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/gitdrift/driftctl/internal/buildinfo"
)

// namespace is the first part of every metric name (driftctl_...).
const namespace = "driftctl"

// Build identifies the driftctl binary in driftctl_build_info.
type Build struct {
	// Version is driftctl's version ("v1.2.3", "dev").
	Version string
	// Revision is the VCS revision it was built from ("unknown" when
	// not recorded).
	Revision string
	// GoVersion is the Go version that built it ("go1.26.0").
	GoVersion string
}

// BinaryBuild is the running binary's Build, with version as its Version
// and revision as its Revision (the caller knows what was set at link
// time; "" for the revision the toolchain recorded, see
// internal/buildinfo) and the Go version that built it.
func BinaryBuild(version, revision string) Build {
	if revision == "" {
		revision = buildinfo.Revision()
	}
	return Build{Version: version, Revision: revision, GoVersion: buildinfo.GoVersion()}
}

// NewRegistry returns the registry of a long-running exporter (driftctl
// serve): c, api and plugins (each when not nil), driftctl_build_info,
// and the Go runtime (go_*) and process (process_*) collectors, as
// node_exporter exposes them. It never touches Prometheus's default
// registry, so that tests and several servers in one process stay apart.
//
// c's series carry the stack label; the others describe the process,
// which scans every stack, and do not:
//   - driftctl_build_info, go_* and process_*: one binary, one process;
//   - driftctl_provider_api_*: the AWS clients, their rate limiter and
//     these counters are shared by every stack's scans, and a call is not
//     attributed to a stack (two stacks may read the same account);
//   - driftctl_plugin_*: the plugin processes' calls are counted by
//     provider configuration across scans, and driftctl_plugin_processes
//     is how many run now in all of them.
//
// driftctl_remediations_total, which serve registers itself, is per stack.
func NewRegistry(c *Collector, api *APICalls, plugins *PluginCalls, build Build) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(c, buildInfo(build),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if api != nil {
		reg.MustRegister(api)
	}
	if plugins != nil {
		reg.MustRegister(plugins)
	}
	return reg
}

// NewJobRegistry returns the registry of a one-shot scan of stack (driftctl
// scan --metrics-textfile, --pushgateway); c holds that stack's snapshot
// only. It differs from NewRegistry's in two ways.
//
// Every series carries stack="<stack>": two stacks' textfiles side by side
// in node_exporter's textfile directory, which it merges into one scrape,
// never make the same series twice (that fails the whole scrape).
//
// It holds gauges only. A counter pushed or written by a process that
// counted one scan is meaningless: driftctl_scans_total would be 1 at
// every run, and rate() over a value that starts again at each run is
// noise. The Pushgateway's documentation says it is "not an aggregator
// or distributed counter", and that a batch job pushes its last run's
// outcome (success, duration, completion time) as gauges. So the scan is
// described by the gauges serve exposes too (driftctl_scan_success,
// driftctl_scan_duration_seconds, driftctl_last_scan_timestamp_seconds,
// driftctl_last_successful_scan_timestamp_seconds), and the calls it made
// by driftctl_scan_provider_api_calls, driftctl_scan_provider_api_errors,
// driftctl_scan_plugin_calls and driftctl_scan_plugin_errors. The Go
// runtime and process collectors are left out: node_exporter exposes its
// own go_* and process_* series, which a textfile must not repeat, and a
// finished process's are of no use.
func NewJobRegistry(stack string, c *Collector, api *APICalls, plugins *PluginCalls, build Build) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(gaugesOnly{c})
	withStack := prometheus.WrapRegistererWith(prometheus.Labels{"stack": stack}, reg)
	withStack.MustRegister(buildInfo(build))
	if api != nil {
		withStack.MustRegister(api.lastScan())
	}
	if plugins != nil {
		withStack.MustRegister(plugins.lastScan())
	}
	return reg
}

// buildInfo is driftctl_build_info, always 1.
func buildInfo(b Build) prometheus.Collector {
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: prometheus.BuildFQName(namespace, "", "build_info"),
		Help: "The driftctl build that exposes these metrics: version, VCS revision and Go version (always 1).",
		ConstLabels: prometheus.Labels{
			"version":   b.Version,
			"revision":  b.Revision,
			"goversion": b.GoVersion,
		},
	})
	build.Set(1)
	return build
}
