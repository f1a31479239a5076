package plugintest

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// magicCookie is the handshake value terraform-plugin-go's servers expect
// in TF_PLUGIN_MAGIC_COOKIE; without it the binary refuses to serve.
const magicCookie = "TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"

func TestBuildReturnsOneCachedBinary(t *testing.T) {
	first := Build(t)
	if filepath.Base(first) != BinaryName {
		t.Errorf("binary %s, want the name %s", first, BinaryName)
	}
	info, err := os.Stat(first)
	if err != nil || info.Mode().Perm()&0o111 == 0 {
		t.Fatalf("binary %s is not an executable file: %v", first, err)
	}
	if again := Build(t); again != first {
		t.Errorf("second Build = %s, want the first one %s", again, first)
	}
}

// TestHandshake runs the binary as go-plugin's client would and reads the
// handshake line: core protocol 1, the plugin protocol chosen by
// TESTFS_PROTOCOL, gRPC.
func TestHandshake(t *testing.T) {
	bin := Build(t)
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{name: "default is protocol 6", want: "1|6|unix|"},
		{name: "TESTFS_PROTOCOL=6", env: []string{"TESTFS_PROTOCOL=6"}, want: "1|6|unix|"},
		{name: "TESTFS_PROTOCOL=5", env: []string{"TESTFS_PROTOCOL=5"}, want: "1|5|unix|"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			line, _ := handshake(t, bin, tt.env...)
			if !strings.HasPrefix(line, tt.want) || !strings.HasSuffix(line, "|grpc|") {
				t.Errorf("handshake %q, want %s...|grpc|", line, tt.want)
			}
		})
	}
}

func TestStderrFloodAtStart(t *testing.T) {
	bin := Build(t)
	line, stderr := handshake(t, bin, "TESTFS_STDERR_FLOOD=10MB")
	if !strings.HasPrefix(line, "1|6|") {
		t.Errorf("handshake %q after the flood", line)
	}
	n, head := stderr.result()
	if n < 10<<20 {
		t.Errorf("stderr had %d bytes, want at least 10 MiB", n)
	}
	if !strings.HasPrefix(head, "testfs: stderr flood line 00000000 xxx") {
		t.Errorf("stderr starts %q", head)
	}
}

func TestBadSwitchesStopTheProcess(t *testing.T) {
	bin := Build(t)
	tests := []struct{ env, want string }{
		{"TESTFS_PROTOCOL=7", `TESTFS_PROTOCOL="7": want 5 or 6`},
		{"TESTFS_CRASH_ON_READ=soon", `TESTFS_CRASH_ON_READ="soon"`},
		{"TESTFS_STDERR_FLOOD=lots", `TESTFS_STDERR_FLOOD="lots"`},
	}
	for _, tt := range tests {
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), magicCookie, "PLUGIN_PROTOCOL_VERSIONS=5,6", tt.env)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), tt.want) {
			t.Errorf("%s: err %v, output %q; want a failure saying %s", tt.env, err, out, tt.want)
		}
	}
}

// handshake starts bin as a plugin, returns its first stdout line and what
// it wrote to stderr, and kills it.
func handshake(t *testing.T, bin string, env ...string) (string, *countingWriter) {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), magicCookie, "PLUGIN_PROTOCOL_VERSIONS=5,6")
	cmd.Env = append(cmd.Env, env...)
	stderr := &countingWriter{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- strings.TrimSpace(line)
	}()
	var line string
	select {
	case line = <-lines:
	case <-time.After(30 * time.Second):
		t.Error("no handshake within 30s")
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	return line, stderr
}

// countingWriter counts what is written and keeps the first bytes.
type countingWriter struct {
	mu   sync.Mutex
	n    int
	head bytes.Buffer
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n += len(p)
	if rest := 200 - w.head.Len(); rest > 0 {
		w.head.Write(p[:min(rest, len(p))])
	}
	return len(p), nil
}

func (w *countingWriter) result() (int, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n, w.head.String()
}
