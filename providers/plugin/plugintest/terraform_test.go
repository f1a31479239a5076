//go:build linux

package plugintest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestTerraformDrivesTestfs applies a configuration with real Terraform
// through a dev_overrides CLI configuration (no terraform init), then
// changes the files by hand and checks what Terraform's plans say: the
// provider's semantics are Terraform's, the reference driftctl's plugin
// client is held to. Over protocol 6 and 5.
func TestTerraformDrivesTestfs(t *testing.T) {
	for _, protocol := range []string{"6", "5"} {
		t.Run("protocol "+protocol, func(t *testing.T) {
			t.Parallel()
			w := newWorkspace(t, protocol)
			a := `
resource "testfs_file" "a" {
  path    = "a.txt"
  content = "hello"
  mode    = "%s"
  secret  = "s3cret"
  tags    = { env = "test" }
}
`
			b := `
resource "testfs_file" "b" {
  path    = "%s"
  content = "bee"
}
data "testfs_file" "a" {
  path = testfs_file.a.path
}
output "a_size" {
  value = data.testfs_file.a.size
}
`
			w.config(fmt.Sprintf(a, "644") + fmt.Sprintf(b, "dir/b.txt"))
			w.run(0, "apply", "-auto-approve")
			w.wantFile("a.txt", "hello", 0o644)
			w.wantFile(".a.txt.secret", "s3cret", 0o600)
			w.wantFile("dir/b.txt", "bee", 0o644)
			var tags map[string]string
			if err := json.Unmarshal([]byte(w.read(".a.txt.tags")), &tags); err != nil || tags["env"] != "test" {
				t.Errorf("tags sidecar %q: %v", w.read(".a.txt.tags"), err)
			}
			if out := w.run(0, "output", "-raw", "a_size"); out != "5" {
				t.Errorf("data source size %q, want 5", out)
			}
			w.run(0, "plan", "-detailed-exitcode")

			// "644" in the state, "0644" in the configuration: one mode.
			w.config(fmt.Sprintf(a, "0644") + fmt.Sprintf(b, "dir/b.txt"))
			w.run(0, "plan", "-detailed-exitcode")

			// Hand changes are drift; the secret stays redacted.
			w.write("a.txt", "changed by hand")
			w.write(".a.txt.secret", "changed secret")
			if err := os.Chmod(filepath.Join(w.root, "dir/b.txt"), 0o600); err != nil {
				t.Fatal(err)
			}
			out := w.run(2, "plan", "-refresh-only", "-detailed-exitcode")
			wantMatch(t, out,
				`content = "hello" -> "changed by hand"`,
				`size\s+= 5 -> 15`,
				`secret\s+= \(sensitive value\)`,
				`mode\s+= "0644" -> "0600"`)
			if strings.Contains(out, "s3cret") || strings.Contains(out, "changed secret") {
				t.Errorf("the plan shows the secret:\n%s", out)
			}

			// A deleted file is gone from the refreshed state.
			if err := os.Remove(filepath.Join(w.root, "dir/b.txt")); err != nil {
				t.Fatal(err)
			}
			out = w.run(2, "plan", "-refresh-only", "-detailed-exitcode")
			wantMatch(t, out, `testfs_file.b has been deleted`)

			w.run(0, "apply", "-auto-approve")
			w.wantFile("a.txt", "hello", 0o644)
			w.wantFile(".a.txt.secret", "s3cret", 0o600)
			w.wantFile("dir/b.txt", "bee", 0o644)
			w.run(0, "plan", "-detailed-exitcode")

			// A rename replaces; a file made by hand imports by its path.
			w.write("made/by/hand.txt", "imported")
			w.config(fmt.Sprintf(a, "0644") + fmt.Sprintf(b, "dir/c.txt") + `
import {
  to = testfs_file.c
  id = "made/by/hand.txt"
}
resource "testfs_file" "c" {
  path    = "made/by/hand.txt"
  content = "imported"
}
`)
			out = w.run(2, "plan", "-detailed-exitcode")
			wantMatch(t, out,
				`testfs_file.b must be replaced`,
				`path\s+= "dir/b.txt" -> "dir/c.txt" # forces replacement`,
				`testfs_file.c will be imported`,
				`Plan: 1 to import, 1 to add, 0 to change, 1 to destroy.`)

			// A crash in Read fails the plan with the provider's panic.
			out = w.run(1, "plan", "-detailed-exitcode", "TESTFS_CRASH_ON_READ=1")
			// The panic's trace shows which protocol's server was serving.
			wantMatch(t, out, `panic: testfs: TESTFS_CRASH_ON_READ`,
				`terraform-plugin-go@v[0-9.]+/tfprotov`+protocol+`/tf`+protocol+`server`)
		})
	}
}

