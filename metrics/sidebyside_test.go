package metrics

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gitdrift/driftctl/drift"
)

// stackScan is the registry of a one-shot scan of stack: its report has a
// drifted and an unmanaged bucket, and the scan made the same API and
// plugin calls as every other stack's (the label sets that would collide
// without the stack label).
func stackScan(stack string) *prometheus.Registry {
	rep := &drift.Report{
		Stack: stack,
		Results: []drift.Result{
			{Address: "aws_s3_bucket.a", Type: "aws_s3_bucket", ID: stack + "-a", Provider: "aws", Status: drift.Drifted},
			{Type: "aws_s3_bucket", ID: "stray", Provider: "aws", Status: drift.Unmanaged},
		},
		Providers: []drift.ProviderInfo{{Name: "aws", Account: "123456789012", Region: "us-east-1"}},
	}
	c := NewCollector(10)
	c.Set(Next(nil, scan(stack, rep, nil, t0)))
	api, plugins := observed()
	return NewJobRegistry(stack, c, api, plugins, testBuild)
}

// serveStyle is what a one-shot scan of stack wrote before its series all
// carried stack: serve's registry, whose process-wide series have none.
func serveStyle(stack string) *prometheus.Registry {
	c := NewCollector(10)
	c.Set(Next(nil, scan(stack, everyStatus(), nil, t0)))
	api, plugins := observed()
	return NewRegistry(c, api, plugins, testBuild)
}

// mergeTextfiles merges exposition texts (by file name) as node_exporter's
// textfile collector merges the *.prom files of its directory into one
// scrape: each file must parse, the families of one name must agree on
// HELP and TYPE, and no series may come twice (which fails the scrape).
func mergeTextfiles(files map[string][]byte) ([]*dto.MetricFamily, error) {
	merged := map[string]*dto.MetricFamily{}
	from := map[string]string{} // series → file
	for _, name := range slices.Sorted(maps.Keys(files)) {
		parser := expfmt.NewTextParser(model.UTF8Validation)
		mfs, err := parser.TextToMetricFamilies(bytes.NewReader(files[name]))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, family := range slices.Sorted(maps.Keys(mfs)) {
			mf := mfs[family]
			into := merged[mf.GetName()]
			if into == nil {
				into = &dto.MetricFamily{Name: mf.Name, Help: mf.Help, Type: mf.Type}
				merged[mf.GetName()] = into
			}
			if into.GetHelp() != mf.GetHelp() || into.GetType() != mf.GetType() {
				return nil, fmt.Errorf("%s: %s has HELP %q, TYPE %s; another file has %q, %s",
					name, mf.GetName(), mf.GetHelp(), mf.GetType(), into.GetHelp(), into.GetType())
			}
			for _, m := range mf.GetMetric() {
				key := series(mf.GetName(), m)
				if first, ok := from[key]; ok {
					return nil, fmt.Errorf("%s: series %s is in %s too", name, key, first)
				}
				from[key] = name
				into.Metric = append(into.Metric, m)
			}
		}
	}
	return slices.SortedFunc(maps.Values(merged), func(a, b *dto.MetricFamily) int {
		return strings.Compare(a.GetName(), b.GetName())
	}), nil
}

// series is a metric's name and labels, sorted, as text.
func series(name string, m *dto.Metric) string {
	labels := make([]string, 0, len(m.GetLabel()))
	for _, l := range m.GetLabel() {
		labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
	}
	slices.Sort(labels)
	return name + "{" + strings.Join(labels, ",") + "}"
}

// familiesText is the exposition text of mfs.
func familiesText(t *testing.T, mfs []*dto.MetricFamily) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// checkStacks fails the test unless every driftctl series of mfs has a
// stack label of stacks, and driftctl_build_info has one series per stack.
func checkStacks(t *testing.T, mfs []*dto.MetricFamily, stacks ...string) {
	t.Helper()
	builds := map[string]int{}
	for _, mf := range mfs {
		if !strings.HasPrefix(mf.GetName(), "driftctl_") {
			continue
		}
		for _, m := range mf.GetMetric() {
			stack, _ := label(m, "stack")
			if !slices.Contains(stacks, stack) {
				t.Errorf("%s has stack %q, want one of %q", series(mf.GetName(), m), stack, stacks)
			}
			if mf.GetName() == "driftctl_build_info" {
				builds[stack]++
			}
		}
	}
	for _, s := range stacks {
		if builds[s] != 1 {
			t.Errorf("%d driftctl_build_info series of stack %s, want 1", builds[s], s)
		}
	}
}

