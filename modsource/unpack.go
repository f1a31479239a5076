package modsource

import (
	"archive/tar"
	"archive/zip"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// unpacker writes the entries of one package into a directory opened as an
// os.Root, so that no entry, however named and whatever links came before
// it, lands outside; it counts files and bytes against the limits.
type unpacker struct {
	root     *os.Root
	maxBytes int64
	maxFiles int
	bytes    int64
	files    int
	log      *slog.Logger
}

// unpackInto fills the directory final with fill unless it already exists.
// final is named by its content (a commit, an archive's hash), so one that
// exists is complete: it is built under a temporary name and renamed.
func (f *Fetcher) unpackInto(final string, fill func(*unpacker) error) error {
	if info, err := os.Stat(final); err == nil && info.IsDir() {
		return nil
	}
	parent := filepath.Dir(final)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return errorf(nil, "creating the cache directory: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, filepath.Base(final)+".tmp-")
	if err != nil {
		return errorf(nil, "creating the cache directory: %w", err)
	}
	root, err := os.OpenRoot(tmp)
	if err != nil {
		_ = os.RemoveAll(tmp)
		return errorf(nil, "opening the cache directory: %w", err)
	}
	u := &unpacker{root: root, maxBytes: f.MaxBytes, maxFiles: f.MaxFiles, log: f.log}
	if u.maxBytes <= 0 {
		u.maxBytes = DefaultMaxBytes
	}
	if u.maxFiles <= 0 {
		u.maxFiles = DefaultMaxFiles
	}
	err = fill(u)
	if cerr := root.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.RemoveAll(tmp)
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		_ = os.RemoveAll(tmp)
		if info, serr := os.Stat(final); serr == nil && info.IsDir() {
			return nil // another fetch of the same content won
		}
		return errorf(nil, "storing the package: %w", err)
	}
	return nil
}

// entryName cleans an entry's name: slash-separated, relative, inside the
// package; "" is the package's root.
func entryName(name string) (string, error) {
	n := strings.ReplaceAll(name, "\\", "/")
	if strings.HasPrefix(n, "/") || (len(n) >= 2 && n[1] == ':') {
		return "", errorf(ErrUnsafeArchive, "entry %q has an absolute path", name)
	}
	if !inside(n) {
		return "", errorf(ErrUnsafeArchive, "entry %q leads outside the package", name)
	}
	if c := path.Clean(n); c != "." {
		return c, nil
	}
	return "", nil
}

// count counts one more entry.
func (u *unpacker) count() error {
	u.files++
	if u.files > u.maxFiles {
		return errorf(ErrTooLarge, "the package has more than %d files", u.maxFiles)
	}
	return nil
}

// dir creates the directory name.
func (u *unpacker) dir(name string) error {
	n, err := entryName(name)
	if err != nil || n == "" {
		return err
	}
	if err := u.count(); err != nil {
		return err
	}
	return u.root.MkdirAll(n, 0o755)
}

// file writes the regular file name from r, executable if mode says so.
func (u *unpacker) file(name string, mode fs.FileMode, r io.Reader) error {
	n, err := entryName(name)
	if err != nil {
		return err
	}
	if n == "" {
		return errorf(ErrUnsafeArchive, "entry %q is a file at the package's root", name)
	}
	if err := u.count(); err != nil {
		return err
	}
	if d := path.Dir(n); d != "." {
		if err := u.root.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	perm := fs.FileMode(0o644)
	if mode&0o111 != 0 {
		perm = 0o755
	}
	w, err := u.root.OpenFile(n, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	left := u.maxBytes - u.bytes
	written, err := io.CopyN(w, r, left+1)
	u.bytes += written
	if cerr := w.Close(); err == nil || err == io.EOF {
		err = cerr
	}
	if err != nil && err != io.EOF {
		return fmt.Errorf("writing %s: %w", n, err)
	}
	if written > left {
		return errorf(ErrTooLarge, "the package holds more than %s", size(u.maxBytes))
	}
	return nil
}

// symlink creates the link name to target when the link can only point
// inside the package: a relative target without "..". A link that points
// outside is refused; one that climbs with ".." but stays inside is left
// out (its target could only be checked by resolving the links before it).
func (u *unpacker) symlink(name, target string) error {
	n, err := entryName(name)
	if err != nil {
		return err
	}
	t := strings.ReplaceAll(target, "\\", "/")
	if n == "" || t == "" || strings.HasPrefix(t, "/") || (len(t) >= 2 && t[1] == ':') || !inside(path.Join(path.Dir(n), t)) {
		return errorf(ErrUnsafeArchive, "entry %q is a symbolic link to %q, outside the package", name, target)
	}
	if strings.Contains("/"+t+"/", "/../") {
		u.log.Warn("module package: symbolic link left out", "entry", n, "target", t)
		return nil
	}
	if err := u.count(); err != nil {
		return err
	}
	if d := path.Dir(n); d != "." {
		if err := u.root.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	return u.root.Symlink(t, n)
}

// copyFS copies every directory and regular file of fsys (a Git commit's
// tree).
func (u *unpacker) copyFS(fsys fs.FS) error {
	return fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return u.dir(name)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		r, err := fsys.Open(name)
		if err != nil {
			return err
		}
		defer r.Close()
		return u.file(name, info.Mode(), r)
	})
}

// unpackArchive unpacks the archive file (format as Source.Archive).
func (u *unpacker) unpackArchive(file *os.File, format string) error {
	if format == "zip" {
		info, err := file.Stat()
		if err != nil {
			return err
		}
		return u.unzip(file, info.Size())
	}
	var r io.Reader = file
	switch format {
	case "tar.gz":
		gz, err := gzip.NewReader(file)
		if err != nil {
			return errorf(nil, "reading the gzip archive: %w", err)
		}
		defer gz.Close()
		r = gz
	case "tar.bz2":
		r = bzip2.NewReader(file)
	case "tar":
	default:
		return errorf(ErrUnsupported, "archive format %q is not supported", format)
	}
	return u.untar(r)
}

// untar unpacks a tar stream.
func (u *unpacker) untar(r io.Reader) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return errorf(nil, "reading the tar archive: %w", err)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			err = u.dir(h.Name)
		case tar.TypeReg, tar.TypeRegA:
			err = u.file(h.Name, h.FileInfo().Mode(), tr)
		case tar.TypeSymlink:
			err = u.symlink(h.Name, h.Linkname)
		case tar.TypeXGlobalHeader, tar.TypeXHeader:
		default:
			// Hard links, devices and FIFOs have no place in a module.
			if _, err = entryName(h.Name); err == nil {
				u.log.Warn("module package: entry left out", "entry", h.Name, "type", string(h.Typeflag))
			}
		}
		if err != nil {
			return err
		}
	}
}

