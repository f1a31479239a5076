package metrics

import "github.com/prometheus/client_golang/prometheus"

// Remediations counts the changes remediation made, by stack, action
// (create, update, replace, delete) and result ("applied and verified",
// "applied but still drifted", "failed", "not attempted", "blocked").
type Remediations struct {
	total *prometheus.CounterVec
}

// NewRemediations makes the driftctl_remediations_total counter.
func NewRemediations() *Remediations {
	return &Remediations{total: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "driftctl_remediations_total",
		Help: "Changes made by remediation toward the Git state, by stack, action and result.",
	}, []string{"stack", "action", "result"})}
}

// Observe counts one change.
func (r *Remediations) Observe(stack, action, result string) {
	r.total.WithLabelValues(stack, action, result).Inc()
}

// Describe implements prometheus.Collector.
func (r *Remediations) Describe(ch chan<- *prometheus.Desc) { r.total.Describe(ch) }

// Collect implements prometheus.Collector.
func (r *Remediations) Collect(ch chan<- prometheus.Metric) { r.total.Collect(ch) }
