package serve

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/gitsource"
)

func thingsDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(`
resource "test_thing" "a" { name = "a" }
resource "test_thing" "b" { name = "b" }
`), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

var failOn = map[drift.Status]bool{drift.Drifted: true, drift.Missing: true}

// A repository URL with credentials never shows them: not in
// driftctl_spec_info{source=...}, the API, nor the data directory.
func TestServeNeverShowsRepositoryCredentials(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // connection refused: the scan fails
	data := t.TempDir()
	cfg := &Config{
		Server: ServerConfig{DataDir: data, MetricsMaxResources: 100, CacheDir: t.TempDir()},
		Stacks: []*StackConfig{{Name: "s", Source: "http://alice:s3cret-token-1234@" + addr + "/infra.git",
			Schedule: Every(time.Hour), FailOn: failOn, Unmanaged: true, Timeout: 10 * time.Second}},
	}
	base := startServer(t, cfg, &fakeFactory{live: map[string]string{}})
	eventually(t, "the failed scan", func() bool {
		_, m := get(t, base+"/metrics")
		return strings.Contains(m, `driftctl_scan_success{stack="s"} 0`)
	})
	_, m := get(t, base+"/metrics")
	if want := `source="http://` + addr + `/infra.git"`; !strings.Contains(metricLine(m, "driftctl_spec_info"), want) {
		t.Errorf("spec_info lacks %s: %s", want, metricLine(m, "driftctl_spec_info"))
	}
	_, api := get(t, base+"/api/v1/stacks")
	kept, _ := os.ReadFile(filepath.Join(data, "stacks", "s.json"))
	for what, text := range map[string]string{"metrics": m, "api": api, "data dir": string(kept)} {
		if strings.Contains(text, "s3cret") || strings.Contains(text, "alice") {
			t.Errorf("%s shows the credentials:\n%s", what, text)
		}
	}
}

// A kept result that cannot be read, or that is another stack's, is
// ignored: the server starts, publishes nothing for it, and scans.
func TestServeIgnoresACorruptedKeptResult(t *testing.T) {
	for name, content := range map[string]string{
		"truncated":     `{"snapshot": {"stack": "s", "succ`,
		"null":          `null`,
		"another stack": `{"snapshot": {"stack": "other", "success": true, "has_report": true, "resources": [{"provider": "test", "type": "test_thing", "status": "in_sync", "count": 7}]}}`,
	} {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			if err := os.MkdirAll(filepath.Join(data, "stacks"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(data, "stacks", "s.json"), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			f := &fakeFactory{live: map[string]string{"t-1": "a"}, gate: make(chan struct{})}
			cfg := &Config{
				Server: ServerConfig{DataDir: data, MetricsMaxResources: 100},
				Stacks: []*StackConfig{{Name: "s", Source: thingsDir(t), Schedule: Every(time.Hour), FailOn: failOn, Unmanaged: true, Timeout: time.Minute}},
			}
			base := startServer(t, cfg, f)
			_, m := get(t, base+"/metrics")
			if strings.Contains(m, "driftctl_resources{") || strings.Contains(m, `stack="other"`) {
				t.Errorf("a corrupted kept result is published:\n%s", m)
			}
			close(f.gate)
			eventually(t, "the first scan", func() bool {
				_, m := get(t, base+"/metrics")
				return strings.Contains(m, `driftctl_resources{provider="test",stack="s",status="in_sync",type="test_thing"} 1`)
			})
		})
	}
}

// A scan cut short by its timeout is a failure: the last known resources
// stay published rather than being replaced by unknowns.
func TestServeTimedOutScanKeepsTheLastKnownState(t *testing.T) {
	f := &fakeFactory{live: map[string]string{"t-1": "a"}}
	cfg := &Config{
		Server: ServerConfig{MetricsMaxResources: 100},
		Stacks: []*StackConfig{{Name: "s", Source: thingsDir(t), Schedule: Every(time.Second), FailOn: failOn, Unmanaged: true, Timeout: 300 * time.Millisecond}},
	}
	base := startServer(t, cfg, f)
	eventually(t, "the first scan", func() bool {
		_, m := get(t, base+"/metrics")
		return strings.Contains(m, `driftctl_scan_success{stack="s"} 1`)
	})
	f.mu.Lock()
	f.gate = make(chan struct{}) // never opened: the next scans time out
	f.mu.Unlock()
	eventually(t, "the timed-out scan", func() bool {
		_, m := get(t, base+"/metrics")
		return strings.Contains(m, `driftctl_scan_success{stack="s"} 0`)
	})
	_, m := get(t, base+"/metrics")
	for _, want := range []string{
		`driftctl_scans_total{result="error",stack="s"} 1`,
		`driftctl_resources{provider="test",stack="s",status="in_sync",type="test_thing"} 1`,
		`driftctl_resources{provider="test",stack="s",status="missing",type="test_thing"} 1`,
		`driftctl_resources{provider="test",stack="s",status="unknown",type="test_thing"} 0`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s:\n%s", want, m)
		}
	}
	_, api := get(t, base+"/api/v1/stacks/s")
	if !strings.Contains(api, "timed out") || !strings.Contains(api, `"missing": 1`) {
		t.Errorf("api after a timed-out scan:\n%s", api)
	}
}

