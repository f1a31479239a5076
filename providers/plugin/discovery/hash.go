package discovery

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/dirhash"
)

// Hash schemes of the dependency lock file.
const (
	// schemeH1 is Terraform's package hash: the Go modules directory hash
	// (golang.org/x/mod/sumdb/dirhash Hash1) of the package's files, named
	// by their paths relative to the package directory. It is the same
	// for an unpacked directory and its .zip.
	schemeH1 = "h1:"
	// schemeZip is the SHA-256 of the .zip as the registry publishes it,
	// in lower-case hex; only a packed package can be checked against it.
	schemeZip = "zh:"
)

// HashDir returns the h1: hash of an unpacked provider package, as
// Terraform's getproviders.PackageHashV1 computes it for a local
// directory: the directory's symlink is resolved first (terraform init
// links .terraform/providers/.../OS_ARCH to the plugin cache), then every
// file under it is hashed with its slash-separated path relative to it.
// Permissions and times are not covered.
func HashDir(dir string) (string, error) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	return dirhash.HashDir(real, "", dirhash.Hash1)
}

// HashZip returns the h1: hash of a packed provider package (the same as
// HashDir of its unpacked contents) and its zh: hash.
func HashZip(path string) (h1, zh string, err error) {
	if h1, err = dirhash.HashZip(path, dirhash.Hash1); err != nil {
		return "", "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	sum := sha256.New()
	if _, err := io.Copy(sum, f); err != nil {
		return "", "", err
	}
	return h1, schemeZip + hex.EncodeToString(sum.Sum(nil)), nil
}

// checkHashes compares a package with the hashes a lock file recorded, as
// Terraform's PackageMatchesAnyHash: one match of any scheme the package
// can be checked against is enough; schemes this package cannot be
// checked against (zh: for a directory, future ones) are skipped. It
// returns the package's hashes for the error message, and whether one
// matched; checkable is false when no recorded hash could be compared.
func checkHashes(pkg *pkg, want []string) (got []string, matched, checkable bool, err error) {
	var h1, zh string
	for _, w := range want {
		switch {
		case strings.HasPrefix(w, schemeH1):
			if h1 == "" {
				if pkg.zip != "" {
					h1, zh, err = HashZip(pkg.zip)
				} else {
					h1, err = HashDir(pkg.dir)
				}
				if err != nil {
					return nil, false, false, fmt.Errorf("hashing %s: %w", pkg.location(), err)
				}
			}
			checkable = true
			if w == h1 {
				return nil, true, true, nil
			}
		case strings.HasPrefix(w, schemeZip) && pkg.zip != "":
			if zh == "" {
				if h1, zh, err = HashZip(pkg.zip); err != nil {
					return nil, false, false, fmt.Errorf("hashing %s: %w", pkg.location(), err)
				}
			}
			checkable = true
			if strings.EqualFold(w, zh) {
				return nil, true, true, nil
			}
		}
	}
	for _, h := range []string{h1, zh} {
		if h != "" {
			got = append(got, h)
		}
	}
	return got, false, checkable, nil
}
