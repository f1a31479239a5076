package serve

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape answers a GET of url with accept as its Accept header ("" for
// none): status, Content-Type and body.
func scrape(t *testing.T, url, accept string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
}

// TestServeMetricsExposition scrapes /metrics of a server with two stacks:
// the classic text format passes `promtool check metrics` and has the Go
// runtime and process series beside driftctl's; a scraper asking for
// OpenMetrics (as Prometheus does) gets OpenMetrics.
func TestServeMetricsExposition(t *testing.T) {
	t.Parallel()
	f := &fakeFactory{live: map[string]string{"t-1": "a", "t-9": "stray"}}
	stack := func(name string) *StackConfig {
		return &StackConfig{Name: name, Source: thingsDir(t), Schedule: mustSchedule(t, "1h"), FailOn: failOn, Unmanaged: true, Timeout: time.Minute}
	}
	cfg := &Config{Server: ServerConfig{MetricsMaxResources: 100}, Stacks: []*StackConfig{stack("east"), stack("west")}}
	base, _, _ := serveForTest(t, cfg, f)
	eventually(t, "ready", func() bool { code, _ := get(t, base+"/readyz"); return code == http.StatusOK })

	code, ctype, text := scrape(t, base+"/metrics", "")
	if code != http.StatusOK || !strings.HasPrefix(ctype, "text/plain; version=0.0.4") {
		t.Fatalf("/metrics = %d %q, want 200 and the text format:\n%s", code, ctype, text)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parsing /metrics: %v\n%s", err, text)
	}
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_start_time_seconds", "process_open_fds", "driftctl_build_info", "driftctl_scans_total"} {
		if mfs[name] == nil {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	for _, want := range []string{`driftctl_scan_success{stack="east"} 1`, `driftctl_scan_success{stack="west"} 1`} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	promtool, err := exec.LookPath("promtool")
	switch {
	case err == nil:
		lint := exec.Command(promtool, "check", "metrics")
		lint.Stdin = strings.NewReader(text)
		if out, err := lint.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
			t.Errorf("promtool check metrics: %v\n%s", err, out)
		}
	case os.Getenv("CI") == "true":
		t.Error("promtool is not on PATH (CI=true): apt-get install prometheus")
	default:
		t.Log("promtool is not on PATH, /metrics not linted: apt-get install prometheus")
	}

	// The Accept header Prometheus 2.x sends.
	const promAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
	code, ctype, om := scrape(t, base+"/metrics", promAccept)
	if code != http.StatusOK || !strings.HasPrefix(ctype, "application/openmetrics-text; version=1.0.0") {
		t.Fatalf("/metrics for OpenMetrics = %d %q:\n%s", code, ctype, om)
	}
	if !strings.HasSuffix(om, "# EOF\n") {
		t.Errorf("the OpenMetrics exposition does not end with # EOF:\n%s", om)
	}
	// OpenMetrics names a counter's family without _total and its
	// samples with it; it has no _created samples unless asked for.
	// OpenMetrics writes every value as a float.
	var missing []string
	for _, want := range []string{
		"# TYPE driftctl_scans counter\n",
		`driftctl_scans_total{result="success",stack="east"} 1.0` + "\n",
		"# TYPE driftctl_build_info gauge\n",
		"# TYPE go_goroutines gauge\n",
	} {
		if !strings.Contains(om, want) {
			missing = append(missing, want)
		}
	}
	if len(missing) > 0 {
		t.Errorf("the OpenMetrics exposition lacks %q:\n%s", missing, om)
	}
	if strings.Contains(om, "_created") {
		t.Error("the OpenMetrics exposition has _created samples")
	}
}
