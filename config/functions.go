package config

import (
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/gitdrift/driftctl/config/funcs"
)

// Functions returns Terraform's built-in functions that driftctl evaluates,
// with file and templatefile reading relative paths from dir, and nothing
// outside it (see LoadConfined). Functions
// whose result Terraform only knows at apply time (timestamp, uuid) return
// unknown values.
func Functions(dir string) map[string]function.Function { return functions(diskFiles(dir)) }

// functions is the function table (config/funcs) of a module's
// evaluation: file functions read through files, a path outside the root
// is errOutside, templatefile's file is checked for nesting as any
// template, and no error carries a sensitive argument's value (see
// redacting).
func functions(files moduleFiles) map[string]function.Function {
	return funcs.Table(funcFiles{files}, funcs.Options{
		Outside: errOutside,
		CheckTemplate: func(src []byte, filename string) hcl.Diagnostics {
			return checkTemplateNesting(src, filename, hcl.InitialPos, 0)
		},
		Wrap: redacting,
	})
}

// funcFiles is a module's files as the file functions read them.
type funcFiles struct{ m moduleFiles }

func (f funcFiles) ReadFile(p string) ([]byte, error)       { return f.m.readFile(p) }
func (f funcFiles) Stat(p string) (fs.FileInfo, error)      { return f.m.stat(p) }
func (f funcFiles) Name(p string) string                    { return f.m.pathName(p) }
func (f funcFiles) Dir() (string, bool)                     { return f.m.dir, f.m.disk }
func (f funcFiles) ReadDir(p string) ([]fs.DirEntry, error) { return f.m.listDir(p) }

// listDir lists the directory at a file function's path (fileset's),
// confined as readFile and stat are: a path outside the root is
// errOutside, and a symbolic link that leaves it is not followed.
func (m moduleFiles) listDir(p string) ([]fs.DirEntry, error) {
	if m.disk && m.root == "" {
		return os.ReadDir(modulePath(m.dir, p))
	}
	if m.disk {
		return inRoot(m, p, func(r *os.Root, name string) ([]fs.DirEntry, error) {
			return fs.ReadDir(r.FS(), filepath.ToSlash(name))
		})
	}
	name, ok := m.fsPath(p)
	if !ok {
		return nil, fs.ErrNotExist
	}
	return fs.ReadDir(m.tree(), name)
}
