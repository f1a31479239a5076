package metrics

import "github.com/prometheus/client_golang/prometheus"

// APICalls counts the API calls that providers make, every attempt
// (retries included), and those that failed per error code.
type APICalls struct {
	calls  *prometheus.CounterVec
	errors *prometheus.CounterVec
}

// NewAPICalls returns zeroed counters, registered nowhere.
func NewAPICalls() *APICalls {
	return &APICalls{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "driftctl_provider_api_calls_total",
			Help: "API call attempts made by providers, retries included.",
		}, []string{"provider", "service", "operation"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "driftctl_provider_api_errors_total",
			Help: "API call attempts that failed, per error code (the API's, NetworkError or Canceled).",
		}, []string{"provider", "service", "operation", "code"}),
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
