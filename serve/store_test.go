package serve

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gitdrift/driftctl/metrics"
)

// FuzzDecodeRecord: whatever bytes a data directory's record holds,
// decoding gives an error or a record whose metrics gather without error
// and whose report the API can show.
func FuzzDecodeRecord(f *testing.F) {
	f.Add([]byte(keptRecord("s", false)))
	f.Add([]byte(keptRecord("s", true)))
	f.Add([]byte(`{"snapshot": {"stack": "s"}, "report": {"schema_version": 1, "commit": {"email": "a@b"}, "resources": [{"diffs": [{"file": "/x/main.tf", "want": 1}]}]}}`))
	f.Add([]byte(`{"snapshot": {"stack": "s", "coverage": 2}}`))
	f.Add([]byte(`{"snapshot": {"stack": "s", "has_report": true, "drift": [{"status": "bogus"}]}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := decodeRecord(data, "s")
		if err != nil {
			if r != nil {
				t.Fatalf("an error (%v) and a record", err)
			}
			return
		}
		if r.Snapshot == nil || r.Snapshot.Stack != "s" || r.check() != nil {
			t.Fatalf("decoded a record check refuses: %+v", r.Snapshot)
		}
		c := metrics.NewCollector(10)
		c.Set(r.Snapshot)
		reg := prometheus.NewPedanticRegistry()
		reg.MustRegister(c)
		if _, err := reg.Gather(); err != nil {
			t.Fatalf("a decoded record does not gather: %v", err)
		}
		s := &Server{cfg: &Config{}}
		_ = s.apiReport(&StackConfig{Name: "s", Source: "/stacks/s"}, r.Report)
	})
}
