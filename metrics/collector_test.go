package metrics

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gitdrift/driftctl/drift"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// twoStacks returns a collector with stack "network" (a report with every
// status) and stack "storage", whose second scan failed after a first
// complete one.
func twoStacks(maxDriftInfo int) *Collector {
	c := NewCollector(maxDriftInfo)
	c.Set(Next(nil, scan("network", everyStatus(), nil, t0)))
	storage := &drift.Report{
		Stack: "storage",
		Results: []drift.Result{
			{Address: "aws_s3_bucket.a", Type: "aws_s3_bucket", ID: "a", Provider: "aws", Status: drift.InSync},
			{Address: "aws_s3_bucket.b", Type: "aws_s3_bucket", ID: "b", Provider: "aws", Status: drift.InSync},
			{Address: "aws_iam_role.ci", Type: "aws_iam_role", ID: "ci", Provider: "aws.global", Status: drift.Drifted},
		},
		Providers: []drift.ProviderInfo{
			{Name: "aws", Account: "123456789012", Region: "eu-west-1"},
			{Name: "aws.global", Account: "111111111111", Region: "us-east-1"},
		},
	}
	first := Next(nil, scan("storage", storage, nil, t0.Add(-time.Hour)))
	c.Set(Next(first, scan("storage", nil, errors.New("cloning repository: authentication required"), t0)))
	return c
}

// gatherText returns the exposition text of what g gathers.
func gatherText(t *testing.T, g prometheus.Gatherer) []byte {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	return familiesText(t, mfs)
}

// compareGolden compares what g gathers with testdata/name, rewriting it
// with -update.
func compareGolden(t *testing.T, g prometheus.Gatherer, name string, metricNames ...string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, gatherText(t, g), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := testutil.GatherAndCompare(g, f, metricNames...); err != nil {
		t.Errorf("%s (run go test -update to accept):\n%v", path, err)
	}
}

func TestCollectorExposition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		maxDriftInfo int
		golden       string
	}{
		{"two stacks", 100, "two_stacks.prom"},
		{"drift info bounded", 2, "two_stacks_bounded.prom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reg := prometheus.NewPedanticRegistry()
			reg.MustRegister(twoStacks(tt.maxDriftInfo))
			compareGolden(t, reg, tt.golden)
		})
	}
}

