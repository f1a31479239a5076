// Package metrics turns scans into Prometheus metrics: a Snapshot holds
// what one stack's metrics say after its last scan, a Collector exposes
// the snapshots of every stack at scrape time without doing any I/O, and
// Push and WriteTextfile send a registry's metrics to a Pushgateway or a
// node_exporter textfile for scans that run as jobs. NewRegistry is the
// registry of the long-running exporter (driftctl serve), NewJobRegistry
// that of a one-shot scan: gauges only, every series with its stack.
package metrics

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/gitdrift/driftctl/drift"
)

// Scan results, the values of driftctl_scans_total's result label.
const (
	// ResultSuccess is a scan whose report is complete.
	ResultSuccess = "success"
	// ResultPartial is a scan whose report has errors or unknown resources:
	// its resources are published, but it is not a success.
	ResultPartial = "partial"
	// ResultError is a scan that produced no report.
	ResultError = "error"
)

// results lists the scan results in the order metrics show them.
var results = []string{ResultSuccess, ResultPartial, ResultError}

// Snapshot is what one stack's metrics say after its last scan. It is a
// plain value that round-trips through encoding/json (serve keeps it on
// disk so that metrics, counters and "drifted since" times survive a
// restart); its times are in UTC.
type Snapshot struct {
	Stack string `json:"stack"`
	// Source is where the desired state comes from: a directory or a
	// repository URL.
	Source string `json:"source"`
	// Commit and Ref identify the Git commit of the published resources.
	Commit string `json:"commit"`
	Ref    string `json:"ref"`
	// Success is true when the last scan produced a complete report.
	Success bool `json:"success"`
	// Error says why the last scan was not a success, "" when it was.
	Error string `json:"error"`
	// LastScan is when the last scan ended; LastSuccess when the last
	// successful one ended (zero if none ever did).
	LastScan        time.Time `json:"last_scan"`
	LastSuccess     time.Time `json:"last_success"`
	DurationSeconds float64   `json:"duration_seconds"`
	// HasReport is true once a scan has produced a report: Coverage,
	// Resources and Drift are then the last known state.
	HasReport bool            `json:"has_report"`
	Coverage  float64         `json:"coverage"`
	Resources []ResourceCount `json:"resources"`
	// Drift lists every resource whose status is not in_sync, in status
	// order (drift.Statuses), then by address, type and ID.
	Drift []DriftItem `json:"drift"`
	// DriftDetected is true when a result's status is one that fails the
	// scan (--fail-on, fail_on).
	DriftDetected bool `json:"drift_detected"`
	// Scans counts scans per result (ResultSuccess, ResultPartial,
	// ResultError) since the stack was first scanned.
	Scans map[string]float64 `json:"scans"`
	// Withheld are the provider configurations and types whose unmanaged
	// resources the last scan with a report did not report (drift.Withheld).
	Withheld []WithheldType `json:"withheld,omitempty"`
	// Providers are the provider configurations of the last scan with a
	// report (drift.Report.Providers), for driftctl_provider_info.
	Providers []ProviderInfo `json:"providers,omitempty"`
}

// ProviderInfo is one provider configuration: where the resources of
// driftctl_resources with its provider label are.
type ProviderInfo struct {
	// Provider is the configuration ("aws", "aws.prod").
	Provider string `json:"provider"`
	// Account is its account ID, "" when not known.
	Account string `json:"account"`
	Region  string `json:"region"`
}

// WithheldType is a type whose unmanaged resources are not reported.
type WithheldType struct {
	Provider string `json:"provider"`
	Type     string `json:"type"`
}

// ResourceCount is the number of resources of one provider and type with
// one status.
type ResourceCount struct {
	Provider string `json:"provider"`
	Type     string `json:"type"`
	Status   string `json:"status"`
	Count    int    `json:"count"`
}

// DriftItem is one resource that is not in sync.
type DriftItem struct {
	// Address is Terraform's address, "" for unmanaged resources.
	Address string `json:"address"`
	Type    string `json:"type"`
	ID      string `json:"id"`
	Status  string `json:"status"`
	// Provider is the provider configuration ("aws", "aws.prod"): the
	// same type and ID may be unmanaged in two accounts.
	Provider string `json:"provider,omitempty"`
	// Since is when the resource was first seen with this status, carried
	// over from scan to scan while it keeps it.
	Since time.Time `json:"since"`
}