// A new commit whose scan fails is scanned once, not again at every poll.
func TestServePollDoesNotRescanAFailingCommit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repo := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", repo}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
			"GIT_AUTHOR_NAME=Ann", "GIT_AUTHOR_EMAIL=ann@example.com", "GIT_COMMITTER_NAME=Ann", "GIT_COMMITTER_EMAIL=ann@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(text string) {
		if err := os.WriteFile(filepath.Join(repo, "main.tf"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q", "-b", "main")
	write(`resource "test_thing" "a" { name = "a" }` + "\n")
	git("add", ".")
	git("commit", "-q", "-m", "one")

	f := &fakeFactory{live: map[string]string{"t-1": "a"}}
	cfg := &Config{
		Server: ServerConfig{MetricsMaxResources: 100, CacheDir: t.TempDir()},
		Stacks: []*StackConfig{{Name: "s", Source: repo, Git: gitsource.Options{Ref: "main"}, Poll: 50 * time.Millisecond,
			Schedule: Every(time.Hour), FailOn: failOn, Unmanaged: true, Timeout: time.Minute}},
	}
	base := startServer(t, cfg, f)
	eventually(t, "the first scan", func() bool {
		_, m := get(t, base+"/metrics")
		return strings.Contains(m, `driftctl_scan_success{stack="s"} 1`)
	})
	write(`resource "test_thing" "a" {` + "\n") // does not parse
	git("commit", "-q", "-am", "broken")
	eventually(t, "the broken commit's scan", func() bool {
		_, m := get(t, base+"/metrics")
		return strings.Contains(m, `driftctl_scan_success{stack="s"} 0`)
	})
	time.Sleep(time.Second) // twenty polls
	_, m := get(t, base+"/metrics")
	if line := metricLine(m, `driftctl_scans_total{result="error"`); line != `driftctl_scans_total{result="error",stack="s"} 1` {
		t.Errorf("the failing commit was scanned again on polls: %s", line)
	}
}

// A poll of a remote that never answers gives up after the stack's
// timeout and polls again, instead of stalling the stack for good.
func TestServePollOfAHangingRemoteIsBounded(t *testing.T) {
	var requests atomic.Int32
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		<-r.Context().Done()
	}))
	t.Cleanup(hang.Close)
	cfg := &Config{
		Server: ServerConfig{MetricsMaxResources: 100, CacheDir: t.TempDir()},
		Stacks: []*StackConfig{{Name: "s", Source: hang.URL + "/infra.git", Poll: 50 * time.Millisecond,
			Schedule: Every(time.Hour), FailOn: failOn, Unmanaged: true, Timeout: 200 * time.Millisecond}},
	}
	base := startServer(t, cfg, &fakeFactory{live: map[string]string{}})
	eventually(t, "the first scan", func() bool { code, _ := get(t, base+"/readyz"); return code == http.StatusOK })
	eventually(t, "several polls", func() bool { return requests.Load() >= 4 })
}

// A panic while scanning one stack (a bug in driftctl or in a provider
// reached by some input) fails that scan; the process, and so every other
// stack's scans and metrics, goes on.
func TestServeSurvivesAPanickingScan(t *testing.T) {
	t.Parallel()
	cfg := &Config{
		Server: ServerConfig{MetricsMaxResources: 100, CacheDir: t.TempDir()},
		Stacks: []*StackConfig{{Name: "s", Source: thingsDir(t),
			Schedule: Every(time.Hour), FailOn: failOn, Unmanaged: true, Timeout: 10 * time.Second}},
	}
	base := startServer(t, cfg, &fakeFactory{live: map[string]string{}, panics: true})
	eventually(t, "the failed scan", func() bool {
		_, m := get(t, base+"/metrics")
		return strings.Contains(m, `driftctl_scan_success{stack="s"} 0`)
	})
	_, api := get(t, base+"/api/v1/stacks/s")
	if !strings.Contains(api, "internal error") {
		t.Errorf("the API does not say the scan hit an internal error:\n%s", api)
	}
}
