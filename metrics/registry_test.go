package metrics

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gitdrift/driftctl/internal/buildinfo"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
)

// testBuild is the Build the tests' registries expose.
var testBuild = Build{Version: "v1.2.3", Revision: "0123abcd", GoVersion: "go1.26.0"}

// gather gathers g's families by name.
func gather(t *testing.T, g prometheus.Gatherer) map[string]*dto.MetricFamily {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

// label is the value of a metric's label, and whether it has it.
func label(m *dto.Metric, name string) (string, bool) {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue(), true
		}
	}
	return "", false
}

// observed returns API and plugin call counters with a few calls.
func observed() (*APICalls, *PluginCalls) {
	api := NewAPICalls()
	api.Observe("aws", "ec2", "DescribeVpcs", "")
	api.Observe("aws", "ec2", "DescribeVpcs", "Throttling")
	api.Observe("aws", "s3", "ListBuckets", "")
	plugins := NewPluginCalls()
	plugins.Observe("google", "ReadResource", nil)
	plugins.Observe("google", "ReadResource", errors.New("boom"))
	return api, plugins
}

// TestNewRegistry: serve's registry has the counters, driftctl_build_info
// and the Go and process collectors, and its process-wide series carry no
// stack label.
func TestNewRegistry(t *testing.T) {
	t.Parallel()
	api, plugins := observed()
	reg := NewRegistry(twoStacks(10), api, plugins, testBuild)
	want := `
# HELP driftctl_build_info The driftctl build that exposes these metrics: version, VCS revision and Go version (always 1).
# TYPE driftctl_build_info gauge
driftctl_build_info{goversion="go1.26.0",revision="0123abcd",version="v1.2.3"} 1
# HELP driftctl_provider_api_calls_total API call attempts made by providers, retries included.
# TYPE driftctl_provider_api_calls_total counter
driftctl_provider_api_calls_total{operation="DescribeVpcs",provider="aws",service="ec2"} 2
driftctl_provider_api_calls_total{operation="ListBuckets",provider="aws",service="s3"} 1
# HELP driftctl_provider_api_errors_total API call attempts that failed, per error code (the API's, NetworkError or Canceled).
# TYPE driftctl_provider_api_errors_total counter
driftctl_provider_api_errors_total{code="Throttling",operation="DescribeVpcs",provider="aws",service="ec2"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"driftctl_build_info", "driftctl_provider_api_calls_total", "driftctl_provider_api_errors_total"); err != nil {
		t.Error(err)
	}
	mfs := gather(t, reg)
	for _, name := range []string{"go_goroutines", "go_memstats_alloc_bytes", "process_start_time_seconds", "driftctl_scans_total", "driftctl_plugin_processes"} {
		if mfs[name] == nil {
			t.Errorf("serve's registry lacks %s", name)
		}
	}
	for _, name := range []string{"driftctl_build_info", "driftctl_provider_api_calls_total", "driftctl_plugin_calls_total", "driftctl_plugin_processes"} {
		for _, m := range mfs[name].GetMetric() {
			if v, ok := label(m, "stack"); ok {
				t.Errorf("%s carries stack=%q: it is per process", name, v)
			}
		}
	}
	// Without API and plugin counters the registry still works.
	if _, err := NewRegistry(NewCollector(1), nil, nil, testBuild).Gather(); err != nil {
		t.Error(err)
	}
}

// TestNewJobRegistry: a one-shot scan's registry holds gauges only, every
// one with the stack label, and the counts of the scan's calls.
func TestNewJobRegistry(t *testing.T) {
	t.Parallel()
	api, plugins := observed()
	c := NewCollector(10)
	c.Set(Next(nil, scan("network", everyStatus(), nil, t0)))
	reg := NewJobRegistry("network", c, api, plugins, testBuild)
	want := `
# HELP driftctl_build_info The driftctl build that exposes these metrics: version, VCS revision and Go version (always 1).
# TYPE driftctl_build_info gauge
driftctl_build_info{goversion="go1.26.0",revision="0123abcd",stack="network",version="v1.2.3"} 1
# HELP driftctl_scan_provider_api_calls API call attempts made by providers during the scan, retries included (one-shot scans; driftctl serve counts them in driftctl_provider_api_calls_total).
# TYPE driftctl_scan_provider_api_calls gauge
driftctl_scan_provider_api_calls{operation="DescribeVpcs",provider="aws",service="ec2",stack="network"} 2
driftctl_scan_provider_api_calls{operation="ListBuckets",provider="aws",service="s3",stack="network"} 1
# HELP driftctl_scan_provider_api_errors API call attempts of the scan that failed, per error code (the API's, NetworkError or Canceled) (one-shot scans; driftctl serve counts them in driftctl_provider_api_errors_total).
# TYPE driftctl_scan_provider_api_errors gauge
driftctl_scan_provider_api_errors{code="Throttling",operation="DescribeVpcs",provider="aws",service="ec2",stack="network"} 1
# HELP driftctl_scan_plugin_calls Calls made to provider plugin processes during the scan, by provider configuration and RPC (one-shot scans; driftctl serve counts them in driftctl_plugin_calls_total).
# TYPE driftctl_scan_plugin_calls gauge
driftctl_scan_plugin_calls{provider="google",rpc="ReadResource",stack="network"} 2
# HELP driftctl_scan_plugin_errors Calls to provider plugin processes during the scan that failed, by provider configuration and RPC (one-shot scans; driftctl serve counts them in driftctl_plugin_errors_total).
# TYPE driftctl_scan_plugin_errors gauge
driftctl_scan_plugin_errors{provider="google",rpc="ReadResource",stack="network"} 1
# HELP driftctl_scan_success 1 when the last scan produced a complete report, else 0.
# TYPE driftctl_scan_success gauge
driftctl_scan_success{stack="network"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"driftctl_build_info", "driftctl_scan_provider_api_calls", "driftctl_scan_provider_api_errors",
		"driftctl_scan_plugin_calls", "driftctl_scan_plugin_errors", "driftctl_scan_success"); err != nil {
		t.Error(err)
	}
	mfs := gather(t, reg)
	for _, name := range []string{"driftctl_scan_duration_seconds", "driftctl_last_scan_timestamp_seconds", "driftctl_resources", "driftctl_drift_info"} {
		if mfs[name] == nil {
			t.Errorf("the job registry lacks %s", name)
		}
	}
	for name, mf := range mfs {
		if mf.GetType() != dto.MetricType_GAUGE {
			t.Errorf("%s is a %s: a one-shot scan exposes gauges only", name, mf.GetType())
		}
		if strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") || name == "driftctl_plugin_processes" {
			t.Errorf("the job registry exposes %s", name)
		}
		for _, m := range mf.GetMetric() {
			if v, _ := label(m, "stack"); v != "network" {
				t.Errorf("%s has stack=%q, want network", name, v)
			}
		}
	}
}