// key identifies a drift item across scans.
func (d DriftItem) key() driftKey { return driftKey{d.Address, d.Type, d.ID, d.Status, d.Provider} }

type driftKey struct{ address, typ, id, status, provider string }

// ScanOutcome is what one scan of a stack produced.
type ScanOutcome struct {
	Stack  string
	Source string
	Commit string
	Ref    string
	// Report is nil when the scan failed before producing one.
	Report *drift.Report
	// Err is why the scan failed or is partial; nil otherwise.
	Err error
	// Started and Ended bound the scan.
	Started, Ended time.Time
	// FailOn holds the statuses that count as drift (--fail-on).
	FailOn map[drift.Status]bool
}

// Next returns the snapshot that follows prev (nil for a stack's first
// scan) after the scan in. A failed scan (no report) keeps prev's last
// known resources, drift, coverage and commit; a report with errors is
// published but is not a success.
func Next(prev *Snapshot, in ScanOutcome) *Snapshot {
	ended := in.Ended.UTC()
	s := &Snapshot{
		Stack:           in.Stack,
		Source:          in.Source,
		Commit:          in.Commit,
		Ref:             in.Ref,
		LastScan:        ended,
		DurationSeconds: max(in.Ended.Sub(in.Started).Seconds(), 0),
		Scans:           map[string]float64{},
	}
	for _, r := range results {
		s.Scans[r] = 0
	}
	if prev != nil {
		maps.Copy(s.Scans, prev.Scans)
		s.LastSuccess = prev.LastSuccess
	}
	rep := in.Report
	if s.Stack == "" && rep != nil {
		s.Stack = rep.Stack
	}
	if rep != nil && rep.Commit != nil {
		s.Commit = cmp.Or(s.Commit, rep.Commit.SHA)
		s.Ref = cmp.Or(s.Ref, rep.Commit.Ref)
	}

	if rep == nil {
		s.Scans[ResultError]++
		s.Error = "scan failed"
		if in.Err != nil {
			s.Error = in.Err.Error()
		}
		if prev != nil && prev.HasReport {
			s.Commit = prev.Commit
			s.HasReport = true
			s.Coverage = prev.Coverage
			s.Resources = slices.Clone(prev.Resources)
			s.Drift = slices.Clone(prev.Drift)
			s.Withheld = slices.Clone(prev.Withheld)
			s.Providers = slices.Clone(prev.Providers)
			for _, d := range s.Drift {
				if in.FailOn[drift.Status(d.Status)] {
					s.DriftDetected = true
				}
			}
		}
		return s
	}

	s.HasReport = true
	s.Coverage = rep.Summary().Coverage
	s.Resources = resourceCounts(rep.Results)
	s.Drift = driftItems(prev, rep.Results, ended)
	for _, w := range rep.Withheld {
		s.Withheld = append(s.Withheld, WithheldType{Provider: w.Provider, Type: w.Type})
	}
	for _, p := range rep.Providers {
		s.Providers = append(s.Providers, ProviderInfo{Provider: p.Name, Account: p.Account, Region: p.Region})
	}
	for _, r := range rep.Results {
		if in.FailOn[r.Status] {
			s.DriftDetected = true
		}
	}
	switch {
	case in.Err == nil && rep.Complete():
		s.Success = true
		s.LastSuccess = ended
		s.Scans[ResultSuccess]++
	default:
		s.Scans[ResultPartial]++
		s.Error = partialError(in.Err, rep)
	}
	return s
}

// partialError says why a scan with a report is not a success.
func partialError(err error, rep *drift.Report) string {
	switch {
	case err != nil:
		return err.Error()
	case len(rep.Errors) == 1:
		return errorString(rep.Errors[0])
	case len(rep.Errors) > 1:
		return fmt.Sprintf("%d errors, first: %s", len(rep.Errors), errorString(rep.Errors[0]))
	default:
		return fmt.Sprintf("%d resources could not be read", rep.Count(drift.Unknown))
	}
}

func errorString(e drift.Error) string {
	where := e.Type
	if e.Region != "" {
		where += " in " + e.Region
	}
	if e.Operation != "" {
		where += " (" + e.Operation + ")"
	}
	if where == "" {
		return e.Message
	}
	return where + ": " + e.Message
}

// statusRank orders statuses as drift.Statuses lists them; unknown
// statuses sort last.
func statusRank(s string) int {
	if i := slices.Index(drift.Statuses, drift.Status(s)); i >= 0 {
		return i
	}
	return len(drift.Statuses)
}

