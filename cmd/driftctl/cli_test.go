package main

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestVersion: --version and the version command print the same line, and
// version -o json the build's details.
func TestVersion(t *testing.T) {
	t.Parallel()
	exec := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	code, flag, _ := exec("--version")
	_, cmd, _ := exec("version")
	if code != exitOK || !strings.HasPrefix(flag, "driftctl ") || flag != cmd {
		t.Errorf("--version: exit %d, %q; version: %q; want the same \"driftctl VERSION\" line", code, flag, cmd)
	}
	code, out, _ := exec("version", "-o", "json")
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); code != exitOK || err != nil {
		t.Fatalf("version -o json: exit %d, %v: %s", code, err, out)
	}
	for _, key := range []string{"version", "commit", "date", "modified", "go_version", "platform"} {
		if _, ok := got[key]; !ok {
			t.Errorf("version -o json has no %q: %s", key, out)
		}
	}
	if code, _, stderr := exec("version", "-o", "yaml"); code != exitError || !strings.Contains(stderr, `--output "yaml": expected text or json`) {
		t.Errorf("version -o yaml: exit %d, stderr %q; want 2 and the formats", code, stderr)
	}
}

// TestReadBuildInfo: the -ldflags values win over the build's VCS stamps,
// which are read when there are none.
func TestReadBuildInfo(t *testing.T) {
	t.Parallel()
	stamped := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v0.0.0-20261205120000-abcdef123456+dirty"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abcdef1234567890"}, {Key: "vcs.time", Value: "2026-12-05T12:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	tests := []struct {
		name string
		ld   buildInfo
		bi   *debug.BuildInfo
		want buildInfo
	}{
		{"no information", buildInfo{}, nil, buildInfo{Version: "dev"}},
		{"devel module", buildInfo{}, &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}}, buildInfo{Version: "dev", GoVersion: "go1.26.0"}},
		{"vcs stamps", buildInfo{}, stamped, buildInfo{Version: stamped.Main.Version, Commit: "abcdef1234567890", Date: "2026-12-05T12:00:00Z", Modified: true, GoVersion: "go1.26.0"}},
		{"ldflags win", buildInfo{Version: "v1.2.3", Commit: "0123abc", Date: "2026-12-01T00:00:00Z"}, stamped,
			buildInfo{Version: "v1.2.3", Commit: "0123abc", Date: "2026-12-01T00:00:00Z", GoVersion: "go1.26.0"}},
		{"ldflags version only", buildInfo{Version: "v1.2.3"}, stamped, buildInfo{Version: "v1.2.3", Commit: "abcdef1234567890", Date: "2026-12-05T12:00:00Z", Modified: true, GoVersion: "go1.26.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := readBuildInfo(tt.ld, tt.bi)
			got.Platform = ""
			if tt.bi == nil {
				got.GoVersion = ""
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestLogFlags: every command takes --log-level and --log-format; a bad
// value is exit code 2 naming the flag; logs go to stderr, durations in
// seconds.
func TestLogFlags(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	tests := []struct {
		args       []string
		code       int
		wantStderr string
	}{
		{[]string{"version", "--log-level", "loud"}, exitError, `--log-level "loud": expected debug, info, warn or error`},
		{[]string{"--log-format", "xml", "iam-policy"}, exitError, `--log-format "xml": expected text or json`},
		{[]string{"serve", "--log-level", "verbose", "--config", "/nonexistent.hcl"}, exitError, `--log-level "verbose"`},
		{[]string{"demo", "--log-format", "yaml"}, exitError, `--log-format "yaml"`},
		{[]string{"remediate", "--log-level", "trace", empty}, exitError, `--log-level "trace"`},
		// An empty directory is a scan that could not run: the debug
		// record says so, with its duration as a number of seconds.
		{[]string{"scan", "--log-level", "debug", "--log-format", "json", empty}, exitError, `"msg":"scan done","exit_code":2,"duration_seconds":`},
		{[]string{"scan", "--log-level", "debug", empty}, exitError, `msg="scan done" exit_code=2 duration_seconds=`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.code || !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr.String(), tt.code, tt.wantStderr)
			}
			if strings.Contains(stdout.String(), "scan done") {
				t.Errorf("a log record went to stdout: %q", stdout.String())
			}
		})
	}
	// The scan's default level, info, keeps the debug record out.
	var stdout, stderr bytes.Buffer
	run(context.Background(), []string{"scan", empty}, &stdout, &stderr)
	if strings.Contains(stderr.String(), "scan done") {
		t.Errorf("scan at the default level logged a debug record: %q", stderr.String())
	}
}

