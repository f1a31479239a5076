package serve

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitdrift/driftctl/drift"
)

// TestScanLogDurationInSeconds: a scan's log record carries its duration
// as a number of seconds (duration_seconds), which a log pipeline can add
// up, not a Go duration string such as "421ms".
func TestScanLogDurationInSeconds(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	var mu sync.Mutex
	cfg := &Config{
		Server: ServerConfig{MetricsMaxResources: 100},
		Stacks: []*StackConfig{{Name: "s", Source: thingsDir(t), Schedule: mustSchedule(t, "1h"),
			FailOn: map[drift.Status]bool{drift.Drifted: true}, Unmanaged: true, Timeout: time.Minute}},
	}
	serveOptions(t, Options{Config: cfg, Factory: &fakeFactory{live: map[string]string{"t-1": "a"}}, Version: "test",
		Logger: slog.New(slog.NewJSONHandler(lockedWriter{&mu, &log}, nil))})
	var record map[string]any
	eventually(t, "the scan's log record", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for line := range strings.Lines(log.String()) {
			var r map[string]any
			if json.Unmarshal([]byte(line), &r) == nil && r["stack"] == "s" && strings.HasPrefix(r["msg"].(string), "scan ") {
				record = r
				return true
			}
		}
		return false
	})
	secs, ok := record["duration_seconds"].(float64)
	if !ok || secs < 0 || secs > 60 {
		t.Errorf("duration_seconds = %#v; want a number of seconds: %v", record["duration_seconds"], record)
	}
	if d, ok := record["duration"]; ok {
		t.Errorf("the record still has duration = %#v: %v", d, record)
	}
}
