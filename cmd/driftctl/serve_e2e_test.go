package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// needTool finds a server binary from Debian's packages: it skips the test
// locally when absent and fails it in CI.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI: apt-get install %s", name, pkg)
	}
	t.Skipf("%s is not installed: apt-get install %s", name, pkg)
	return ""
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startProcess runs a server for the test and stops it at the end.
func startProcess(t *testing.T, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(name), logs.String())
		}
	})
}

// waitFor polls check until it returns "" or the deadline passes.
func waitFor(t *testing.T, what string, timeout time.Duration, check func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		if last = check(); last == "" {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("waiting for %s: %s", what, last)
}

func httpGet(u string) (int, string) {
	resp, err := http.Get(u)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// promQuery returns the value of each series of an instant query by the
// value of one label.
func promQuery(promURL, query, label string) (map[string]string, error) {
	code, body := httpGet(promURL + "/api/v1/query?query=" + url.QueryEscape(query))
	if code != http.StatusOK {
		return nil, fmt.Errorf("query %s: %d %s", query, code, body)
	}
	var out struct {
		Data struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, r := range out.Data.Result {
		m[r.Metric[label]] = fmt.Sprint(r.Value[1])
	}
	return m, nil
}

// TestServeAndPushThroughPrometheus runs driftctl serve against moto with
// two stacks, lets a real Prometheus scrape it, and checks the drift
// counts through Prometheus's HTTP API; then a cron-style driftctl scan
// pushes to a real Pushgateway that Prometheus also scrapes.
func TestServeAndPushThroughPrometheus(t *testing.T) {
	prometheus := needTool(t, "prometheus", "prometheus")
	pushgateway := needTool(t, "prometheus-pushgateway", "prometheus-pushgateway")
	promtool := needTool(t, "promtool", "prometheus")
	srv := emulator.Start(t)
	for _, kv := range emulator.Environ(srv.URL(), "us-east-1") {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	ctx := context.Background()

	// Two stacks of buckets: "web" has one drifted bucket of two, "data" has
	// two drifted buckets of three.
	s3c := s3.NewFromConfig(srv.Config("us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	dir := t.TempDir()
	stacks := map[string][]string{"web": {"web-a", "web-b"}, "data": {"data-a", "data-b", "data-c"}}
	drifted := map[string]int{"web": 1, "data": 2}
	for stack, buckets := range stacks {
		var hcl strings.Builder
		hcl.WriteString("provider \"aws\" {\n  region = \"us-east-1\"\n}\n")
		for i, b := range buckets {
			if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
				t.Fatal(err)
			}
			tag := "prod"
			if i < drifted[stack] {
				tag = "changed-by-hand"
			}
			if _, err := s3c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(b),
				Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("Env"), Value: aws.String(tag)}}}}); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&hcl, "resource \"aws_s3_bucket\" %q {\n  bucket = %q\n  tags = { Env = \"prod\" }\n}\n", b, b)
		}
		if err := os.MkdirAll(filepath.Join(dir, stack), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, stack, "main.tf"), []byte(hcl.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	serveAddr := freeAddr(t)
	config := fmt.Sprintf(`
server {
  listen   = %q
  data_dir = "data"
}
stack "web" {
  source    = "web"
  schedule  = "2s"
  unmanaged = "none"
}
stack "data" {
  source    = "data"
  schedule  = "*/1 * * * *"
  unmanaged = "none"
}
`, serveAddr)
	cfgPath := filepath.Join(dir, "driftctl.hcl")
	if err := os.WriteFile(cfgPath, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}

	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan int, 1)
	// The server logs while the test reads the log for its messages.
	serveLog := &lockedBuffer{}
	go func() {
		served <- runServe(serveCtx, &serveOptions{config: cfgPath}, func(string) bool { return false }, serveLog)
	}()
	defer func() {
		stop()
		select {
		case <-served:
		case <-time.After(15 * time.Second):
		}
	}()
	base := "http://" + serveAddr
	waitFor(t, "driftctl serve to be ready", 30*time.Second, func() string {
		code, body := httpGet(base + "/readyz")
		if code != http.StatusOK {
			return fmt.Sprintf("readyz %d %s; log:\n%s", code, body, serveLog.String())
		}
		return ""
	})

	// The exposition of a real scrape passes promtool's lint.
	_, scrape := httpGet(base + "/metrics")
	lint := exec.Command(promtool, "check", "metrics")
	lint.Stdin = strings.NewReader(scrape)
	if out, err := lint.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}

	pushAddr := freeAddr(t)
	startProcess(t, pushgateway, "--web.listen-address="+pushAddr)
	promAddr := freeAddr(t)
	promConfig := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(promConfig, []byte(fmt.Sprintf(`
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: driftctl
    static_configs: [{targets: [%q]}]
  - job_name: pushgateway
    honor_labels: true
    static_configs: [{targets: [%q]}]
`, serveAddr, pushAddr)), 0o644); err != nil {
		t.Fatal(err)
	}
	startProcess(t, prometheus, "--config.file="+promConfig, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+promAddr)
	promURL := "http://" + promAddr

	waitFor(t, "Prometheus to scrape the drift counts", 60*time.Second, func() string {
		got, err := promQuery(promURL, `sum by (stack) (driftctl_resources{job="driftctl",status="drifted"})`, "stack")
		if err != nil {
			return err.Error()
		}
		if got["web"] != "1" || got["data"] != "2" {
			return fmt.Sprintf("drifted per stack = %v, want web 1 and data 2", got)
		}
		return ""
	})
	got, err := promQuery(promURL, `driftctl_scan_success{job="driftctl"}`, "stack")
	if err != nil || got["web"] != "1" || got["data"] != "1" {
		t.Errorf("driftctl_scan_success = %v (%v), want 1 for both stacks", got, err)
	}

	// A cron run pushes its metrics: visible in the Pushgateway and, through
	// it, in Prometheus.
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"scan", "--no-color", "--stack", "nightly", "--unmanaged", "none",
		"--pushgateway", "http://" + pushAddr, filepath.Join(dir, "data")}, &stdout, &stderr)
	if code != exitDrift {
		t.Fatalf("scan --pushgateway exit code %d, want 1 (drift)\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	_, pushed := httpGet("http://" + pushAddr + "/metrics")
	if !strings.Contains(pushed, `driftctl_resources{instance="",job="driftctl",provider="aws",stack="nightly",status="drifted",type="aws_s3_bucket"} 2`) {
		t.Errorf("the Pushgateway does not hold the pushed drift count:\n%s", grepLines(pushed, "driftctl_resources"))
	}
	waitFor(t, "Prometheus to scrape the pushed metrics", 30*time.Second, func() string {
		got, err := promQuery(promURL, `driftctl_resources{job="driftctl",stack="nightly",status="drifted"}`, "stack")
		if err != nil {
			return err.Error()
		}
		if got["nightly"] != "2" {
			return fmt.Sprintf("pushed drifted count = %v, want nightly 2", got)
		}
		return ""
	})

	// SIGTERM's context cancellation stops serve cleanly and promptly.
	stopped := time.Now()
	stop()
	select {
	case code := <-served:
		if code != exitOK {
			t.Errorf("serve exit code %d after shutdown, want 0; log:\n%s", code, serveLog.String())
		}
		if d := time.Since(stopped); d > 10*time.Second {
			t.Errorf("serve took %s to stop, want under 10s", d)
		}
	case <-time.After(12 * time.Second):
		t.Fatal("serve did not stop within 12s")
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "data", "stacks"))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("half-written file left in the data directory: %s", e.Name())
		}
	}
	if len(entries) != 2 {
		t.Errorf("data directory holds %d files, want one per stack", len(entries))
	}
}

func grepLines(text, substr string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// lockedBuffer is a bytes.Buffer that one goroutine may write while
// another reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
