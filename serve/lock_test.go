package serve

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Two servers on one data directory would overwrite each other's records
// and both remediate: the second is refused, naming the directory and the
// process that holds it, until the first is done.
func TestServeLocksTheDataDirectory(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	cfg := func() *Config {
		return &Config{
			Server: ServerConfig{DataDir: data, MetricsMaxResources: 100},
			Stacks: []*StackConfig{{Name: "s", Source: thingsDir(t), Schedule: Every(time.Hour), FailOn: failOn, Unmanaged: true, Timeout: time.Minute, Remediate: "auto"}},
		}
	}
	f := &fakeFactory{live: map[string]string{"t-1": "a"}, gate: make(chan struct{})}
	_, _, stop := serveForTest(t, cfg(), f)

	_, err := New(Options{Config: cfg(), Factory: f})
	if !errors.Is(err, ErrDataDirLocked) {
		t.Fatalf("a second server on the same data directory: err = %v, want ErrDataDirLocked", err)
	}
	for _, want := range []string{data, fmt.Sprintf("process %d", os.Getpid())} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error %q does not name %s", err, want)
		}
	}

	// Once the first is stopped, the directory is free again.
	close(f.gate)
	stop()
	second, err := New(Options{Config: cfg(), Factory: f})
	if err != nil {
		t.Fatalf("after the first server stopped: %v", err)
	}
	second.Close()
	if _, err := os.Stat(filepath.Join(data, "lock")); err != nil {
		t.Errorf("no lock file: %v", err)
	}
}
