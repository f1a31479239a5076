package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/gitsource"
	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/plugin/plugintest"
)

// fakeFactory serves live "test_thing" resources; a read waits on gate
// when it is set, and fails while failing is set.
type fakeFactory struct {
	mu      sync.Mutex
	live    map[string]string // id → name
	gate    chan struct{}
	failing bool
	reads   int
	// panics makes configuring a provider panic (a bug in driftctl).
	panics bool
}

var thingSchema = &providers.Schema{
	Type: "test_thing",
	Attributes: map[string]*providers.Attribute{
		"id":   {Type: cty.String, Computed: true},
		"name": {Type: cty.String, Required: true},
	},
	Identity: func(v cty.Value) string {
		n := v.GetAttr("name")
		if n.IsNull() || !n.IsKnown() {
			return ""
		}
		return n.AsString()
	},
}

func (f *fakeFactory) Name() string { return "test" }
func (f *fakeFactory) Schema() *providers.ProviderSchema {
	return &providers.ProviderSchema{
		Provider:  &providers.Schema{Type: "test", Attributes: map[string]*providers.Attribute{}},
		Resources: map[string]*providers.Schema{"test_thing": thingSchema},
	}
}
func (f *fakeFactory) New(context.Context, providers.Config) (providers.Configured, error) {
	if f.panics {
		panic("a bug while configuring")
	}
	return fakeProvider{f}, nil
}

type fakeProvider struct{ f *fakeFactory }

func (p fakeProvider) Read(ctx context.Context, req providers.ReadRequest) (*providers.ReadResponse, error) {
	p.f.mu.Lock()
	gate, failing := p.f.gate, p.f.failing
	p.f.reads++
	var live []*providers.Live
	for id, name := range p.f.live {
		live = append(live, &providers.Live{Type: req.Type, ID: id, Region: "r1",
			Attrs: cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal(id), "name": cty.StringVal(name)})})
	}
	p.f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if failing {
		return nil, &providers.ReadError{Type: req.Type, Region: "r1", Operation: "test:List", Err: errors.New("denied")}
	}
	return &providers.ReadResponse{Resources: live}, nil
}
func (p fakeProvider) ReadData(context.Context, string, cty.Value) (cty.Value, error) {
	return cty.NilVal, errors.New("none")
}

// Apply creates things (the only change the fake cloud knows).
func (p fakeProvider) Apply(_ context.Context, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	if req.Kind != providers.Create {
		return nil, providers.ErrNotSupported
	}
	p.f.mu.Lock()
	defer p.f.mu.Unlock()
	id := fmt.Sprintf("t-%d", len(p.f.live)+1)
	p.f.live[id] = req.Desired.GetAttr("name").AsString()
	return &providers.ApplyResponse{ID: id}, nil
}
func (p fakeProvider) Close() error                   { return nil }
func (p fakeProvider) Region() string                 { return "r1" }
func (p fakeProvider) DefaultTags() map[string]string { return nil }

// testServer writes a stack declaring things "a" and "b" and starts a
// server for it on a free port; it returns the base URL and a stop
// function that waits for Serve to return.
func testServer(t *testing.T, f *fakeFactory, dataDir string, schedule string) (string, *Server, func()) {
	t.Helper()
	cfg := &Config{
		Server: ServerConfig{DataDir: dataDir, MetricsMaxResources: 100},
		Stacks: []*StackConfig{{Name: "s", Source: thingsDir(t), Schedule: mustSchedule(t, schedule), FailOn: map[drift.Status]bool{drift.Drifted: true, drift.Missing: true}, Unmanaged: true, Timeout: time.Minute}},
	}
	return serveForTest(t, cfg, f)
}

// serveForTest serves cfg on a free port; stop, also run when the test
// ends, waits for Serve to return.
func serveForTest(t *testing.T, cfg *Config, f *fakeFactory) (base string, srv *Server, stop func()) {
	t.Helper()
	return serveOptions(t, Options{Config: cfg, Factory: f, Version: "test"})
}

// serveOptions is serveForTest for a server made of opts (a test that
// reads the server's log gives its Logger).
func serveOptions(t *testing.T, opts Options) (base string, srv *Server, stop func()) {
	t.Helper()
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Serve: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return "http://" + ln.Addr().String(), srv, stop
}

// startServer serves cfg on a free port until the test ends.
func startServer(t *testing.T, cfg *Config, f *fakeFactory) string {
	t.Helper()
	base, _, _ := serveForTest(t, cfg, f)
	return base
}

