package plugintest

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Mirror lays the test provider out in a new directory as `terraform
// providers mirror` and .terraform/providers do (HOST/NAMESPACE/TYPE/
// VERSION/OS_ARCH/BINARY, a copy of Build's binary), and returns the
// directory: what --plugin-dir names.
func Mirror(t testing.TB) string {
	t.Helper()
	bin := Build(t)
	dir := t.TempDir()
	InstallInto(t, bin, dir)
	return dir
}

// InstallInto copies the binary bin into dir in the unpacked layout, as
// `terraform init` leaves it in .terraform/providers.
func InstallInto(t testing.TB, bin, dir string) {
	t.Helper()
	if err := Install(bin, dir); err != nil {
		t.Fatal(err)
	}
}

// Install is InstallInto for a caller without a testing.TB.
func Install(bin, dir string) error {
	pkg := filepath.Join(dir, "registry.terraform.io", "gitdrift", "testfs", Version, runtime.GOOS+"_"+runtime.GOARCH)
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		return err
	}
	src, err := os.Open(bin)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(filepath.Join(pkg, BinaryName), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}