// unzip unpacks a zip archive.
func (u *unpacker) unzip(r io.ReaderAt, size int64) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return errorf(nil, "reading the zip archive: %w", err)
	}
	for _, zf := range zr.File {
		if err := u.zipEntry(zf); err != nil {
			return err
		}
	}
	return nil
}

func (u *unpacker) zipEntry(zf *zip.File) error {
	mode := zf.Mode()
	switch {
	case mode.IsDir() || strings.HasSuffix(zf.Name, "/"):
		return u.dir(zf.Name)
	case mode&fs.ModeSymlink != 0:
		rc, err := zf.Open()
		if err != nil {
			return errorf(nil, "reading the zip archive: %w", err)
		}
		target, err := io.ReadAll(io.LimitReader(rc, 4096))
		_ = rc.Close()
		if err != nil {
			return errorf(nil, "reading the zip archive: %w", err)
		}
		return u.symlink(zf.Name, string(target))
	case mode.IsRegular():
		rc, err := zf.Open()
		if err != nil {
			return errorf(nil, "reading the zip archive: %w", err)
		}
		defer rc.Close()
		return u.file(zf.Name, mode, rc)
	}
	if _, err := entryName(zf.Name); err != nil {
		return err
	}
	u.log.Warn("module package: entry left out", "entry", zf.Name, "mode", mode.String())
	return nil
}

// size shows a byte count in MiB when it is a whole number of them.
func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
