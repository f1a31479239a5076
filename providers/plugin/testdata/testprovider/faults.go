package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// floodAt is when TESTFS_STDERR_FLOOD writes its bytes.
type floodAt int

const (
	floodNever   floodAt = iota
	floodAtStart         // before the plugin handshake
	floodAtRead          // in every Read, resource or data source
)

// faults are the fault modes driftctl's tests switch on through the
// environment; they are read once, when the process starts.
type faults struct {
	// crashOnRead is "" (no crash), "panic" or "exit".
	crashOnRead string
	hangOnRead  bool
	floodBytes  int64
	floodAt     floodAt
	// stderr is the process's standard error (file descriptor 2). go-plugin's
	// Serve replaces os.Stderr with a pipe into its gRPC stdio stream; the
	// faults write to the real one, which the client reads as the child's
	// stderr, as it reads a panic's trace.
	stderr io.Writer
}

// faultsFromEnv reads TESTFS_CRASH_ON_READ, TESTFS_HANG_ON_READ,
// TESTFS_STDERR_FLOOD and TESTFS_STDERR_FLOOD_AT through getenv.
func faultsFromEnv(getenv func(string) string) (faults, error) {
	f := faults{stderr: os.Stderr}
	switch v := getenv("TESTFS_CRASH_ON_READ"); v {
	case "", "0":
	case "1", "panic":
		f.crashOnRead = "panic"
	case "exit":
		f.crashOnRead = "exit"
	default:
		return f, fmt.Errorf("TESTFS_CRASH_ON_READ=%q: want 1, panic or exit", v)
	}
	switch v := getenv("TESTFS_HANG_ON_READ"); v {
	case "", "0":
	case "1":
		f.hangOnRead = true
	default:
		return f, fmt.Errorf("TESTFS_HANG_ON_READ=%q: want 1", v)
	}
	if v := getenv("TESTFS_STDERR_FLOOD"); v != "" {
		n, err := parseSize(v)
		if err != nil {
			return f, fmt.Errorf("TESTFS_STDERR_FLOOD=%q: %w", v, err)
		}
		f.floodBytes = n
		f.floodAt = floodAtStart
		switch at := getenv("TESTFS_STDERR_FLOOD_AT"); at {
		case "", "start":
		case "read":
			f.floodAt = floodAtRead
		default:
			return f, fmt.Errorf("TESTFS_STDERR_FLOOD_AT=%q: want start or read", at)
		}
	}
	return f, nil
}

// parseSize reads a byte count: "10MB", "512KB", "1GB" (powers of 1024, as
// are KiB, MiB, GiB) or a plain number of bytes.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		n      int64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
		{"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1},
	}
	mult := int64(1)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = rest, u.n
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("want a size such as 10MB, 512KB or 1048576")
	}
	return n * mult, nil
}

// flood writes floodBytes to stderr in numbered 100-byte lines, so that a
// client keeping the last lines has whole lines to keep.
func (f faults) flood() {
	var line bytes.Buffer
	for i, written := 0, int64(0); written < f.floodBytes; i++ {
		line.Reset()
		fmt.Fprintf(&line, "testfs: stderr flood line %08d ", i)
		for line.Len() < 99 {
			line.WriteByte('x')
		}
		line.WriteByte('\n')
		b := line.Bytes()
		if rest := f.floodBytes - written; rest < int64(len(b)) {
			b = b[:rest]
		}
		if _, err := f.stderr.Write(b); err != nil {
			return
		}
		written += int64(len(b))
	}
}

// onRead runs the fault modes of a Read of what, in order: flood, crash,
// hang.
func (f faults) onRead(what string) {
	if f.floodAt == floodAtRead {
		f.flood()
	}
	switch f.crashOnRead {
	case "panic":
		fmt.Fprintf(f.stderr, "testfs: crashing in Read of %s (TESTFS_CRASH_ON_READ)\n", what)
		panic("testfs: TESTFS_CRASH_ON_READ")
	case "exit":
		fmt.Fprintf(f.stderr, "testfs: exiting in Read of %s (TESTFS_CRASH_ON_READ=exit)\n", what)
		os.Exit(3)
	}
	if f.hangOnRead {
		fmt.Fprintf(f.stderr, "testfs: hanging in Read of %s (TESTFS_HANG_ON_READ)\n", what)
		hang()
	}
}

// hang blocks the caller for ever, ignoring its context: a client's deadline
// cannot end the call, only killing the process can. So that a client that
// dies without killing us leaves no process behind, the process exits when
// it is orphaned (its parent changes).
func hang() {
	parent := os.Getppid()
	for {
		time.Sleep(200 * time.Millisecond)
		if os.Getppid() != parent {
			fmt.Fprintln(os.Stderr, "testfs: parent gone while hanging; exiting")
			os.Exit(4)
		}
	}
}
