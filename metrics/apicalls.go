package metrics

import "github.com/prometheus/client_golang/prometheus"

// APICalls counts the API calls that providers make, every attempt
// (retries included), and those that failed per error code.
//
// As a prometheus.Collector it exposes the counters
// driftctl_provider_api_calls_total and driftctl_provider_api_errors_total
// (driftctl serve); NewJobRegistry shows the same counts as the gauges
// driftctl_scan_provider_api_calls and driftctl_scan_provider_api_errors.
type APICalls struct {
	calls  *prometheus.CounterVec
	errors *prometheus.CounterVec
}

// apiCallLabels and apiErrorLabels are the counters' label names.
func apiCallLabels() []string  { return []string{"provider", "service", "operation"} }
func apiErrorLabels() []string { return []string{"provider", "service", "operation", "code"} }

// NewAPICalls returns zeroed counters, registered nowhere.
func NewAPICalls() *APICalls {
	return &APICalls{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: prometheus.BuildFQName(namespace, "provider", "api_calls_total"),
			Help: "API call attempts made by providers, retries included.",
		}, apiCallLabels()),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: prometheus.BuildFQName(namespace, "provider", "api_errors_total"),
			Help: "API call attempts that failed, per error code (the API's, NetworkError or Canceled).",
		}, apiErrorLabels()),
	}
}

// lastScan shows the counts of a one-shot scan as gauges.
func (a *APICalls) lastScan() prometheus.Collector {
	return counterGauges{
		newCounterGauge(a.calls, prometheus.BuildFQName(namespace, "scan", "provider_api_calls"),
			"API call attempts made by providers during the scan, retries included (one-shot scans; driftctl serve counts them in driftctl_provider_api_calls_total).",
			apiCallLabels()),
		newCounterGauge(a.errors, prometheus.BuildFQName(namespace, "scan", "provider_api_errors"),
			"API call attempts of the scan that failed, per error code (the API's, NetworkError or Canceled) (one-shot scans; driftctl serve counts them in driftctl_provider_api_errors_total).",
			apiErrorLabels()),
	}
}

// Observe counts one attempt of an API call. code is "" for a success,
// else the error code; a failed attempt counts in both counters.
func (a *APICalls) Observe(provider, service, operation, code string) {
	a.calls.WithLabelValues(provider, service, operation).Inc()
	if code != "" {
		a.errors.WithLabelValues(provider, service, operation, code).Inc()
	}
}

// Describe sends the counters' descriptors.
func (a *APICalls) Describe(ch chan<- *prometheus.Desc) {
	a.calls.Describe(ch)
	a.errors.Describe(ch)
}

// Collect sends the counters.
func (a *APICalls) Collect(ch chan<- prometheus.Metric) {
	a.calls.Collect(ch)
	a.errors.Collect(ch)
}
