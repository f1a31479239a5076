package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestNotATerminal: neither prompts nor colours go to what is not a
// terminal. /dev/null is a character device, which the old check took for
// a terminal (remediate </dev/null read EOF as "no" and exited 0); it is
// opened read-only here, which is safe.
func TestNotATerminal(t *testing.T) {
	t.Parallel()
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	file, err := os.Open(empty)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	for name, f := range map[string]*os.File{"empty file": file, "pipe reader": r, "pipe writer": w, "/dev/null": devNull} {
		if isTerminalReader(f) {
			t.Errorf("%s: isTerminalReader says it is a terminal", name)
		}
		if isTerminal(f) {
			t.Errorf("%s: isTerminal says it is a terminal (colours would be written to it)", name)
		}
	}
}