// resourceCounts counts results per provider, type and status. Every
// status appears for every (provider, type) present, so that a series
// drops to 0 instead of vanishing when its last resource changes status.
func resourceCounts(results []drift.Result) []ResourceCount {
	type pt struct{ provider, typ string }
	counts := map[pt]map[drift.Status]int{}
	for _, r := range results {
		k := pt{r.Provider, r.Type}
		if counts[k] == nil {
			counts[k] = map[drift.Status]int{}
		}
		counts[k][r.Status]++
	}
	keys := slices.SortedFunc(maps.Keys(counts), func(a, b pt) int {
		return cmp.Or(cmp.Compare(a.provider, b.provider), cmp.Compare(a.typ, b.typ))
	})
	out := make([]ResourceCount, 0, len(keys)*len(drift.Statuses))
	for _, k := range keys {
		for _, st := range drift.Statuses {
			out = append(out, ResourceCount{Provider: k.provider, Type: k.typ, Status: string(st), Count: counts[k][st]})
		}
	}
	return out
}

// driftItems lists the results that are not in sync, keeping the Since
// of prev's items that are still there with the same status.
func driftItems(prev *Snapshot, results []drift.Result, now time.Time) []DriftItem {
	since := map[driftKey]time.Time{}
	if prev != nil {
		for _, d := range prev.Drift {
			since[d.key()] = d.Since
		}
	}
	out := []DriftItem{}
	seen := map[driftKey]bool{}
	for _, r := range results {
		if r.Status == drift.InSync {
			continue
		}
		d := DriftItem{Address: r.Address, Type: r.Type, ID: r.ID, Status: string(r.Status), Provider: r.Provider, Since: now}
		// Two identical items would make two identical series, which
		// fails the whole scrape.
		if seen[d.key()] {
			continue
		}
		seen[d.key()] = true
		if t, ok := since[d.key()]; ok {
			d.Since = t.UTC()
		}
		out = append(out, d)
	}
	slices.SortStableFunc(out, func(a, b DriftItem) int {
		return cmp.Or(
			cmp.Compare(statusRank(a.Status), statusRank(b.Status)),
			cmp.Compare(a.Address, b.Address),
			cmp.Compare(a.Type, b.Type),
			cmp.Compare(a.ID, b.ID),
			cmp.Compare(a.Provider, b.Provider),
		)
	})
	return out
}

// dedupe drops the resource counts and drift items whose labels repeat
// an earlier one's (they would be the same series twice, which fails a
// whole scrape), keeping the first; it returns how many it dropped.
func (s *Snapshot) dedupe() int {
	dropped := 0
	type rkey struct{ provider, typ, status string }
	seenR := map[rkey]bool{}
	resources := s.Resources[:0]
	for _, r := range s.Resources {
		k := rkey{r.Provider, r.Type, r.Status}
		if seenR[k] {
			dropped++
			continue
		}
		seenR[k] = true
		resources = append(resources, r)
	}
	s.Resources = resources
	seenD := map[driftKey]bool{}
	drift := s.Drift[:0]
	for _, d := range s.Drift {
		if seenD[d.key()] {
			dropped++
			continue
		}
		seenD[d.key()] = true
		drift = append(drift, d)
	}
	s.Drift = drift
	seenW := map[WithheldType]bool{}
	withheld := s.Withheld[:0]
	for _, w := range s.Withheld {
		if seenW[w] {
			dropped++
			continue
		}
		seenW[w] = true
		withheld = append(withheld, w)
	}
	s.Withheld = withheld
	// One info series per provider configuration, so that a join on
	// (stack, provider) matches one.
	seenP := map[string]bool{}
	provs := s.Providers[:0]
	for _, p := range s.Providers {
		if seenP[p.Provider] {
			dropped++
			continue
		}
		seenP[p.Provider] = true
		provs = append(provs, p)
	}
	s.Providers = provs
	return dropped
}

// clone returns a deep copy of s.
func (s *Snapshot) clone() *Snapshot {
	c := *s
	c.Resources = slices.Clone(s.Resources)
	c.Drift = slices.Clone(s.Drift)
	c.Withheld = slices.Clone(s.Withheld)
	c.Providers = slices.Clone(s.Providers)
	c.Scans = maps.Clone(s.Scans)
	return &c
}
