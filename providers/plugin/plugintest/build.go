// Package plugintest builds the test provider of driftctl's plugin client,
// terraform-provider-testfs (providers/plugin/testdata/testprovider, its own
// Go module), for tests. Only tests import it.
package plugintest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

// Source is the test provider's source address; a configuration requires it
// as "gitdrift/testfs".
const Source = "registry.terraform.io/gitdrift/testfs"

// Version is the version the test provider reports.
const Version = "0.1.0"

// BinaryName is the file name Build gives the binary, as Terraform names a
// provider's executable.
const BinaryName = "terraform-provider-testfs_v" + Version

// buildTimeout bounds a cold build, which downloads the framework and gRPC
// through the module proxy (about two minutes on two cores).
const buildTimeout = 8 * time.Minute

// built is the one build of this test process. It is package state on
// purpose: building once per process, whatever the number of tests that
// ask, is the point; the result is immutable once the sync.Once has run.
var built struct {
	once sync.Once
	path string
	skip string // why the build could not run on this machine
	err  error
}

// Build returns the path of a terraform-provider-testfs binary, building it
// at most once per test process and caching it under
// os.UserCacheDir()/driftctl-test/testfs-HASH, HASH covering the provider's
// sources and the Go version, so later runs reuse it. The binary's
// directory is what a dev_overrides entry or a --plugin-dir names.
//
// When the build cannot run here (no go command, or the module proxy out of
// reach for a cold build) the test is skipped with the reason; with CI=true
// it fails instead. Any other build failure fails the test.
func Build(t testing.TB) string {
	t.Helper()
	Binary()
	switch {
	case built.skip != "" && os.Getenv("CI") == "true":
		t.Fatalf("building the test provider: %s; CI must be able to build it", built.skip)
	case built.skip != "":
		t.Skipf("building the test provider: %s", built.skip)
	case built.err != nil:
		t.Fatalf("building the test provider: %v", built.err)
	}
	return built.path
}

// Binary is Build for a caller without a testing.TB (a testscript
// command): the binary's path, or why it cannot be built on this machine
// (skip), or the build's error. It builds at most once per process too.
func Binary() (path, skip string, err error) {
	built.once.Do(func() {
		built.path, built.skip, built.err = build()
	})
	return built.path, built.skip, built.err
}

// ModuleDir is the directory of the test provider's module, found from this
// file's location (tests run from the source tree).
func ModuleDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "testprovider")
}

// build builds the binary or finds it in the cache. It returns a non-empty
// skip when the machine cannot build it.
func build() (path, skip string, err error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", "the go command is not on PATH", nil
	}
	dir := ModuleDir()
	goVersion, err := exec.Command(goCmd, "env", "GOVERSION").Output()
	if err != nil {
		return "", "", fmt.Errorf("go env GOVERSION: %w", err)
	}
	hash, err := sourceHash(dir, strings.TrimSpace(string(goVersion)))
	if err != nil {
		return "", "", err
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	base = filepath.Join(base, "driftctl-test")
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", "", fmt.Errorf("creating the cache %s: %w", base, err)
	}
	cached := filepath.Join(base, "testfs-"+hash)
	path = filepath.Join(cached, BinaryName)

	// Test processes of several packages may ask at once: one builds, the
	// others wait for it and find the cached binary.
	lock := flock.New(cached + ".lock")
	if err := lock.Lock(); err != nil {
		return "", "", fmt.Errorf("locking %s: %w", lock.Path(), err)
	}
	defer lock.Unlock()
	if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() {
		return path, "", nil
	}

	tmp, err := os.MkdirTemp(base, "testfs-build-")
	if err != nil {
		return "", "", fmt.Errorf("creating a build directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, goCmd, "build", "-trimpath", "-o", filepath.Join(tmp, BinaryName), ".")
	cmd.Dir = dir
	// -mod=mod: the module's go.sum is committed, but a go command newer
	// than the one that wrote it may want more sums. GOWORK=off: a go.work
	// above the worktree must not pull driftctl's module in.
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		if proxyUnreachable(out) {
			return "", fmt.Sprintf("the module proxy is out of reach (go build in %s: %s)", dir, firstLine(out)), nil
		}
		return "", "", fmt.Errorf("go build in %s: %w\n%s", dir, err, out)
	}
	if err := os.Rename(tmp, cached); err != nil {
		return "", "", fmt.Errorf("caching the test provider: %w", err)
	}
	return path, "", nil
}

// sourceHash hashes the module's go.mod, go.sum and Go files (names and
// contents) with the go command's version.
func sourceHash(dir, goVersion string) (string, error) {
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".go") || d.Name() == "go.mod" || d.Name() == "go.sum") {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("listing the test provider's sources: %w", err)
	}
	slices.Sort(names)
	h := sha256.New()
	fmt.Fprintf(h, "%s %s/%s\n", goVersion, runtime.GOOS, runtime.GOARCH)
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			return "", fmt.Errorf("hashing the test provider's sources: %w", err)
		}
		rel, _ := filepath.Rel(dir, name)
		fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(rel), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// unreachable are the go command's words for a module download that could
// not reach the network.
var unreachable = []string{
	"dial tcp", "no such host", "connection refused", "i/o timeout",
	"network is unreachable", "TLS handshake timeout", "proxyconnect",
	"GOPROXY=off", "temporary failure in name resolution",
}

func proxyUnreachable(out []byte) bool {
	lower := bytes.ToLower(out)
	for _, s := range unreachable {
		if bytes.Contains(lower, []byte(strings.ToLower(s))) {
			return true
		}
	}
	return false
}

func firstLine(out []byte) string {
	s := strings.TrimSpace(string(out))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
