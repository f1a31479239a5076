package discovery

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestHashDirKnownValue checks the h1: hash of a small package against a
// value computed here by hand from Terraform's definition (the Go modules
// dirhash Hash1: the SHA-256 of lines "HEX_SHA256  PATH\n" sorted by path,
// base64), so the expectation does not come from the code under test.
func TestHashDirKnownValue(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"LICENSE.txt":                       "license\n",
		"terraform-provider-null_v3.2.4_x5": "#!/bin/sh\necho provider\n",
		"docs/README.md":                    "nested files count, named with slashes\n",
	}
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Sorted by name: "LICENSE.txt" < "docs/README.md" < "terraform-...".
	var summary string
	for _, name := range []string{"LICENSE.txt", "docs/README.md", "terraform-provider-null_v3.2.4_x5"} {
		summary += fmt.Sprintf("%x  %s\n", sha256.Sum256([]byte(files[name])), name)
	}
	sum := sha256.Sum256([]byte(summary))
	want := "h1:" + base64.StdEncoding.EncodeToString(sum[:])
	// Also computed with sha256sum, xxd and base64 in a shell.
	const literal = "h1:0cEew7K72yS44Qt8/MjzBSjqdgxJ/WhexXV9DgaMlmM="
	if want != literal {
		t.Fatalf("the hand computation gives %s, the recorded literal is %s", want, literal)
	}
	got, err := HashDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("HashDir = %s, want %s", got, want)
	}
	// A symlink to the package (as terraform init makes from
	// .terraform/providers into the plugin cache) hashes as its target:
	// paths are relative to the package, not to the link.
	link := filepath.Join(t.TempDir(), "linux_amd64")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	if got, err := HashDir(link); err != nil || got != want {
		t.Errorf("HashDir(symlink) = %s, %v; want %s", got, err, want)
	}
}

// realAWS is terraform-provider-aws 5.100.0 for linux_amd64, unpacked,
// where this project's developer machines keep it. Its h1: hash is the one
// that the registry's signed release gives for linux_amd64, as recorded in
// published lock files, and the one terraform 1.11.4 wrote on this machine
// when `terraform init` installed this directory as a filesystem mirror.
const (
	realAWS     = "/opt/tf-plugins/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64"
	realAWSHash = "h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0="
)

func skipWithoutRealAWS(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("the real provider package is for linux_amd64")
	}
	if _, err := os.Stat(realAWS); err != nil {
		t.Skipf("%s is not on this machine (terraform-provider-aws 5.100.0 for linux_amd64, unpacked): %v", realAWS, err)
	}
}

func TestHashDirRealProvider(t *testing.T) {
	skipWithoutRealAWS(t)
	got, err := HashDir(realAWS)
	if err != nil {
		t.Fatal(err)
	}
	if got != realAWSHash {
		t.Errorf("HashDir(%s) = %s, want %s (the published linux_amd64 hash)", realAWS, got, realAWSHash)
	}
}
