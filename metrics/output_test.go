package metrics

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// parseText parses exposition text, failing the test when it does not.
func parseText(t *testing.T, text []byte) map[string]*dto.MetricFamily {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := parser.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		t.Fatalf("parsing exposition text: %v\n%s", err, text)
	}
	return mfs
}

func TestWriteTextfile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "driftctl.prom")
	reg := NewRegistry(twoStacks(10), nil, nil, Build{Version: "v1"})
	// Write twice: the second replaces the first.
	for range 2 {
		if err := WriteTextfile(path, reg); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "driftctl.prom" {
		t.Errorf("directory holds %v, want only driftctl.prom", entries)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, want 0644", info.Mode().Perm())
	}
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(text, []byte("\n")) {
		t.Error("the file does not end with a newline")
	}
	if mfs := parseText(t, text); mfs["driftctl_resources"] == nil || mfs["driftctl_build_info"] == nil {
		t.Errorf("the file lacks driftctl_resources or driftctl_build_info:\n%s", text)
	}
}

func TestWriteTextfileNeverHalfWritten(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "driftctl.prom")
	if err := WriteTextfile(path, NewRegistry(twoStacks(10), nil, nil, Build{Version: "v1"})); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	// A failing gatherer leaves the previous file and no temporary one.
	failing := prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return nil, errors.New("broken collector") })
	if err := WriteTextfile(path, failing); err == nil {
		t.Fatal("WriteTextfile succeeded with a failing gatherer")
	}
	after, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("the file changed after a failed write (err %v)", err)
	}

	// While a writer replaces the file in a loop, every read sees a
	// complete exposition.
	c := twoStacks(10)
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(done)
		var s *Snapshot
		for i := range 50 {
			s = Next(s, scan("busy", everyStatus(), nil, t0.Add(time.Duration(i)*time.Minute)))
			c.Set(s)
			if err := WriteTextfile(path, reg); err != nil {
				t.Error(err)
				return
			}
		}
	})
	for reading := true; reading; {
		select {
		case <-done:
			reading = false
		default:
		}
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if mfs := parseText(t, text); mfs["driftctl_spec_info"] == nil {
			t.Fatalf("read a file without driftctl_spec_info:\n%s", text)
		}
	}
	wg.Wait()
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("directory holds %v, want only driftctl.prom", entries)
	}

	// A directory that does not exist is an error, not a panic.
	if err := WriteTextfile(filepath.Join(dir, "missing", "x.prom"), reg); err == nil {
		t.Error("WriteTextfile into a missing directory succeeded")
	}
}

func TestPush(t *testing.T) {
	t.Parallel()
	type request struct {
		method, path string
		body         []byte
		header       http.Header
	}
	var (
		mu  sync.Mutex
		got []request
	)
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, request{r.Method, r.URL.Path, body, r.Header})
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer gw.Close()

	c := NewCollector(10)
	c.Set(Next(nil, scan("network", everyStatus(), nil, t0)))
	api := NewAPICalls()
	api.Observe("aws", "ec2", "DescribeVpcs", "")
	plugins := NewPluginCalls()
	plugins.Observe("google", "ReadResource", nil)
	if err := Push(context.Background(), gw.URL, "network", NewJobRegistry("network", c, api, plugins, Build{Version: "v1"}), PushReplace); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d requests, want 1", len(got))
	}
	req := got[0]
	if req.method != http.MethodPut || req.path != "/metrics/job/driftctl/stack/network" {
		t.Errorf("request = %s %s, want PUT /metrics/job/driftctl/stack/network", req.method, req.path)
	}
	dec := expfmt.NewDecoder(bytes.NewReader(req.body), expfmt.ResponseFormat(req.header))
	names := map[string]bool{}
	for {
		var mf dto.MetricFamily
		if err := dec.Decode(&mf); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("decoding the pushed body: %v", err)
		}
		names[mf.GetName()] = true
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "stack" {
					t.Errorf("%s carries the stack label, which the grouping key gives", mf.GetName())
				}
			}
		}
	}
	for _, want := range []string{"driftctl_resources", "driftctl_scan_success", "driftctl_scan_provider_api_calls", "driftctl_scan_plugin_calls", "driftctl_build_info"} {
		if !names[want] {
			t.Errorf("the pushed body lacks %s (has %v)", want, names)
		}
	}
	if names["driftctl_scans_total"] {
		t.Error("the pushed body has the counter driftctl_scans_total")
	}
}

func TestPushErrors(t *testing.T) {
	t.Parallel()
	hang := make(chan struct{})
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "slow") {
			select {
			case <-hang:
			case <-r.Context().Done():
			}
			return
		}
		http.Error(w, "bad metrics", http.StatusBadRequest)
	}))
	// Cleanups, not defers: the parallel subtests run after this
	// function returns.
	t.Cleanup(gw.Close)
	t.Cleanup(func() { close(hang) })

	two := twoStacks(10)
	one := NewCollector(10)
	one.Set(Next(nil, scan("slow", everyStatus(), nil, t0)))
	oneBad := NewCollector(10)
	oneBad.Set(Next(nil, scan("bad", everyStatus(), nil, t0)))
	canceled, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	t.Cleanup(cancel)
	tests := []struct {
		name  string
		ctx   context.Context
		stack string
		c     *Collector
		want  string
	}{
		{"gateway refuses", context.Background(), "bad", oneBad, "400"},
		{"metrics of another stack", context.Background(), "network", two, `stack="storage"`},
		{"context ends", canceled, "slow", one, "deadline exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reg := prometheus.NewRegistry()
			reg.MustRegister(tt.c)
			err := Push(tt.ctx, gw.URL, tt.stack, reg, PushReplace)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Push error = %v, want one mentioning %s", err, tt.want)
			}
		})
	}
}
