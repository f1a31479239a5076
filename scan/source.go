package scan

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/gitsource"
)

// Source is a loaded desired state and where it came from.
type Source struct {
	Module *config.Module
	// Dir is the local directory of the module, for state discovery; ""
	// for a module read from a remote repository.
	Dir string
	// Commit is nil for a directory outside Git.
	Commit *gitsource.Commit
	// Blame tells who last wrote a line of a file named as in the
	// module's ranges; nil for a directory outside Git.
	Blame func(ctx context.Context, file string, line int) (*gitsource.Blame, error)
	// FilesRoot confines what a local source's configuration reads
	// besides its files (a terraform_remote_state's local state): the
	// repository's working tree or the directory given; "" reads anywhere
	// (--allow-outside-files).
	FilesRoot string
	// Close releases the repository.
	Close func() error
	// ReadFile reads a file of the stack's directory, from where the
	// configuration was read (a commit's tree, or the disk); nil when
	// there is none. A file that does not exist is fs.ErrNotExist.
	ReadFile func(name string) ([]byte, error)
}

// OpenSource loads the module at location: a remote Git repository (URL or
// scp-like address), a local Git repository or working tree (the files as
// they are, or those of a ref), or a plain directory. Problems in the HCL
// come back as diagnostics; a source that cannot be read is an error.
// allowOutside lets a local source's file(), templatefile() and the other
// file functions read anywhere, as Terraform does; by default they read
// only inside the repository's working tree, or the directory given when
// it is in none. Remote sources read only their tree. Git is read through
// git (nil: gitsource.GoGit).
func OpenSource(ctx context.Context, git gitsource.Reader, location string, g gitsource.Options, allowOutside bool) (*Source, hcl.Diagnostics, error) {
	if git == nil {
		git = gitsource.GoGit{}
	}
	filesRoot := func(root string) string {
		if allowOutside {
			return ""
		}
		return root
	}
	remote := gitsource.IsRemote(location)
	if !remote {
		if fi, err := os.Stat(location); err != nil || !fi.IsDir() {
			return nil, nil, fmt.Errorf("%s is not a directory", location)
		}
	}
	local := filepath.Join(location, filepath.FromSlash(g.Path))
	if !remote && g.Ref == "" && !gitsource.IsRepository(location) {
		if g.RequireSigned {
			return nil, nil, fmt.Errorf("%s is not in a Git repository: there is no commit whose signature could be verified", location)
		}
		mod, diags := config.LoadConfined(local, filesRoot(location))
		return &Source{Module: mod, Dir: local, FilesRoot: filesRoot(location), Close: func() error { return nil }, ReadFile: dirReader(local)}, diags, nil
	}
	// The source's logger is not the Git reader's: a scan logs nothing
	// about reading Git but its errors.
	g.Logger = nil
	co, err := git.Open(ctx, location, g)
	if err != nil {
		return nil, nil, err
	}
	commit := co.Commit
	src := &Source{Commit: &commit, Blame: co.Blame, Close: co.Close, ReadFile: fsReader(co.FS)}
	if !remote {
		src.FilesRoot = filesRoot(config.WorkTreeRoot(location))
	}
	var diags hcl.Diagnostics
	switch {
	case !remote && g.Ref == "":
		// The working tree as it is, on disk, with file names as given.
		src.Dir = local
		src.Module, diags = config.LoadConfined(local, filesRoot(config.WorkTreeRoot(location)))
	case co.Tree != nil:
		// A commit's tree: modules elsewhere in the repository are read
		// from it (../../modules/vpc), and named by their path in it.
		if !remote {
			src.Dir = local
		}
		src.Module, diags = config.LoadTree(co.Tree, co.TreePath, func(p string) string { return path.Join(co.RepoRoot, p) })
	case !remote:
		src.Dir = local
		src.Module, diags = config.LoadFS(co.FS, co.Root)
	default:
		src.Module, diags = config.LoadFS(co.FS, co.Root)
	}
	return src, diags, nil
}

// StackName is the default name of a stack: its directory's name, or for a
// repository its path's last element or the repository's name.
func StackName(location, repoPath string) string {
	if repoPath != "" {
		return path.Base(strings.Trim(repoPath, "/"))
	}
	if gitsource.IsRemote(location) {
		name := strings.TrimSuffix(strings.TrimSuffix(location, "/"), ".git")
		if i := strings.LastIndexAny(name, ":/"); i >= 0 {
			name = name[i+1:]
		}
		return name
	}
	abs, err := filepath.Abs(location)
	if err != nil {
		return filepath.Base(location)
	}
	return filepath.Base(abs)
}

// commitOf is the report's commit for a desired state read from Git, nil
// for a plain directory.
func commitOf(src *Source, path string) *drift.Commit {
	c := src.Commit
	if c == nil {
		return nil
	}
	return &drift.Commit{
		SHA: c.SHA, Ref: c.Ref, Author: c.Author, Email: c.Email, Time: c.Time,
		Message: c.Message, Dirty: c.Dirty, Repository: c.Repository, Path: path,
	}
}