// TestTerraformHangOnRead: with TESTFS_HANG_ON_READ=1 a refresh never ends;
// when Terraform is killed the orphaned provider exits by itself.
func TestTerraformHangOnRead(t *testing.T) {
	w := newWorkspace(t, "6")
	w.config(`
resource "testfs_file" "a" {
  path    = "a.txt"
  content = "hello"
}
`)
	w.run(0, "apply", "-auto-approve")

	cmd := exec.Command("terraform", "plan", "-no-color")
	cmd.Dir = w.work
	cmd.Env = append(w.env(), "TESTFS_HANG_ON_READ=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pgid := cmd.Process.Pid
	t.Cleanup(func() { _ = syscall.Kill(-pgid, syscall.SIGKILL) })
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	var provider []int
	deadline := time.Now().Add(30 * time.Second)
	for len(provider) == 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		provider = groupMembers(t, pgid, pgid)
	}
	if len(provider) == 0 {
		t.Fatal("no provider process started under terraform")
	}
	select {
	case err := <-exited:
		t.Fatalf("terraform plan ended (%v) while the provider hangs in Read", err)
	case <-time.After(3 * time.Second):
	}
	_ = cmd.Process.Kill()
	<-exited
	deadline = time.Now().Add(10 * time.Second)
	for len(groupMembers(t, pgid, -1)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("processes %v still running 10s after terraform was killed", groupMembers(t, pgid, -1))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// workspace is a Terraform working directory whose testfs provider, built
// by Build, manages a root of its own.
type workspace struct {
	t         *testing.T
	root      string // the provider's root
	work      string // Terraform's working directory
	cliConfig string
	protocol  string
}

func newWorkspace(t *testing.T, protocol string) *workspace {
	t.Helper()
	// Real Terraform checks the test provider on a developer's machine;
	// it is never run in CI (the provider's own tests and driftctl's
	// plugin tests run everywhere).
	if os.Getenv("DRIFTCTL_TEST_TERRAFORM") == "" {
		t.Skip("set DRIFTCTL_TEST_TERRAFORM=1 on a machine with Terraform 1.11 to check the test provider against real Terraform")
	}
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Fatal("DRIFTCTL_TEST_TERRAFORM is set but terraform is not on PATH")
	}
	bin := Build(t)
	dir := t.TempDir()
	w := &workspace{
		t: t, root: filepath.Join(dir, "root"), work: filepath.Join(dir, "work"),
		cliConfig: filepath.Join(dir, "cli.tfrc"), protocol: protocol,
	}
	for _, d := range []string{w.root, w.work} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cli := fmt.Sprintf(`provider_installation {
  dev_overrides {
    %q = %q
  }
  direct {}
}
`, Source, filepath.Dir(bin))
	if err := os.WriteFile(w.cliConfig, []byte(cli), 0o644); err != nil {
		t.Fatal(err)
	}
	return w
}

// config writes main.tf: the provider on the workspace's root and body.
func (w *workspace) config(body string) {
	w.t.Helper()
	head := fmt.Sprintf(`terraform {
  required_providers {
    testfs = { source = "gitdrift/testfs" }
  }
}
provider "testfs" {
  root = %q
}
`, w.root)
	if err := os.WriteFile(filepath.Join(w.work, "main.tf"), []byte(head+body), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

func (w *workspace) env() []string {
	return append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+w.cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"TF_LOG=", "TF_PLUGIN_CACHE_DIR=", "TESTFS_PROTOCOL="+w.protocol)
}

// run runs terraform with args (those with "=" are environment variables)
// and wants the exit code; it returns the output.
func (w *workspace) run(wantCode int, args ...string) string {
	w.t.Helper()
	var tfArgs, env []string
	for _, a := range args {
		if strings.Contains(a, "=") && !strings.HasPrefix(a, "-") {
			env = append(env, a)
		} else {
			tfArgs = append(tfArgs, a)
		}
	}
	tfArgs = append(tfArgs, "-no-color")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "terraform", tfArgs...)
	cmd.Dir = w.work
	cmd.Env = append(w.env(), env...)
	out, err := cmd.CombinedOutput()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		w.t.Fatalf("terraform %s: %v", strings.Join(tfArgs, " "), err)
	}
	if code != wantCode {
		w.t.Fatalf("terraform %s %s: exit %d, want %d\n%s", strings.Join(env, " "), strings.Join(tfArgs, " "), code, wantCode, out)
	}
	return strings.TrimSpace(string(out))
}

func (w *workspace) read(p string) string {
	w.t.Helper()
	b, err := os.ReadFile(filepath.Join(w.root, p))
	if err != nil {
		w.t.Fatal(err)
	}
	return string(b)
}

func (w *workspace) write(p, content string) {
	w.t.Helper()
	name := filepath.Join(w.root, p)
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		w.t.Fatal(err)
	}
	info, err := os.Stat(name)
	mode := os.FileMode(0o644)
	if err == nil {
		mode = info.Mode().Perm()
	}
	if err := os.WriteFile(name, []byte(content), mode); err != nil {
		w.t.Fatal(err)
	}
}

func (w *workspace) wantFile(p, content string, mode os.FileMode) {
	w.t.Helper()
	info, err := os.Stat(filepath.Join(w.root, p))
	if err != nil {
		w.t.Fatal(err)
	}
	if got := w.read(p); got != content || info.Mode().Perm() != mode {
		w.t.Errorf("%s: %q mode %04o, want %q mode %04o", p, got, info.Mode().Perm(), content, mode)
	}
}

func wantMatch(t *testing.T, out string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(p).MatchString(out) {
			t.Errorf("output does not match %s:\n%s", p, out)
		}
	}
}

// groupMembers lists the live processes of process group pgid, leaving out
// the process except (-1: none), from /proc.
func groupMembers(t *testing.T, pgid, except int) []int {
	t.Helper()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var pids []int
	for _, s := range stats {
		b, err := os.ReadFile(s)
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...; comm may hold spaces.
		_, rest, ok := strings.Cut(string(b), ") ")
		fields := strings.Fields(rest)
		if !ok || len(fields) < 3 || fields[0] == "Z" {
			continue
		}
		if g, _ := strconv.Atoi(fields[2]); g != pgid {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(s)))
		if pid != except {
			pids = append(pids, pid)
		}
	}
	return pids
}