// promtoolPath finds promtool: it skips the test where it is not
// installed, and fails it in CI, where it must be.
func promtoolPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("promtool is not on PATH (CI=true): apt-get install prometheus")
		}
		t.Skip("promtool is not on PATH: apt-get install prometheus")
	}
	return path
}

// promtoolCheck lints exposition text with `promtool check metrics`,
// Prometheus's own naming rules: any finding fails the test.
func promtoolCheck(t *testing.T, promtool string, text []byte) {
	t.Helper()
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(text)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s\nof:\n%s", err, out, text)
	}
}

// TestPromtoolLint lints everything each registry exposes.
func TestPromtoolLint(t *testing.T) {
	t.Parallel()
	promtool := promtoolPath(t)
	job := NewCollector(10)
	job.Set(Next(nil, scan("network", everyStatus(), nil, t0)))
	tests := []struct {
		name string
		reg  func(*APICalls, *PluginCalls) *prometheus.Registry
	}{
		{"serve", func(a *APICalls, p *PluginCalls) *prometheus.Registry {
			return NewRegistry(twoStacks(10), a, p, testBuild)
		}},
		{"one-shot", func(a *APICalls, p *PluginCalls) *prometheus.Registry {
			return NewJobRegistry("network", job, a, p, testBuild)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			promtoolCheck(t, promtool, gatherText(t, tt.reg(observed())))
		})
	}
}

// A revision set at link time (the Dockerfile's and the release's
// -ldflags, built with -buildvcs=false) is the build's; without one, the
// toolchain's.
func TestBinaryBuildRevision(t *testing.T) {
	t.Parallel()
	if got := BinaryBuild("v1.2.3", "0123abcd").Revision; got != "0123abcd" {
		t.Errorf("Revision = %q, want the link-time 0123abcd", got)
	}
	if got, want := BinaryBuild("v1.2.3", "").Revision, buildinfo.Revision(); got != want {
		t.Errorf("Revision = %q, want the toolchain's %q", got, want)
	}
}
