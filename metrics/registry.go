package metrics

import (
	"runtime"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
)

// namespace is the first part of every metric name (driftctl_...).
const namespace = "driftctl"

// NewRegistry returns a new registry holding c, api and plugins (each when
// not nil) and driftctl_build_info. It never touches Prometheus's default
// registry, so that tests and several servers in one process stay apart.
func NewRegistry(c *Collector, api *APICalls, plugins *PluginCalls, version string) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	if api != nil {
		reg.MustRegister(api)
	}
	if plugins != nil {
		reg.MustRegister(plugins)
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "driftctl_build_info",
		Help: "The driftctl build that exposes these metrics (always 1).",
		ConstLabels: prometheus.Labels{
			"version":   version,
			"revision":  revision(),
			"goversion": runtime.Version(),
		},
	})
	build.Set(1)
	reg.MustRegister(build)
	return reg
}

// revision is the VCS revision the binary was built from, "unknown" when
// the build did not record it (go test, -buildvcs=false).
func revision() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && s.Value != "" {
				return s.Value
			}
		}
	}
	return "unknown"
}
