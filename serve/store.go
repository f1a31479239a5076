package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/internal/atomicfile"
	"github.com/gitdrift/driftctl/metrics"
)

// record is what the data directory keeps of a stack: its metrics snapshot
// (with the "drifted since" times) and its last report as JSON.
type record struct {
	Snapshot *metrics.Snapshot `json:"snapshot"`
	Report   json.RawMessage   `json:"report,omitempty"`
}

// store keeps one file per stack under DIR/stacks. A zero store (no
// directory) keeps nothing.
type store struct {
	dir string
}

func (s store) path(stack string) string { return filepath.Join(s.dir, "stacks", stack+".json") }

// load returns the stack's last record, nil when there is none.
func (s store) load(stack string) (*record, error) {
	if s.dir == "" {
		return nil, nil
	}
	data, err := os.ReadFile(s.path(stack))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the last result of stack %s: %w", stack, err)
	}
	r, err := decodeRecord(data, stack)
	if err != nil {
		return nil, fmt.Errorf("reading the last result of stack %s from %s: %w", stack, s.path(stack), err)
	}
	return r, nil
}

// decodeRecord reads a kept record of stack: an error, or a record that
// check accepts.
func decodeRecord(data []byte, stack string) (*record, error) {
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	if r.Snapshot == nil {
		return nil, errors.New("no snapshot")
	}
	if r.Snapshot.Stack != stack {
		return nil, fmt.Errorf("it holds stack %q", r.Snapshot.Stack)
	}
	if err := r.check(); err != nil {
		return nil, err
	}
	return &r, nil
}

// check rejects a record no scan could have written: unknown statuses,
// negative counts, a report that is not a JSON object. Repeated entries
// are not rejected here: the collector drops them (see metrics.Collector.Set).
func (r *record) check() error {
	known := map[string]bool{}
	for _, st := range drift.Statuses {
		known[string(st)] = true
	}
	sn := r.Snapshot
	for i, rc := range sn.Resources {
		if !known[rc.Status] {
			return fmt.Errorf("resources[%d]: unknown status %q", i, rc.Status)
		}
		if rc.Count < 0 {
			return fmt.Errorf("resources[%d]: negative count %d", i, rc.Count)
		}
	}
	for i, d := range sn.Drift {
		if !known[d.Status] {
			return fmt.Errorf("drift[%d]: unknown status %q", i, d.Status)
		}
	}
	for result, n := range sn.Scans {
		if n < 0 || math.IsNaN(n) || math.IsInf(n, 0) {
			return fmt.Errorf("scans[%q]: invalid count %v", result, n)
		}
	}
	if math.IsNaN(sn.Coverage) || sn.Coverage < 0 || sn.Coverage > 1 {
		return fmt.Errorf("coverage %v is not between 0 and 1", sn.Coverage)
	}
	if len(r.Report) > 0 && string(r.Report) != "null" && r.Report[0] != '{' {
		return errors.New("the report is not a JSON object")
	}
	return nil
}

// save writes the stack's record atomically: a temporary file in the same
// directory, synced, then renamed over the old one.
func (s store) save(stack string, r *record) error {
	if s.dir == "" {
		return nil
	}
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("saving stack %s: %w", stack, err)
	}
	dir := filepath.Dir(s.path(stack))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("saving stack %s: %w", stack, err)
	}
	if err := atomicfile.WriteFile(s.path(stack), data, 0o600); err != nil {
		return fmt.Errorf("saving stack %s: %w", stack, err)
	}
	return nil
}
