package discovery

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/dirhash"
)

// unpack extracts the packed package zipPath into dir, unless dir already
// holds exactly its contents (the same h1: hash), and returns dir. The
// package is written beside dir and renamed into place, so that a
// concurrent driftctl never runs a half-written binary.
func unpack(zipPath, dir string) (string, error) {
	want, err := dirhash.HashZip(zipPath, dirhash.Hash1)
	if err != nil {
		return "", err
	}
	if isDir(dir) {
		if got, err := HashDir(dir); err == nil && got == want {
			return dir, nil
		}
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".unpack-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	z, err := zip.OpenReader(zipPath)
	if err != nil {
		return "", err
	}
	defer z.Close()
	for _, f := range z.File {
		if err := extract(f, tmp); err != nil {
			return "", err
		}
	}
	// The unpacked files must be what the lock file's h1: hash covered.
	if got, err := HashDir(tmp); err != nil || got != want {
		return "", fmt.Errorf("the unpacked files do not match the archive (%s, want %s): %v", got, want, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Another driftctl may have unpacked it meanwhile.
		if got, herr := HashDir(dir); herr == nil && got == want {
			return dir, nil
		}
		return "", err
	}
	return dir, nil
}

// extract writes one archive member under dir, refusing names that would
// leave it.
func extract(f *zip.File, dir string) error {
	if !filepath.IsLocal(f.Name) {
		return fmt.Errorf("the archive member %q is outside the package", f.Name)
	}
	path := filepath.Join(dir, f.Name)
	if f.FileInfo().IsDir() {
		return os.MkdirAll(path, 0o755)
	}
	if !f.Mode().IsRegular() {
		return fmt.Errorf("the archive member %q is not a regular file", f.Name)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	r, err := f.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	// Provider archives from the registry often carry no Unix modes; the
	// binary must be executable, as terraform init makes it.
	mode := os.FileMode(0o755)
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
