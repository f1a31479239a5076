package plugin

import (
	"bytes"
	"slices"
	"strings"
	"sync"
)

// providerStderr is what a provider wrote to its standard error, in two
// streams: its process's file descriptor 2 (where the Go runtime writes a
// panic, and go-plugin's own log) and os.Stderr as go-plugin's server
// redirects it over the connection (where the SDKs' logs go).
type providerStderr struct {
	process, synced *tailBuffer
}

func newProviderStderr() *providerStderr {
	return &providerStderr{
		process: newTailBuffer(stderrLines/2, stderrBytes/2),
		synced:  newTailBuffer(stderrLines/2, stderrBytes/2),
	}
}

// String returns the last lines of both streams, the process's last (a
// crash's message is there).
func (s *providerStderr) String() string {
	return strings.TrimSpace(s.synced.String() + "\n" + s.process.String())
}

// tailBuffer keeps the last lines a provider wrote to its standard error,
// bounded in lines and bytes whatever the provider writes: a provider
// logging megabytes (TF_LOG=trace) costs a few kilobytes here.
type tailBuffer struct {
	maxLines, maxBytes, maxLine int

	mu        sync.Mutex
	lines     []string // ring, oldest first from start
	start     int
	bytes     int
	cur       []byte // the line being written
	truncated bool   // cur lost bytes beyond maxLine
	// panicLine is the first "panic: ..." or "fatal error: ..." line: a
	// crash's goroutine dump is longer than the tail, and the line saying
	// what went wrong comes first.
	panicLine string
	panicKept bool // panicLine is still among lines
}

func newTailBuffer(maxLines, maxBytes int) *tailBuffer {
	maxLine := maxBytes / 4
	if maxLine < 1 {
		maxLine = 1
	}
	return &tailBuffer{maxLines: maxLines, maxBytes: maxBytes, maxLine: maxLine}
}

// Write never fails and never blocks on anything but the buffer's lock.
func (t *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	t.mu.Lock()
	defer t.mu.Unlock()
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		chunk := p
		if i >= 0 {
			chunk = p[:i]
		}
		if room := t.maxLine - len(t.cur); room < len(chunk) {
			if room > 0 {
				t.cur = append(t.cur, chunk[:room]...)
			}
			t.truncated = true
		} else {
			t.cur = append(t.cur, chunk...)
		}
		if i < 0 {
			break
		}
		t.push()
		p = p[i+1:]
	}
	return n, nil
}

func (t *tailBuffer) push() {
	if isPluginDebug(t.cur) {
		t.cur, t.truncated = t.cur[:0], false
		return
	}
	line := string(t.cur)
	if t.truncated {
		line += " [...]"
	}
	if t.panicLine == "" && (strings.HasPrefix(line, "panic: ") || strings.HasPrefix(line, "fatal error: ")) {
		t.panicLine, t.panicKept = line, true
	}
	t.cur, t.truncated = t.cur[:0], false
	if len(t.lines) < t.maxLines {
		t.lines = append(t.lines, line)
	} else {
		t.bytes -= len(t.lines[t.start])
		t.lines[t.start] = line
		t.start = (t.start + 1) % len(t.lines)
	}
	t.bytes += len(line)
	for t.bytes > t.maxBytes && t.count() > 1 {
		t.dropOldest()
	}
	if t.panicKept {
		t.panicKept = slices.Contains(t.lines, t.panicLine)
	}
}

func (t *tailBuffer) count() int { return len(t.lines) }

func (t *tailBuffer) dropOldest() {
	// Rebuild as a plain slice without the oldest line: rare (only
	// when lines are long), and keeps the ring simple.
	ordered := t.ordered()
	t.bytes -= len(ordered[0])
	t.lines, t.start = ordered[1:], 0
}

func (t *tailBuffer) ordered() []string {
	out := make([]string, 0, len(t.lines))
	out = append(out, t.lines[t.start:]...)
	return append(out, t.lines[:t.start]...)
}

// String returns the kept lines, oldest first, and the unfinished last line.
func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := t.ordered()
	if t.panicLine != "" && !t.panicKept {
		lines = append([]string{t.panicLine, "[...]"}, lines...)
	}
	if len(t.cur) > 0 {
		lines = append(lines, string(t.cur))
	}
	return strings.Join(lines, "\n")
}

// isPluginDebug is a debug or trace line of a provider's JSON log on its
// standard error: go-plugin's server log (`{"@level":"debug",...}`) and
// terraform-plugin-log's, which the SDKs write at trace level whatever
// TF_LOG says (Terraform filters them) and which begins with "@caller".
// Noise in a crash report: a framework provider writes a dozen per call.
func isPluginDebug(line []byte) bool {
	if !bytes.HasPrefix(line, []byte(`{"@`)) {
		return false
	}
	return bytes.Contains(line, []byte(`"@level":"debug"`)) || bytes.Contains(line, []byte(`"@level":"trace"`))
}
