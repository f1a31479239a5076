package metrics

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitdrift/driftctl/drift"
)

// t0 is when the tests' first scan ends.
var t0 = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// everyStatus is a report of stack "network" with a result of every
// status, two of them of the same provider and type.
func everyStatus() *drift.Report {
	return &drift.Report{
		Stack:  "network",
		Commit: &drift.Commit{SHA: "0123abc", Ref: "refs/heads/main"},
		Results: []drift.Result{
			{Address: "aws_vpc.main", Type: "aws_vpc", ID: "vpc-1", Provider: "aws", Status: drift.InSync},
			{Address: "aws_subnet.a", Type: "aws_subnet", ID: "subnet-a", Provider: "aws", Status: drift.Drifted},
			{Address: "aws_subnet.b", Type: "aws_subnet", ID: "subnet-b", Provider: "aws", Status: drift.Missing},
			{Type: "aws_subnet", ID: "subnet-z", Provider: "aws", Status: drift.Unmanaged},
			{Address: "aws_s3_bucket.logs", Type: "aws_s3_bucket", ID: "logs", Provider: "aws", Status: drift.Unknown, Reason: "AccessDenied"},
			{Address: "aws_s3_bucket.tmp", Type: "aws_s3_bucket", ID: "tmp", Provider: "aws", Status: drift.Ignored},
			{Address: "aws_s3_bucket.data", Type: "aws_s3_bucket", ID: "data", Provider: "aws", Status: drift.Drifted},
		},
		Providers: []drift.ProviderInfo{{Name: "aws", Account: "123456789012", Region: "us-east-1"}},
	}
}

// scan is a ScanOutcome of a minute that ends at end.
func scan(stack string, rep *drift.Report, err error, end time.Time) ScanOutcome {
	return ScanOutcome{
		Stack: stack, Source: "https://git.example.com/infra.git", Commit: "0123abc", Ref: "main",
		Report: rep, Err: err, Started: end.Add(-time.Minute), Ended: end,
		FailOn: map[drift.Status]bool{drift.Drifted: true, drift.Missing: true},
	}
}

func TestNextCountsEveryStatus(t *testing.T) {
	t.Parallel()
	s := Next(nil, scan("network", everyStatus(), nil, t0))
	var got []ResourceCount
	for _, r := range s.Resources {
		if r.Type == "aws_subnet" {
			got = append(got, r)
		}
	}
	want := []ResourceCount{
		{"aws", "aws_subnet", "drifted", 1}, {"aws", "aws_subnet", "missing", 1},
		{"aws", "aws_subnet", "unmanaged", 1}, {"aws", "aws_subnet", "unknown", 0},
		{"aws", "aws_subnet", "ignored", 0}, {"aws", "aws_subnet", "in_sync", 0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("aws_subnet counts (-want +got):\n%s", diff)
	}
	if n := len(s.Resources); n != 3*len(drift.Statuses) {
		t.Errorf("%d resource counts, want %d", n, 3*len(drift.Statuses))
	}
	var order []string
	for _, d := range s.Drift {
		order = append(order, d.Status+" "+d.Address+" "+d.ID)
	}
	wantOrder := []string{
		"drifted aws_s3_bucket.data data", "drifted aws_subnet.a subnet-a", "missing aws_subnet.b subnet-b",
		"unmanaged  subnet-z", "unknown aws_s3_bucket.logs logs", "ignored aws_s3_bucket.tmp tmp",
	}
	if diff := cmp.Diff(wantOrder, order); diff != "" {
		t.Errorf("drift order (-want +got):\n%s", diff)
	}
	// The report has an unknown resource: published, but partial.
	if s.Success || s.Scans[ResultPartial] != 1 || !s.HasReport || !s.DriftDetected || s.Error == "" {
		t.Errorf("snapshot = %+v, want a partial scan with drift", s)
	}
	// One unmanaged and one unknown of seven: five were checked and managed.
	if s.Coverage != 5.0/7 {
		t.Errorf("Coverage = %v, want 5/7", s.Coverage)
	}
}

func TestNextResults(t *testing.T) {
	t.Parallel()
	complete := &drift.Report{Results: []drift.Result{{Address: "aws_vpc.a", Type: "aws_vpc", ID: "vpc-1", Provider: "aws", Status: drift.InSync}}}
	withErrors := &drift.Report{
		Results: complete.Results,
		Errors:  []drift.Error{{Type: "aws_s3_bucket", Region: "us-east-1", Operation: "s3:ListBuckets", Message: "AccessDenied"}},
	}
	tests := []struct {
		name        string
		rep         *drift.Report
		err         error
		result      string
		success     bool
		errContains string
	}{
		{"complete report", complete, nil, ResultSuccess, true, ""},
		{"report with errors", withErrors, nil, ResultPartial, false, "aws_s3_bucket in us-east-1 (s3:ListBuckets): AccessDenied"},
		{"report and error", complete, errors.New("provider timed out"), ResultPartial, false, "provider timed out"},
		{"no report", nil, errors.New("cloning repository: auth failed"), ResultError, false, "cloning repository: auth failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			prev := &Snapshot{Stack: "s", Scans: map[string]float64{ResultSuccess: 4, ResultError: 1}, LastSuccess: t0}
			s := Next(prev, scan("s", tt.rep, tt.err, t0.Add(time.Hour)))
			want := map[string]float64{ResultSuccess: 4, ResultPartial: 0, ResultError: 1}
			want[tt.result]++
			if diff := cmp.Diff(want, s.Scans); diff != "" {
				t.Errorf("Scans (-want +got):\n%s", diff)
			}
			if s.Success != tt.success || s.Error != tt.errContains {
				t.Errorf("Success, Error = %v, %q; want %v, %q", s.Success, s.Error, tt.success, tt.errContains)
			}
			wantLast := t0
			if tt.success {
				wantLast = t0.Add(time.Hour)
			}
			if !s.LastSuccess.Equal(wantLast) {
				t.Errorf("LastSuccess = %v, want %v", s.LastSuccess, wantLast)
			}
			if s.DurationSeconds != 60 {
				t.Errorf("DurationSeconds = %v, want 60", s.DurationSeconds)
			}
		})
	}
}

