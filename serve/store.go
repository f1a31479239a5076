package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

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
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("reading the last result of stack %s from %s: %w", stack, s.path(stack), err)
	}
	if r.Snapshot == nil {
		return nil, fmt.Errorf("reading the last result of stack %s from %s: no snapshot", stack, s.path(stack))
	}
	if r.Snapshot.Stack != stack {
		return nil, fmt.Errorf("reading the last result of stack %s from %s: it holds stack %q", stack, s.path(stack), r.Snapshot.Stack)
	}
	return &r, nil
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
