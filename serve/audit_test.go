package serve

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a log destination the test reads while the server writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A server with automatic remediation killed in the middle of a change:
// on start, the next one logs the change whose intent has no result.
func TestServeReportsAnInterruptedRemediationOnStart(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	intent := `{"record":"intent","change_id":"77aa","time":"2026-12-01T10:00:00Z","stack":"s","commit":"","address":"test_thing.b","type":"test_thing","id":"","action":"create","attributes":[]}` + "\n" + `{"record":"res`
	if err := os.WriteFile(filepath.Join(data, "audit.log"), []byte(intent), 0o600); err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	cfg := &Config{
		Server: ServerConfig{DataDir: data, MetricsMaxResources: 100},
		Stacks: []*StackConfig{{Name: "s", Source: thingsDir(t), Schedule: Every(time.Hour), FailOn: failOn, Unmanaged: true, Timeout: time.Minute, Remediate: "auto"}},
	}
	f := &fakeFactory{live: map[string]string{"t-1": "a"}, gate: make(chan struct{})}
	defer close(f.gate)
	_, _, stop := serveOptions(t, Options{Config: cfg, Factory: f, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	eventually(t, "the report of the interrupted change", func() bool {
		return strings.Contains(log.String(), "an earlier run was interrupted while applying create test_thing.b; check the resource, its state may be partial")
	})
	if !strings.Contains(log.String(), "line=2") {
		t.Errorf("the torn last line is not reported:\n%s", log.String())
	}
	stop()
	kept, _ := os.ReadFile(filepath.Join(data, "audit.log"))
	if !strings.Contains(string(kept), `"record":"interrupted","change_id":"77aa"`) {
		t.Errorf("the report is not recorded in the audit log:\n%s", kept)
	}
}
