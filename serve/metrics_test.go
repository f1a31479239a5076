package serve

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// keptRecord is a data-directory record of stack name with one drifted
// resource, repeated when dup is set (as a hand edit or an older version
// could leave it).
func keptRecord(name string, dup bool) string {
	item := `{"address": "test_thing.x", "type": "test_thing", "id": "t-9", "status": "drifted", "since": "2026-01-01T00:00:00Z"}`
	drift := item
	res := `{"provider": "test", "type": "test_thing", "status": "drifted", "count": 1}`
	resources := res
	if dup {
		drift += ", " + item
		resources += ", " + res
	}
	return `{"snapshot": {"stack": "` + name + `", "success": true, "has_report": true, "coverage": 1,
	  "last_scan": "2026-01-01T00:00:00Z", "scans": {"success": 1, "partial": 0, "error": 0},
	  "resources": [` + resources + `], "drift": [` + drift + `]}}`
}

// One stack's kept record with repeated entries must not make /metrics
// fail for every stack: it answers 200 with the other stack's series, and
// the bad stack's entries once each.
func TestServeMetricsSurviveARecordWithRepeatedEntries(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	if err := os.MkdirAll(filepath.Join(data, "stacks"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, dup := range map[string]bool{"bad": true, "good": false} {
		if err := os.WriteFile(filepath.Join(data, "stacks", name+".json"), []byte(keptRecord(name, dup)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f := &fakeFactory{live: map[string]string{}, gate: make(chan struct{})}
	defer close(f.gate)
	stack := func(name string) *StackConfig {
		return &StackConfig{Name: name, Source: thingsDir(t), Schedule: Every(time.Hour), FailOn: failOn, Unmanaged: true, Timeout: time.Minute}
	}
	cfg := &Config{Server: ServerConfig{DataDir: data, MetricsMaxResources: 100}, Stacks: []*StackConfig{stack("bad"), stack("good")}}
	base, srv, _ := serveForTest(t, cfg, f)
	code, body := get(t, base+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics = %d:\n%s", code, body)
	}
	for _, stack := range []string{"good", "bad"} {
		want := `driftctl_drift_info{address="test_thing.x",id="t-9",provider="",stack="` + stack + `",status="drifted",type="test_thing"} 1`
		if n := strings.Count(body, want); n != 1 {
			t.Errorf("%d series %s, want 1", n, want)
		}
	}

	// Whatever a collector fails to collect in future, the rest is served.
	srv.registry.MustRegister(brokenCollector{})
	code, body = get(t, base+"/metrics")
	if code != http.StatusOK || !strings.Contains(body, `driftctl_scan_success{stack="good"} 1`) {
		t.Errorf("/metrics with a failing collector = %d:\n%s", code, body)
	}
}

// brokenCollector fails every collection.
type brokenCollector struct{}

var brokenDesc = prometheus.NewDesc("driftctl_test_broken", "A collector that fails.", nil, nil)

func (brokenCollector) Describe(ch chan<- *prometheus.Desc) { ch <- brokenDesc }
func (brokenCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.NewInvalidMetric(brokenDesc, errors.New("broken on purpose"))
}
