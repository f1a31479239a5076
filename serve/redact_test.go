package serve

import (
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"
)

// A state URL with credentials never shows them: not in the log of the
// failed scan, nor in /api/v1/stacks.
func TestServeNeverShowsStateCredentials(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // connection refused: the scan fails
	cfg := &Config{
		Server: ServerConfig{MetricsMaxResources: 100},
		Stacks: []*StackConfig{{Name: "s", Source: thingsDir(t),
			States:   []string{"http://alice:s3cret-token-1234@" + addr + "/state?token=tok-5678"},
			Schedule: Every(time.Hour), FailOn: failOn, Unmanaged: true, Timeout: 10 * time.Second}},
	}
	var logs syncBuffer
	base, _, _ := serveOptions(t, Options{Config: cfg, Factory: &fakeFactory{live: map[string]string{}}, Version: "test", Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	eventually(t, "the failed scan", func() bool {
		_, m := get(t, base+"/metrics")
		return strings.Contains(m, `driftctl_scan_success{stack="s"} 0`)
	})
	_, api := get(t, base+"/api/v1/stacks")
	if !strings.Contains(api, "alice:xxxxx@"+addr) {
		t.Errorf("the API does not name the state redacted:\n%s", api)
	}
	for what, text := range map[string]string{"log": logs.String(), "api": api} {
		if strings.Contains(text, "s3cret") || strings.Contains(text, "tok-5678") {
			t.Errorf("%s shows the credentials:\n%s", what, text)
		}
	}
}