// TestColorAllowed: --no-color, NO_COLOR (any value) and TERM=dumb each
// turn colours off.
func TestColorAllowed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		noColor bool
		env     map[string]string
		color   bool
		redraw  bool
	}{
		{"xterm", false, map[string]string{"TERM": "xterm-256color"}, true, true},
		{"no TERM", false, nil, true, true},
		{"--no-color", true, map[string]string{"TERM": "xterm"}, false, true},
		{"NO_COLOR=1", false, map[string]string{"NO_COLOR": "1", "TERM": "xterm"}, false, true},
		{"NO_COLOR=0 still means no colour", false, map[string]string{"NO_COLOR": "0"}, false, true},
		{"TERM=dumb", false, map[string]string{"TERM": "dumb"}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			getenv := func(k string) string { return tt.env[k] }
			if got := colorAllowed(tt.noColor, getenv); got != tt.color {
				t.Errorf("colorAllowed = %v, want %v", got, tt.color)
			}
			if got := redrawAllowed(getenv); got != tt.redraw {
				t.Errorf("redrawAllowed = %v, want %v", got, tt.redraw)
			}
		})
	}
}

// TestCompletion asks cobra's hidden __complete command, as the shell
// scripts do, for the values of each flag that has a fixed set.
func TestCompletion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args      []string
		want      []string // the candidates, in order (without descriptions)
		directive cobra.ShellCompDirective
	}{
		{[]string{"scan", "--fail-on", ""}, []string{"drifted", "missing", "unmanaged", "unknown", "none"},
			cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveKeepOrder},
		{[]string{"scan", "--fail-on", "drifted,"}, []string{"drifted,missing", "drifted,unmanaged", "drifted,unknown"},
			cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveKeepOrder},
		{[]string{"scan", "--fail-on", "missing,drifted,u"}, []string{"missing,drifted,unmanaged", "missing,drifted,unknown"},
			cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveKeepOrder},
		{[]string{"scan", "--fail-on", "none,"}, nil, cobra.ShellCompDirectiveNoFileComp},
		{[]string{"scan", "-o", ""}, []string{"console", "json", "markdown", "sarif", "junit", "html"}, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder},
		{[]string{"scan", "--output", "json="}, nil, cobra.ShellCompDirectiveDefault},
		{[]string{"scan", "--unmanaged", ""}, []string{"declared", "none"}, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder},
		{[]string{"scan", "--plugin-types", ""}, []string{"missing", "all", "none"}, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder},
		{[]string{"remediate", "--plugin-types", ""}, []string{"missing", "all", "none"}, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder},
		{[]string{"remediate", "-o", ""}, []string{"console", "json"}, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder},
		{[]string{"version", "-o", ""}, []string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder},
		{[]string{"--log-level", ""}, []string{"debug", "info", "warn", "error"}, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder},
		{[]string{"serve", "--log-format", ""}, []string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder},
		{[]string{"scan", "--log-level", ""}, []string{"debug", "info", "warn", "error"}, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder},
		{[]string{"scan", "--var-file", ""}, []string{"tfvars", "tfvars.json"}, cobra.ShellCompDirectiveFilterFileExt},
		{[]string{"serve", "--config", ""}, []string{"hcl"}, cobra.ShellCompDirectiveFilterFileExt},
		{[]string{"scan", "--cache-dir", ""}, nil, cobra.ShellCompDirectiveFilterDirs},
		{[]string{"gen-driftignore", "--input", ""}, []string{"json"}, cobra.ShellCompDirectiveFilterFileExt},
		{[]string{"gen-driftignore", "-o", ""}, nil, cobra.ShellCompDirectiveDefault},
		{[]string{"sc"}, []string{"scan"}, cobra.ShellCompDirectiveNoFileComp},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), append([]string{cobra.ShellCompRequestCmd}, tt.args...), &stdout, &stderr); code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
			last := lines[len(lines)-1]
			var got []string
			for _, l := range lines[:len(lines)-1] {
				value, _, _ := strings.Cut(l, "\t")
				got = append(got, value)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("candidates %q, want %q", got, tt.want)
			}
			if want := ":" + strconv.Itoa(int(tt.directive)); last != want {
				t.Errorf("directive %s, want %s (%s)", last, want, stderr.String())
			}
		})
	}
}

// TestCompletionScripts: cobra's completion command writes each shell's
// script for driftctl.
func TestCompletionScripts(t *testing.T) {
	t.Parallel()
	tests := []struct{ shell, want string }{
		{"bash", "__start_driftctl"},
		{"zsh", "#compdef driftctl"},
		{"fish", "complete -c driftctl"},
		{"powershell", "Register-ArgumentCompleter"},
	}
	for _, tt := range tests {
		t.Run(tt.shell, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"completion", tt.shell}, &stdout, &stderr)
			if code != exitOK || !strings.Contains(stdout.String(), tt.want) {
				t.Errorf("completion %s: exit %d, no %q in its script (stderr %q)", tt.shell, code, tt.want, stderr.String())
			}
		})
	}
}
