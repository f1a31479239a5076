// Package atomicfile writes output files so that a reader never sees half
// of one, without ever replacing what is not a regular file.
//
// A regular file (or a path that does not exist yet) is written through
// github.com/google/renameio/v2: a temporary file in the same directory,
// synced, then renamed over the path; an existing file keeps its mode. A
// path that exists and is not a regular file is never renamed over: a
// device or a FIFO (a pipe to another program, /dev/null, /dev/stdout) is
// opened for writing and written in place, and a directory (or a socket) is
// refused. A symbolic link is followed: its final target is what the rules
// above apply to, so the link stays a link and the file it points to is
// replaced atomically. A dangling link is refused.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/google/renameio/v2"
)

// Write writes what write produces to path (see the package comment). perm
// is the mode of a file that does not exist yet (the umask applies); an
// existing regular file keeps its own. On error a regular file at path is
// left as it was and the temporary file is removed.
func Write(path string, perm fs.FileMode, write func(io.Writer) error) error {
	target, fi, err := resolve(path)
	if err != nil {
		return err
	}
	if fi != nil && !fi.Mode().IsRegular() {
		return writeInPlace(target, fi, write)
	}
	dir := filepath.Dir(target)
	pf, err := renameio.NewPendingFile(target, renameio.WithTempDir(dir), renameio.WithPermissions(perm), renameio.WithExistingPermissions())
	if err != nil {
		return fmt.Errorf("creating a temporary file for %s: %w", path, err)
	}
	defer pf.Cleanup() // a no-op once replaced
	bw := bufio.NewWriter(pf)
	if err := write(bw); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := pf.CloseAtomicallyReplace(); err != nil {
		return fmt.Errorf("replacing %s: %w", path, err)
	}
	// Make the rename itself durable; a failure here leaves a complete
	// file, so it is not reported.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// WriteFile writes data to path as Write does.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// resolve follows symbolic links at path and returns the final target and
// its FileInfo (nil when nothing exists there yet).
func resolve(path string) (string, fs.FileInfo, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("writing %s: %w", path, err)
	}
	target := path
	if fi.Mode()&fs.ModeSymlink != 0 {
		if target, err = filepath.EvalSymlinks(path); err != nil {
			return "", nil, fmt.Errorf("writing %s: following the symbolic link: %w", path, err)
		}
		if fi, err = os.Stat(target); err != nil {
			return "", nil, fmt.Errorf("writing %s: %w", path, err)
		}
	}
	return target, fi, nil
}

// writeInPlace writes to an existing path that is not a regular file: a
// device or a FIFO is opened for writing, neither created nor truncated
// (a device cannot be, and a FIFO has nothing to truncate); anything else
// is refused.
func writeInPlace(path string, fi fs.FileInfo, write func(io.Writer) error) error {
	mode := fi.Mode()
	switch {
	case mode.IsDir():
		return fmt.Errorf("writing %s: it is a directory; give a file name", path)
	case mode&(fs.ModeDevice|fs.ModeCharDevice|fs.ModeNamedPipe) == 0:
		return fmt.Errorf("writing %s: it is a %s, not a file, device or pipe", path, kind(mode))
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	bw := bufio.NewWriter(f)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// kind names a mode that is neither a regular file, a directory, a device
// nor a FIFO.
func kind(mode fs.FileMode) string {
	if mode&fs.ModeSocket != 0 {
		return "socket"
	}
	return "special file (" + mode.Type().String() + ")"
}
