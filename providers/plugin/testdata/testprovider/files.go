package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// fileStore is the root directory the provider manages; every path is
// relative to it. A file PATH keeps its secret in the sidecar .PATH.secret
// and its tags, as JSON, in .PATH.tags (the dot before the base name: the
// sidecars of a/b.txt are a/.b.txt.secret and a/.b.txt.tags).
type fileStore struct {
	root string
}

// fileObject is one managed file as it is on disk. A nil Secret or Tags
// means the sidecar does not exist.
type fileObject struct {
	Content string
	Mode    fs.FileMode
	Size    int64
	Secret  *string
	Tags    map[string]string
}

// checkPath rejects the paths the provider will not manage: empty, absolute,
// not clean, outside the root, or a sidecar's name.
func checkPath(p string) error {
	switch {
	case p == "":
		return errors.New("path is empty")
	case filepath.IsAbs(p):
		return fmt.Errorf("path %q is absolute; it must be relative to the provider's root", p)
	case filepath.Clean(p) != p:
		return fmt.Errorf("path %q is not clean (want %q)", p, filepath.Clean(p))
	case p == ".." || strings.HasPrefix(p, "../"):
		return fmt.Errorf("path %q leaves the provider's root", p)
	case strings.HasSuffix(p, ".secret") || strings.HasSuffix(p, ".tags"):
		return fmt.Errorf("path %q ends like a sidecar (.secret, .tags)", p)
	}
	return nil
}

func (s fileStore) abs(p string) string { return filepath.Join(s.root, p) }

func (s fileStore) sidecar(p, kind string) string {
	dir, base := filepath.Split(s.abs(p))
	return filepath.Join(dir, "."+base+"."+kind)
}

// read returns the file at p, or nil and no error when it does not exist.
func (s fileStore) read(p string) (*fileObject, error) {
	if err := checkPath(p); err != nil {
		return nil, err
	}
	info, err := os.Stat(s.abs(p))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("reading %s: not a regular file", p)
	}
	content, err := os.ReadFile(s.abs(p))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	obj := &fileObject{Content: string(content), Mode: info.Mode().Perm(), Size: int64(len(content))}
	if b, err := os.ReadFile(s.sidecar(p, "secret")); err == nil {
		secret := string(b)
		obj.Secret = &secret
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading the secret of %s: %w", p, err)
	}
	if b, err := os.ReadFile(s.sidecar(p, "tags")); err == nil {
		obj.Tags = map[string]string{}
		if err := json.Unmarshal(b, &obj.Tags); err != nil {
			return nil, fmt.Errorf("reading the tags of %s: %w", p, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading the tags of %s: %w", p, err)
	}
	return obj, nil
}

// write creates or replaces the file at p and its sidecars, creating the
// parent directories. The mode is set with chmod, so the umask does not
// change it.
func (s fileStore) write(p string, obj fileObject) error {
	if err := checkPath(p); err != nil {
		return err
	}
	name := s.abs(p)
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", p, err)
	}
	if err := os.WriteFile(name, []byte(obj.Content), obj.Mode); err != nil {
		return fmt.Errorf("writing %s: %w", p, err)
	}
	if err := os.Chmod(name, obj.Mode); err != nil {
		return fmt.Errorf("writing %s: %w", p, err)
	}
	if err := s.writeSidecar(p, "secret", obj.Secret != nil, func() ([]byte, error) {
		return []byte(*obj.Secret), nil
	}); err != nil {
		return err
	}
	return s.writeSidecar(p, "tags", obj.Tags != nil, func() ([]byte, error) {
		return json.Marshal(obj.Tags)
	})
}

// writeSidecar writes the sidecar kind of p when present, and removes it
// when not. Sidecars are 0600: the secret is one.
func (s fileStore) writeSidecar(p, kind string, present bool, content func() ([]byte, error)) error {
	name := s.sidecar(p, kind)
	if !present {
		if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing the %s of %s: %w", kind, p, err)
		}
		return nil
	}
	b, err := content()
	if err != nil {
		return fmt.Errorf("writing the %s of %s: %w", kind, p, err)
	}
	if err := os.WriteFile(name, b, 0o600); err != nil {
		return fmt.Errorf("writing the %s of %s: %w", kind, p, err)
	}
	return nil
}

// remove deletes the file at p and its sidecars; a file already gone is
// not an error.
func (s fileStore) remove(p string) error {
	if err := checkPath(p); err != nil {
		return err
	}
	for _, name := range []string{s.abs(p), s.sidecar(p, "secret"), s.sidecar(p, "tags")} {
		if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("deleting %s: %w", p, err)
		}
	}
	return nil
}

// parseMode reads a permission mode in octal, with or without the leading
// zero: "644" and "0644" are the same mode.
func parseMode(s string) (fs.FileMode, error) {
	if len(s) < 3 || len(s) > 4 {
		return 0, fmt.Errorf("mode %q: want three or four octal digits, such as 0644", s)
	}
	n, err := strconv.ParseUint(s, 8, 32)
	if err != nil || n > 0o777 {
		return 0, fmt.Errorf("mode %q: want permission bits in octal, 0000 to 0777", s)
	}
	return fs.FileMode(n), nil
}

// formatMode is the canonical form of a mode: four octal digits.
func formatMode(m fs.FileMode) string { return fmt.Sprintf("%04o", uint32(m.Perm())) }

// sameMode reports whether a and b are the same mode; a value that does not
// parse is only equal to itself.
func sameMode(a, b string) bool {
	ma, errA := parseMode(a)
	mb, errB := parseMode(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return ma == mb
}
