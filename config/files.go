package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// moduleFiles reads the files of a module: from a directory on disk, or
// from an fs.FS such as a Git commit's tree. Names are shown joined to dir,
// as given.
type moduleFiles struct {
	fsys fs.FS
	dir  string
	// disk is true for a module read from a directory on disk.
	disk bool
	// root confines what a disk module reads (its files, and file(),
	// templatefile() and the like) to a directory, absolute: the
	// repository's working tree or the directory given. "" reads anywhere
	// (absolute paths, paths outside the module's directory), as
	// Terraform does. A Git tree is always confined to itself.
	root string
	// absDir is dir, absolute.
	absDir string
	// pkg is the package of a fetched module, pkgDir the directory in it:
	// names are shown as pkg.Name says.
	pkg    *FetchedModule
	pkgDir string
}

// diskFiles reads the module in dir, confined to dir.
func diskFiles(dir string) moduleFiles { return confinedFiles(dir, dir) }

// confinedFiles reads the module in dir, confined to root; root "" reads
// anywhere.
func confinedFiles(dir, root string) moduleFiles {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	m := moduleFiles{fsys: os.DirFS(dir), dir: dir, disk: true, absDir: abs}
	if root == "" {
		return m
	}
	if r, err := filepath.Abs(root); err == nil {
		root = r
	}
	m.root = root
	rel, err := filepath.Rel(root, abs)
	if err != nil || !filepath.IsLocal(rel) && rel != "." {
		// The module is not under root: confine to the module itself.
		m.root, rel = abs, "."
	}
	m.fsys = rootFS{root: m.root, dir: filepath.ToSlash(rel)}
	return m
}

// LoadConfined is Load for a module in a directory on disk whose files,
// and what file(), templatefile() and the other file functions read, must
// be inside root (a repository's working tree): absolute paths, "../"
// and symbolic links that leave it are refused. root "" reads anywhere,
// as Terraform does (--allow-outside-files).
func LoadConfined(dir, root string) (*Module, hcl.Diagnostics) {
	return loadRoot(confinedFiles(dir, root))
}

// WorkTreeRoot is the top of the Git working tree that holds dir, or dir
// itself when it is in none.
func WorkTreeRoot(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	for d := abs; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return abs
		}
		d = parent
	}
}

// rootFS is the directory dir (slash-separated, relative to root) of a
// tree that nothing read through it may leave: os.Root refuses ".." and
// symbolic links that escape root. The root is opened for each file, so
// that a module keeps no descriptor open.
type rootFS struct {
	root string
	dir  string
}

func (r rootFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	root, err := os.OpenRoot(r.root)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return root.Open(path.Join(r.dir, name))
}

// errOutside is the error of a file function given a path outside the
// directory files are confined to.
var errOutside = errors.New("it is outside the stack's repository (or the directory scanned), which driftctl does not read from unless --allow-outside-files is given")

// display is how a file of the module is named in diagnostics and reports.
func (m moduleFiles) display(name string) string {
	if m.disk {
		return filepath.Join(m.dir, name)
	}
	if m.pkg != nil {
		return m.pkg.Name(path.Join(m.pkgDir, name))
	}
	return path.Join(m.dir, name)
}

// fsPath turns a path relative to the module into a name in the tree
// that tree returns; ok is false for paths that leave it.
func (m moduleFiles) fsPath(p string) (string, bool) {
	if path.IsAbs(p) {
		return "", false
	}
	clean := path.Clean(path.Join(m.pkgDir, p))
	return clean, fs.ValidPath(clean)
}

// tree is what file functions of a module read from: its package (a
// repository's tree, a fetched module's package), so that a path may go
// up from the module's directory while it stays inside, else its files.
func (m moduleFiles) tree() fs.FS {
	if m.pkg != nil {
		return m.pkg.Package
	}
	return m.fsys
}

// rootPath is where a path that a file function was given is under the
// root a disk module is confined to.
func (m moduleFiles) rootPath(p string) (string, error) {
	abs := p
	if !filepath.IsAbs(p) {
		abs = filepath.Join(m.absDir, p)
	}
	rel, err := filepath.Rel(m.root, abs)
	if err != nil || (!filepath.IsLocal(rel) && rel != ".") {
		return "", errOutside
	}
	return rel, nil
}

// confinedError is errOutside for a path that reached outside the root
// through a symbolic link (os.Root's "path escapes from parent"), else
// err's cause.
func confinedError(err error) error {
	if err != nil && strings.Contains(err.Error(), "escapes from parent") {
		return errOutside
	}
	return pathErrorCause(err)
}

// inRoot runs op on the path p inside m's root (os.Root refuses what
// leaves it, symbolic links included); a path outside is errOutside.
func inRoot[T any](m moduleFiles, p string, op func(*os.Root, string) (T, error)) (T, error) {
	var zero T
	rel, err := m.rootPath(p)
	if err != nil {
		return zero, err
	}
	root, err := os.OpenRoot(m.root)
	if err != nil {
		return zero, err
	}
	defer root.Close()
	v, err := op(root, rel)
	return v, confinedError(err)
}

func (m moduleFiles) readFile(p string) ([]byte, error) {
	if m.disk && m.root == "" {
		return os.ReadFile(modulePath(m.dir, p))
	}
	if m.disk {
		return inRoot(m, p, (*os.Root).ReadFile)
	}
	name, ok := m.fsPath(p)
	if !ok {
		return nil, fmt.Errorf("%s is outside the repository", p)
	}
	return fs.ReadFile(m.tree(), name)
}

// stat is os.Stat for a file function's path; a path outside the root is
// errOutside.
func (m moduleFiles) stat(p string) (fs.FileInfo, error) {
	if m.disk && m.root == "" {
		return os.Stat(modulePath(m.dir, p))
	}
	if m.disk {
		return inRoot(m, p, (*os.Root).Stat)
	}
	name, ok := m.fsPath(p)
	if !ok {
		return nil, fs.ErrNotExist
	}
	return fs.Stat(m.tree(), name)
}

// pathErrorCause is the cause of an *fs.PathError, whose path (relative to
// the root) would read oddly after the path as written.
func pathErrorCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// pathName is how a file read by file() or templatefile() is named.
func (m moduleFiles) pathName(p string) string {
	if m.disk {
		return modulePath(m.dir, p)
	}
	if m.pkg != nil {
		return m.display(p)
	}
	return path.Join(m.dir, p)
}

func (m moduleFiles) readDir() ([]fs.DirEntry, error) { return fs.ReadDir(m.fsys, ".") }

// modulePath is p, relative to the module's directory dir unless absolute.
func modulePath(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}