func mustSchedule(t *testing.T, text string) Schedule {
	s, err := ParseSchedule(text)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServeReadyOnlyAfterFirstScanAndScrapesStayFast(t *testing.T) {
	f := &fakeFactory{live: map[string]string{"t-1": "a"}, gate: make(chan struct{})}
	base, _, _ := testServer(t, f, "", "1h")

	// The first scan is blocked in its read: not ready, and /metrics
	// answers at once without scanning.
	eventually(t, "the first read", func() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.reads > 0 })
	if code, _ := get(t, base+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("readyz during the first scan = %d, want 503", code)
	}
	start := time.Now()
	code, body := get(t, base+"/metrics")
	if code != http.StatusOK || time.Since(start) > 2*time.Second {
		t.Errorf("scrape during a scan: %d after %s", code, time.Since(start))
	}
	if strings.Contains(body, "driftctl_resources{") {
		t.Errorf("a stack never scanned publishes resource counts:\n%s", body)
	}
	f.mu.Lock()
	reads := f.reads
	f.mu.Unlock()
	if reads != 1 {
		t.Errorf("%d reads after a scrape, want 1: a scrape must never trigger a scan", reads)
	}

	close(f.gate)
	eventually(t, "ready", func() bool { code, _ := get(t, base+"/readyz"); return code == http.StatusOK })
	_, body = get(t, base+"/metrics")
	for _, want := range []string{
		`driftctl_resources{provider="test",stack="s",status="in_sync",type="test_thing"} 1`,
		`driftctl_resources{provider="test",stack="s",status="missing",type="test_thing"} 1`,
		`driftctl_drift_info{address="test_thing.b",id="",provider="test",stack="s",status="missing",type="test_thing"} 1`,
		`driftctl_scan_success{stack="s"} 1`,
		`driftctl_drift_detected{stack="s"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	code, body = get(t, base+"/api/v1/stacks/s")
	var view struct {
		Name    string `json:"name"`
		Success *bool  `json:"success"`
		Report  struct {
			SchemaVersion int `json:"schema_version"`
			Summary       struct {
				Missing int `json:"missing"`
			} `json:"summary"`
		} `json:"report"`
	}
	if err := json.Unmarshal([]byte(body), &view); err != nil || code != http.StatusOK {
		t.Fatalf("api: %d %v %s", code, err, body)
	}
	if view.Name != "s" || view.Success == nil || !*view.Success || view.Report.SchemaVersion != 1 || view.Report.Summary.Missing != 1 {
		t.Errorf("api view = %+v", view)
	}
	if code, _ := get(t, base+"/api/v1/stacks/nope"); code != http.StatusNotFound {
		t.Errorf("unknown stack = %d, want 404", code)
	}
}

func TestServeKeepsResultsAndDriftedSinceAcrossRestarts(t *testing.T) {
	data := t.TempDir()
	f := &fakeFactory{live: map[string]string{"t-1": "a"}}
	base, _, stop := testServer(t, f, data, "1h")
	eventually(t, "ready", func() bool { code, _ := get(t, base+"/readyz"); return code == http.StatusOK })
	_, before := get(t, base+"/metrics")
	since := metricLine(before, `driftctl_drift_since_timestamp_seconds{address="test_thing.b"`)
	if since == "" {
		t.Fatalf("no drifted-since for the missing resource:\n%s", before)
	}
	stop()

	// A restart publishes the kept result before any scan, with the same
	// drifted-since time; a later failing scan keeps it and reports failure.
	f.failing = true
	f.gate = make(chan struct{})
	base, _, _ = testServer(t, f, data, "1h")
	_, after := get(t, base+"/metrics")
	if got := metricLine(after, `driftctl_drift_since_timestamp_seconds{address="test_thing.b"`); got != since {
		t.Errorf("after a restart drifted-since = %q, want %q", got, since)
	}
	if !strings.Contains(after, `driftctl_scan_success{stack="s"} 1`) {
		t.Errorf("the kept result is not published after a restart")
	}
	close(f.gate)
	eventually(t, "the failing scan", func() bool {
		_, m := get(t, base+"/metrics")
		return strings.Contains(m, `driftctl_scan_success{stack="s"} 0`)
	})
	_, m := get(t, base+"/metrics")
	if !strings.Contains(m, `driftctl_scans_total{result="partial",stack="s"} 1`) || !strings.Contains(m, `driftctl_scans_total{result="success",stack="s"} 1`) {
		t.Errorf("scans_total after one success and one partial scan:\n%s", metricLine(m, "driftctl_scans_total"))
	}
	_, api := get(t, base+"/api/v1/stacks")
	if !strings.Contains(api, "test:List") {
		t.Errorf("the API does not carry the read error:\n%s", api)
	}
}

func metricLine(text, prefix string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// A stack read from a Git repository is polled: a new commit is scanned at
// once, long before its schedule, and its commit is published.
func TestServePollsTheRepository(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repo := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", repo}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
			"GIT_AUTHOR_NAME=Ann", "GIT_AUTHOR_EMAIL=ann@example.com", "GIT_COMMITTER_NAME=Ann", "GIT_COMMITTER_EMAIL=ann@example.com")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	write := func(names ...string) {
		var b strings.Builder
		for _, n := range names {
			fmt.Fprintf(&b, "resource \"test_thing\" %q { name = %q }\n", n, n)
		}
		if err := os.MkdirAll(filepath.Join(repo, "stack"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, "stack", "main.tf"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q", "-b", "main")
	write("a")
	git("add", ".")
	git("commit", "-q", "-m", "one thing")
	first := git("rev-parse", "HEAD")

	f := &fakeFactory{live: map[string]string{"t-1": "a"}}
	cfg := &Config{
		Server: ServerConfig{MetricsMaxResources: 100, CacheDir: t.TempDir()},
		Stacks: []*StackConfig{{Name: "s", Source: repo, Git: gitsource.Options{Ref: "main", Path: "stack"}, Poll: 100 * time.Millisecond,
			Schedule: Every(time.Hour), FailOn: map[drift.Status]bool{drift.Drifted: true, drift.Missing: true}, Unmanaged: true, Timeout: time.Minute}},
	}
	base := startServer(t, cfg, f)

	eventually(t, "the first commit's scan", func() bool {
		_, m := get(t, base+"/metrics")
		return strings.Contains(m, `driftctl_spec_info{commit="`+first+`",ref="main"`) && strings.Contains(m, `status="in_sync",type="test_thing"} 1`)
	})
	write("a", "b")
	git("commit", "-q", "-am", "two things")
	second := git("rev-parse", "HEAD")
	eventually(t, "the new commit's scan", func() bool {
		_, m := get(t, base+"/metrics")
		return strings.Contains(m, `driftctl_spec_info{commit="`+second+`"`) && strings.Contains(m, `driftctl_drift_info{address="test_thing.b"`)
	})
}

// With remediate = "auto", a missing resource is created after the scan
// that finds it, the change is counted and audited, and a new scan
// publishes the stack in sync.
func TestServeRemediatesAutomatically(t *testing.T) {
	data := t.TempDir()
	f := &fakeFactory{live: map[string]string{"t-1": "a"}}
	dir := thingsDir(t)
	cfg := &Config{
		Server: ServerConfig{DataDir: data, MetricsMaxResources: 100},
		Stacks: []*StackConfig{{Name: "s", Source: dir, Schedule: Every(time.Hour), Remediate: "auto",
			FailOn: map[drift.Status]bool{drift.Drifted: true, drift.Missing: true}, Unmanaged: true, Timeout: time.Minute}},
	}
	base := startServer(t, cfg, f)
	eventually(t, "the remediated stack in sync", func() bool {
		_, m := get(t, base+"/metrics")
		return strings.Contains(m, `driftctl_remediations_total{action="create",result="applied and verified",stack="s"} 1`) &&
			strings.Contains(m, `driftctl_resources{provider="test",stack="s",status="in_sync",type="test_thing"} 2`)
	})
	audit, err := os.ReadFile(filepath.Join(data, "audit.log"))
	if err != nil || !strings.Contains(string(audit), `"address":"test_thing.b"`) || !strings.Contains(string(audit), `"result":"applied and verified"`) {
		t.Errorf("audit log (%v):\n%s", err, audit)
	}
}

// A plugin's types are remediated too: the schemas of the stack's last
// scan (with the plugin's) plan it, and the provider applies it.
func TestServeRemediatesThroughAPlugin(t *testing.T) {
	plugins := plugintest.Mirror(t)
	data, dir, root := t.TempDir(), t.TempDir(), t.TempDir()
	files := map[string]string{
		"main.tf": fmt.Sprintf(`
terraform {
  required_providers {
    testfs = { source = "gitdrift/testfs" }
  }
}
provider "testfs" {
  root = %q
}
resource "testfs_file" "a" {
  path    = "a.txt"
  content = "hello"
}
`, root),
		"terraform.tfstate": `{"version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "l", "outputs": {}, "resources": [
  {"mode": "managed", "type": "testfs_file", "name": "a", "provider": "provider[\"registry.terraform.io/gitdrift/testfs\"]",
   "instances": [{"schema_version": 0, "attributes": {"id": "a.txt", "path": "a.txt", "content": "hello", "mode": "0644", "secret": null, "tags": null, "size": 5}}]}]}`,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// By hand: the content changed.
	if err := os.WriteFile(filepath.Join(root, "a.txt"), []byte("HELLO"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(root, "a.txt"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := &Config{
		Server: ServerConfig{DataDir: data, MetricsMaxResources: 100, CacheDir: t.TempDir()},
		Stacks: []*StackConfig{{Name: "files", Source: dir, Schedule: Every(time.Hour), Remediate: "auto", PluginDirs: []string{plugins},
			FailOn: map[drift.Status]bool{drift.Drifted: true, drift.Missing: true}, Timeout: time.Minute}},
	}
	var log bytes.Buffer
	var logMu sync.Mutex
	base, _, _ := serveOptions(t, Options{Config: cfg, Factory: &fakeFactory{}, Version: "test",
		Logger: slog.New(slog.NewTextHandler(lockedWriter{&logMu, &log}, nil))})
	defer func() {
		if t.Failed() {
			logMu.Lock()
			t.Log(log.String())
			logMu.Unlock()
		}
	}()
	eventually(t, "the file remediated through the plugin", func() bool {
		_, m := get(t, base+"/metrics")
		return strings.Contains(m, `driftctl_remediations_total{action="update",result="applied and verified",stack="files"} 1`)
	})
	if b, err := os.ReadFile(filepath.Join(root, "a.txt")); err != nil || string(b) != "hello" {
		t.Errorf("a.txt = %q (%v), want hello", b, err)
	}
}

// lockedWriter serializes writes to a buffer the test reads.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
