package spec

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// moduleFiles reads the files of a module: from a directory on disk, or
// from an fs.FS such as a Git commit's tree. Names are shown joined to dir,
// as given.
type moduleFiles struct {
	fsys fs.FS
	dir  string
	// disk modules may also read absolute paths and paths outside the
	// module directory (file("../shared/policy.json")), as Terraform does.
	disk bool
}

func diskFiles(dir string) moduleFiles {
	return moduleFiles{fsys: os.DirFS(dir), dir: dir, disk: true}
}

// display is how a file of the module is named in diagnostics and reports.
func (m moduleFiles) display(name string) string {
	if m.disk {
		return filepath.Join(m.dir, name)
	}
	return path.Join(m.dir, name)
}

// fsPath turns a path relative to the module into a name in fsys; ok is
// false for paths that leave it.
func (m moduleFiles) fsPath(p string) (string, bool) {
	if path.IsAbs(p) {
		return "", false
	}
	clean := path.Clean(p)
	return clean, fs.ValidPath(clean)
}

func (m moduleFiles) readFile(p string) ([]byte, error) {
	if m.disk {
		return os.ReadFile(modulePath(m.dir, p))
	}
	name, ok := m.fsPath(p)
	if !ok {
		return nil, fmt.Errorf("%s is outside the module's directory in the repository", p)
	}
	return fs.ReadFile(m.fsys, name)
}

func (m moduleFiles) stat(p string) (fs.FileInfo, error) {
	if m.disk {
		return os.Stat(modulePath(m.dir, p))
	}
	name, ok := m.fsPath(p)
	if !ok {
		return nil, fs.ErrNotExist
	}
	return fs.Stat(m.fsys, name)
}

// pathName is how a file read by file() or templatefile() is named.
func (m moduleFiles) pathName(p string) string {
	if m.disk {
		return modulePath(m.dir, p)
	}
	return path.Join(m.dir, p)
}

func (m moduleFiles) readDir() ([]fs.DirEntry, error) { return fs.ReadDir(m.fsys, ".") }
