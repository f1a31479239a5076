package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// counterGauges exposes the counters of one or more CounterVecs as gauges
// under another name, for the outputs of one-shot scans (see
// NewJobRegistry): there the count is one run's, which Prometheus must not
// read as a counter.
type counterGauges []counterGauge

// counterGauge is one CounterVec and the gauge that shows it; the gauge's
// variable labels are labels, the vec's label names.
type counterGauge struct {
	vec    *prometheus.CounterVec
	desc   *prometheus.Desc
	labels []string
}

// newCounterGauge makes the gauge name with help and the labels of vec.
func newCounterGauge(vec *prometheus.CounterVec, name, help string, labels []string) counterGauge {
	return counterGauge{vec: vec, desc: prometheus.NewDesc(name, help, labels, nil), labels: labels}
}

// Describe sends the gauges' descriptors.
func (cg counterGauges) Describe(ch chan<- *prometheus.Desc) {
	for _, g := range cg {
		ch <- g.desc
	}
}

// Collect sends each counter's value as a gauge with the same labels.
func (cg counterGauges) Collect(ch chan<- prometheus.Metric) {
	for _, g := range cg {
		counters := make(chan prometheus.Metric)
		go func() {
			g.vec.Collect(counters)
			close(counters)
		}()
		for m := range counters {
			var pb dto.Metric
			if err := m.Write(&pb); err != nil {
				ch <- prometheus.NewInvalidMetric(g.desc, err)
				continue
			}
			byName := map[string]string{}
			for _, l := range pb.GetLabel() {
				byName[l.GetName()] = l.GetValue()
			}
			values := make([]string, len(g.labels))
			for i, name := range g.labels {
				values[i] = byName[name]
			}
			ch <- prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, pb.GetCounter().GetValue(), values...)
		}
	}
}
