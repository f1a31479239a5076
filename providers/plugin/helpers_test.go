package plugin

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// The legacy-SDK provider the tests drive over protocol 5; it builds from
// the module proxy.
const (
	localProviderModule  = "github.com/terraform-providers/terraform-provider-local"
	localProviderVersion = "v1.4.0"
)

var (
	localOnce sync.Once
	localBin  string
	localErr  error

	fakeOnce sync.Once
	fakeBin  string
	fakeErr  error
)

// localProvider returns terraform-provider-local v1.4.0, built once into
// the user cache directory (driftctl-test) and reused across runs. Without
// the module proxy the test skips, and fails in CI.
func localProvider(t *testing.T) string {
	t.Helper()
	localOnce.Do(func() { localBin, localErr = buildLocalProvider() })
	if localErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("building %s@%s: %v", localProviderModule, localProviderVersion, localErr)
		}
		t.Skipf("building %s@%s failed (offline? it needs the Go module proxy): %v", localProviderModule, localProviderVersion, localErr)
	}
	return localBin
}

func buildLocalProvider() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "driftctl-test")
	bin := filepath.Join(dir, "terraform-provider-local_"+localProviderVersion+"_"+runtime.GOOS+"_"+runtime.GOARCH)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	mod, err := os.MkdirTemp("", "driftctl-provider-local-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(mod)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	// Written to a temporary name and renamed: concurrent test binaries
	// never run a half-written provider.
	tmp := bin + ".tmp" + filepath.Base(mod)
	for _, args := range [][]string{
		{"mod", "init", "x"},
		{"get", localProviderModule + "@" + localProviderVersion},
		{"build", "-o", tmp, localProviderModule},
	} {
		if err := goCmd(ctx, mod, args...); err != nil {
			os.Remove(tmp)
			return "", err
		}
	}
	return bin, os.Rename(tmp, bin)
}

func goCmd(ctx context.Context, dir string, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// fakeProvider builds testdata/fakeprovider once per test run.
func fakeProvider(t *testing.T) string {
	t.Helper()
	fakeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "driftctl-fakeprovider-*")
		if err != nil {
			fakeErr = err
			return
		}
		fakeBin = filepath.Join(dir, "terraform-provider-fake")
		cmd := exec.Command("go", "build", "-o", fakeBin, "./testdata/fakeprovider")
		if out, err := cmd.CombinedOutput(); err != nil {
			fakeErr = fmt.Errorf("%w\n%s", err, out)
		}
	})
	if fakeErr != nil {
		t.Fatalf("building testdata/fakeprovider: %v", fakeErr)
	}
	return fakeBin
}

func TestMain(m *testing.M) {
	actAsDyingParentIfAsked()
	code := m.Run()
	if fakeBin != "" {
		os.RemoveAll(filepath.Dir(fakeBin))
	}
	os.Exit(code)
}

// start starts a provider for one test and closes it at its end.
func start(t *testing.T, path string, opts ...Option) Client {
	t.Helper()
	c, err := Start(context.Background(), path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// lockedBuffer is a bytes.Buffer safe for go-plugin's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