func TestDriftInfoBound(t *testing.T) {
	t.Parallel()
	rep := &drift.Report{}
	for i := range 5 {
		rep.Results = append(rep.Results, drift.Result{
			Address: fmt.Sprintf("aws_vpc.v%d", i), Type: "aws_vpc", ID: fmt.Sprintf("vpc-%d", i), Provider: "aws", Status: drift.Drifted,
		})
	}
	tests := []struct {
		max             int
		series, omitted int
	}{
		{max: 2, series: 2, omitted: 3},
		{max: 5, series: 5, omitted: 0},
		{max: 10, series: 5, omitted: 0},
		{max: 0, series: 0, omitted: 5},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("max ", tt.max), func(t *testing.T) {
			t.Parallel()
			c := NewCollector(tt.max)
			c.Set(Next(nil, scan("s", rep, nil, t0)))
			reg := prometheus.NewPedanticRegistry()
			reg.MustRegister(c)
			for _, name := range []string{"driftctl_drift_info", "driftctl_drift_since_timestamp_seconds"} {
				n, err := testutil.GatherAndCount(reg, name)
				if err != nil {
					t.Fatal(err)
				}
				if n != tt.series {
					t.Errorf("%d %s series, want %d", n, name, tt.series)
				}
			}
			want := fmt.Sprintf(`
# HELP driftctl_drift_info_omitted_resources Resources not in sync that the last scan left out of driftctl_drift_info to bound the series count (a gauge: the last scan's number).
# TYPE driftctl_drift_info_omitted_resources gauge
driftctl_drift_info_omitted_resources{stack="s"} %d
`, tt.omitted)
			if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "driftctl_drift_info_omitted_resources"); err != nil {
				t.Error(err)
			}
			if tt.series == 2 {
				// The first items in Drift order are the ones kept.
				want := `
# HELP driftctl_drift_info A resource that is not in sync (always 1); at most the configured number per stack.
# TYPE driftctl_drift_info gauge
driftctl_drift_info{address="aws_vpc.v0",id="vpc-0",provider="aws",stack="s",status="drifted",type="aws_vpc"} 1
driftctl_drift_info{address="aws_vpc.v1",id="vpc-1",provider="aws",stack="s",status="drifted",type="aws_vpc"} 1
`
				if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "driftctl_drift_info"); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func TestScansTotalAccumulates(t *testing.T) {
	t.Parallel()
	outcomes := []ScanOutcome{
		scan("s", everyStatus(), nil, t0),                       // partial: an unknown resource
		scan("s", &drift.Report{}, nil, t0.Add(time.Hour)),      // success
		scan("s", nil, errors.New("boom"), t0.Add(2*time.Hour)), // error
		scan("s", &drift.Report{}, nil, t0.Add(3*time.Hour)),    // success
	}
	c := NewCollector(10)
	var s *Snapshot
	for _, o := range outcomes {
		s = Next(s, o)
		c.Set(s)
	}
	want := `
# HELP driftctl_scans_total Scans per result: success (complete report), partial (report with errors), error (no report).
# TYPE driftctl_scans_total counter
driftctl_scans_total{result="error",stack="s"} 1
driftctl_scans_total{result="partial",stack="s"} 1
driftctl_scans_total{result="success",stack="s"} 2
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "driftctl_scans_total"); err != nil {
		t.Error(err)
	}
}

func TestCollectorSnapshotsAreCopies(t *testing.T) {
	t.Parallel()
	c := twoStacks(10)
	snaps := c.Snapshots()
	if len(snaps) != 2 || snaps[0].Stack != "network" || snaps[1].Stack != "storage" {
		t.Fatalf("Snapshots = %v, want network and storage", snaps)
	}
	snaps[0].Drift[0].Status = "changed"
	snaps[0].Scans[ResultSuccess] = 99
	if again := c.Snapshots()[0]; again.Drift[0].Status == "changed" || again.Scans[ResultSuccess] == 99 {
		t.Error("changing a returned snapshot changed the collector's")
	}
}

func TestCollectorConcurrentSetAndCollect(t *testing.T) {
	t.Parallel()
	c := NewCollector(10)
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			var s *Snapshot
			for j := range 50 {
				s = Next(s, scan(fmt.Sprint("stack", i), everyStatus(), nil, t0.Add(time.Duration(j)*time.Minute)))
				c.Set(s)
			}
		})
	}
	for range 20 {
		if _, err := reg.Gather(); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
}

// A snapshot with entries that repeat (a kept record edited by hand, or
// written by a buggy version) must not make the scrape fail for every
// stack: the repeats are dropped, the first kept, and counted.
func TestCollectorDropsDuplicateEntries(t *testing.T) {
	t.Parallel()
	c := twoStacks(100)
	bad := Next(nil, scan("bad", everyStatus(), nil, t0))
	bad.Drift = append(bad.Drift, bad.Drift[0], bad.Drift[1])
	bad.Resources = append(bad.Resources, bad.Resources[0])
	if n := c.Set(bad); n != 3 {
		t.Errorf("Set dropped %d duplicates, want 3", n)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	text := string(gatherText(t, reg))
	for _, want := range []string{`driftctl_scan_success{stack="storage"}`, `driftctl_coverage_ratio{stack="network"}`, `driftctl_coverage_ratio{stack="bad"}`} {
		if !strings.Contains(text, want) {
			t.Errorf("the scrape lacks %s", want)
		}
	}
	shown := 0
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "driftctl_drift_info{") && strings.Contains(l, `stack="bad"`) {
			shown++
		}
	}
	if want := len(bad.Drift) - 2; shown != want {
		t.Errorf("%d drift_info series for the stack with repeats, want %d (one per distinct entry)", shown, want)
	}
}

// TestUnmanagedWithheld: the types whose unmanaged resources a scan did not
// report are a series each, kept through a failed scan, each once.
func TestUnmanagedWithheld(t *testing.T) {
	t.Parallel()
	rep := everyStatus()
	rep.Withheld = []drift.Withheld{
		{Type: "aws_subnet", Provider: "aws", Reason: "module.net (main.tf:3) declares aws_subnet"},
		{Type: "aws_subnet", Provider: "aws", Reason: "again"},
		{Type: "aws_vpc", Provider: "aws.west", Reason: "aws_vpc.x is not identified"},
	}
	first := Next(nil, scan("network", rep, nil, t0))
	failed := Next(first, scan("network", nil, errors.New("reading state: 403"), t0.Add(time.Hour)))
	for name, snap := range map[string]*Snapshot{"complete": first, "failed": failed} {
		c := NewCollector(100)
		if n := c.Set(snap); n != 1 {
			t.Errorf("%s: %d duplicates dropped, want 1", name, n)
		}
		want := `
# HELP driftctl_unmanaged_withheld A type whose unmanaged resources the last scan with a report did not report, since part of the configuration that may declare them was not evaluated (always 1).
# TYPE driftctl_unmanaged_withheld gauge
driftctl_unmanaged_withheld{provider="aws",stack="network",type="aws_subnet"} 1
driftctl_unmanaged_withheld{provider="aws.west",stack="network",type="aws_vpc"} 1
`
		if err := testutil.CollectAndCompare(c, strings.NewReader(want), "driftctl_unmanaged_withheld"); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestProviderInfo: one info series per provider configuration of the
// last scan with a report, with its account and region, kept through a
// failed scan, each once; driftctl_resources keeps its labels.
func TestProviderInfo(t *testing.T) {
	t.Parallel()
	rep := &drift.Report{
		Stack: "multi",
		Results: []drift.Result{
			{Address: "aws_vpc.dev", Type: "aws_vpc", ID: "vpc-1", Provider: "aws", Account: "123456789012", Status: drift.InSync},
			{Address: "aws_vpc.prod", Type: "aws_vpc", ID: "vpc-1", Provider: "aws.prod", Account: "111111111111", Status: drift.InSync},
		},
		Providers: []drift.ProviderInfo{
			{Name: "aws", Account: "123456789012", Region: "us-east-1"},
			{Name: "aws.prod", Account: "111111111111", Region: "us-east-1"},
			{Name: "aws.prod", Account: "222222222222", Region: "us-east-1"},
			// The identity check skipped: no account.
			{Name: "aws.west", Region: "us-west-2"},
		},
	}
	first := Next(nil, scan("multi", rep, nil, t0))
	failed := Next(first, scan("multi", nil, errors.New("reading state: 403"), t0.Add(time.Hour)))
	never := Next(nil, scan("multi", nil, errors.New("reading state: 403"), t0))
	tests := []struct {
		name string
		snap *Snapshot
		want string
	}{
		{"complete", first, `
# HELP driftctl_provider_info A provider configuration of the last scan with a report, with the account ID of its credentials ("" when not known) and its region (always 1).
# TYPE driftctl_provider_info gauge
driftctl_provider_info{account="",provider="aws.west",region="us-west-2",stack="multi"} 1
driftctl_provider_info{account="111111111111",provider="aws.prod",region="us-east-1",stack="multi"} 1
driftctl_provider_info{account="123456789012",provider="aws",region="us-east-1",stack="multi"} 1
`},
		{"failed after a report", failed, `
# HELP driftctl_provider_info A provider configuration of the last scan with a report, with the account ID of its credentials ("" when not known) and its region (always 1).
# TYPE driftctl_provider_info gauge
driftctl_provider_info{account="",provider="aws.west",region="us-west-2",stack="multi"} 1
driftctl_provider_info{account="111111111111",provider="aws.prod",region="us-east-1",stack="multi"} 1
driftctl_provider_info{account="123456789012",provider="aws",region="us-east-1",stack="multi"} 1
`},
		{"never a report", never, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := NewCollector(100)
			c.Set(tt.snap)
			if err := testutil.CollectAndCompare(c, strings.NewReader(tt.want), "driftctl_provider_info"); err != nil {
				t.Error(err)
			}
		})
	}
	// The existing series keep their labels: the provider label is
	// what joins them with the info series.
	c := NewCollector(100)
	c.Set(first)
	want := `
# HELP driftctl_resources Resources found by the last scan with a report, per provider, type and status.
# TYPE driftctl_resources gauge
driftctl_resources{provider="aws",stack="multi",status="drifted",type="aws_vpc"} 0
driftctl_resources{provider="aws",stack="multi",status="ignored",type="aws_vpc"} 0
driftctl_resources{provider="aws",stack="multi",status="in_sync",type="aws_vpc"} 1
driftctl_resources{provider="aws",stack="multi",status="missing",type="aws_vpc"} 0
driftctl_resources{provider="aws",stack="multi",status="unknown",type="aws_vpc"} 0
driftctl_resources{provider="aws",stack="multi",status="unmanaged",type="aws_vpc"} 0
driftctl_resources{provider="aws.prod",stack="multi",status="drifted",type="aws_vpc"} 0
driftctl_resources{provider="aws.prod",stack="multi",status="ignored",type="aws_vpc"} 0
driftctl_resources{provider="aws.prod",stack="multi",status="in_sync",type="aws_vpc"} 1
driftctl_resources{provider="aws.prod",stack="multi",status="missing",type="aws_vpc"} 0
driftctl_resources{provider="aws.prod",stack="multi",status="unknown",type="aws_vpc"} 0
driftctl_resources{provider="aws.prod",stack="multi",status="unmanaged",type="aws_vpc"} 0
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "driftctl_resources"); err != nil {
		t.Error(err)
	}
}