// TestTextfilesOfTwoStacksSideBySide writes two stacks' textfiles into one
// directory, as two cron jobs on one machine do, and merges them as
// node_exporter does: one-shot scans' files merge into a scrape without a
// series twice that `promtool check metrics` passes; files without the
// stack label on every series (serve's registry) collide, which shows the
// check can fail.
func TestTextfilesOfTwoStacksSideBySide(t *testing.T) {
	t.Parallel()
	promtool := promtoolPath(t)
	tests := []struct {
		name     string
		registry func(stack string) *prometheus.Registry
		collides string // "" when the files merge
	}{
		{"one-shot scans", stackScan, ""},
		{"serve's registry", serveStyle, "series driftctl_build_info{"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			stacks := []string{"network", "storage"}
			files := map[string][]byte{}
			for _, stack := range stacks {
				path := filepath.Join(dir, stack+".prom")
				if err := WriteTextfile(path, tt.registry(stack)); err != nil {
					t.Fatal(err)
				}
				text, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				files[filepath.Base(path)] = text
			}
			merged, err := mergeTextfiles(files)
			if tt.collides != "" {
				if err == nil || !strings.Contains(err.Error(), tt.collides) {
					t.Fatalf("merging = %v, want an error naming %s", err, tt.collides)
				}
				return
			}
			if err != nil {
				t.Fatalf("merging the textfiles: %v", err)
			}
			checkStacks(t, merged, stacks...)
			promtoolCheck(t, promtool, familiesText(t, merged))
		})
	}
}

// TestPushesOfTwoStacksToAPushgateway pushes two stacks' one-shot scans to
// a real Pushgateway and scrapes it, as Prometheus would: the scrape has
// each stack's series once, with its stack, and passes `promtool check
// metrics`.
func TestPushesOfTwoStacksToAPushgateway(t *testing.T) {
	t.Parallel()
	promtool := promtoolPath(t)
	gw := startPushgateway(t)
	stacks := []string{"network", "storage"}
	for _, stack := range stacks {
		if err := Push(t.Context(), gw, stack, stackScan(stack), PushReplace); err != nil {
			t.Fatal(err)
		}
	}
	body := scrapePushgateway(t, gw)
	// One exposition: merging it alone finds any series twice.
	mfs, err := mergeTextfiles(map[string][]byte{"pushgateway": body})
	if err != nil {
		t.Fatalf("the Pushgateway's exposition: %v", err)
	}
	checkStacks(t, mfs, stacks...)
	pushTimes := 0
	for _, mf := range mfs {
		if mf.GetName() == "push_time_seconds" {
			pushTimes = len(mf.GetMetric())
		}
		if strings.HasPrefix(mf.GetName(), "driftctl_") {
			for _, m := range mf.GetMetric() {
				if job, _ := label(m, "job"); job != Job {
					t.Errorf("%s has job %q, want %s", series(mf.GetName(), m), job, Job)
				}
			}
		}
	}
	if pushTimes != len(stacks) {
		t.Errorf("%d push_time_seconds series, want one per stack's group", pushTimes)
	}
	promtoolCheck(t, promtool, body)
}

// startPushgateway starts prometheus-pushgateway on a free port until the
// test ends and returns its URL once it is ready. It skips the test where
// the Pushgateway is not installed, and fails it in CI.
func startPushgateway(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("prometheus-pushgateway")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("prometheus-pushgateway is not on PATH (CI=true): apt-get install prometheus-pushgateway")
		}
		t.Skip("prometheus-pushgateway is not on PATH: apt-get install prometheus-pushgateway")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "--web.listen-address="+addr)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the Pushgateway: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("Pushgateway output:\n%s", logs.String())
		}
	})
	url := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url + "/-/ready")
		last := fmt.Sprint(err)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
			last = resp.Status
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("the Pushgateway exited: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Pushgateway at %s is not ready after 30s: %s", url, last)
		}
	}
}

// TestPushOfAFailedScanKeepsTheLastSuccess pushes a stack's complete scan,
// then a failed one as driftctl scan does (PushUpdate), to a real
// Pushgateway: the group still says when the stack last succeeded, and the
// failure, where a PUT would have dropped the success's series.
func TestPushOfAFailedScanKeepsTheLastSuccess(t *testing.T) {
	t.Parallel()
	gw := startPushgateway(t)
	if err := Push(t.Context(), gw, "network", stackScan("network"), PushReplace); err != nil {
		t.Fatal(err)
	}
	c := NewCollector(10)
	c.Set(Next(nil, scan("network", nil, errors.New("reading state: access denied"), t0.Add(time.Hour))))
	api, plugins := observed()
	if err := Push(t.Context(), gw, "network", NewJobRegistry("network", c, api, plugins, testBuild), PushUpdate); err != nil {
		t.Fatal(err)
	}
	body := scrapePushgateway(t, gw)
	text := string(body)
	for _, want := range []string{
		fmt.Sprintf(`driftctl_last_successful_scan_timestamp_seconds{instance="",job="driftctl",stack="network"} %g`, float64(t0.Unix())),
		`driftctl_scan_success{instance="",job="driftctl",stack="network"} 0`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the Pushgateway lacks %s after the failed scan's push:\n%s", want, grepLines(text, "driftctl_"))
		}
	}
}

// grepLines keeps the lines of text that contain s.
func grepLines(text, s string) string {
	var keep []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// scrapePushgateway is the exposition of the Pushgateway at gw.
func scrapePushgateway(t *testing.T, gw string) []byte {
	t.Helper()
	resp, err := http.Get(gw + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("scraping the Pushgateway: %d %v\n%s", resp.StatusCode, err, body)
	}
	return body
}