func TestNextFailedScanKeepsLastKnownState(t *testing.T) {
	t.Parallel()
	first := Next(nil, scan("network", everyStatus(), nil, t0))
	out := scan("network", nil, errors.New("reading state: 403"), t0.Add(time.Hour))
	out.Commit = "fedcba9"
	s := Next(first, out)
	if diff := cmp.Diff(first.Resources, s.Resources); diff != "" {
		t.Errorf("Resources changed (-first +failed):\n%s", diff)
	}
	if diff := cmp.Diff(first.Drift, s.Drift); diff != "" {
		t.Errorf("Drift changed (-first +failed):\n%s", diff)
	}
	if s.Commit != "0123abc" || !s.HasReport || s.Coverage != first.Coverage || !s.DriftDetected {
		t.Errorf("failed scan = %+v, want the first scan's state", s)
	}
	if s.Success || s.Error != "reading state: 403" || !s.LastScan.Equal(t0.Add(time.Hour)) {
		t.Errorf("failed scan = %+v, want a failure at %v", s, t0.Add(time.Hour))
	}
}

func TestSinceSurvivesRescansAndRestarts(t *testing.T) {
	t.Parallel()
	first := Next(nil, scan("network", everyStatus(), nil, t0))

	// serve persists the snapshot and reloads it at start.
	data, err := json.Marshal(first)
	if err != nil {
		t.Fatal(err)
	}
	var reloaded *Snapshot
	if err := json.Unmarshal(data, &reloaded); err != nil {
		t.Fatal(err)
	}
	// reflect.DeepEqual, unlike cmp (time.Time.Equal), also sees a
	// location or a monotonic reading that JSON would lose.
	if !reflect.DeepEqual(first, reloaded) {
		t.Fatalf("JSON round trip changed the snapshot:\n%s", cmp.Diff(first, reloaded))
	}

	// The second scan: subnet-a is now missing instead of drifted, the rest
	// is unchanged.
	rep := everyStatus()
	rep.Results[1].Status = drift.Missing
	t1 := t0.Add(2 * time.Hour)
	second := Next(reloaded, scan("network", rep, nil, t1))
	since := map[string]time.Time{}
	for _, d := range second.Drift {
		since[d.ID+" "+d.Status] = d.Since
	}
	tests := []struct {
		item string
		want time.Time
	}{
		{"data drifted", t0},
		{"subnet-b missing", t0},
		{"subnet-z unmanaged", t0},
		{"subnet-a missing", t1},
	}
	for _, tt := range tests {
		if got := since[tt.item]; !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("Since of %s = %v, want %v (UTC)", tt.item, got, tt.want)
		}
	}
	if _, ok := since["subnet-a drifted"]; ok {
		t.Error("subnet-a is still listed as drifted")
	}
}

func TestNextLocalTimesBecomeUTC(t *testing.T) {
	t.Parallel()
	paris := time.FixedZone("CET", 3600)
	// time.Now() carries a monotonic reading, which JSON drops.
	end := time.Now().In(paris)
	s := Next(nil, scan("s", everyStatus(), nil, end))
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Snapshot
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*s, back) {
		t.Errorf("JSON round trip changed the snapshot: %+v, then %+v", *s, back)
	}
}
