package config

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/gitdrift/driftctl/gitsource"
)

// GitOptions choose what to read from a Git repository.
type GitOptions struct {
	// Ref is a branch, tag or commit; "" is the remote's HEAD, or for a
	// local working tree the files as they are.
	Ref string
	// Path is the stack's directory inside the repository.
	Path          string
	CacheDir      string
	RequireSigned bool
	// TrustedKeys are armored OpenPGP public keys.
	TrustedKeys string
	Environ     []string
	// AllowOutsideFiles lets a local source's file(), templatefile() and
	// the other file functions read anywhere, as Terraform does; by
	// default they read only inside the repository's working tree, or the
	// directory given when it is in none. Remote sources read only their
	// tree.
	AllowOutsideFiles bool
}

// Source is a loaded desired state and where it came from.
type Source struct {
	Module *Module
	// Dir is the local directory of the module, for state discovery; ""
	// for a module read from a remote repository.
	Dir string
	// Commit is nil for a directory outside Git.
	Commit *gitsource.Commit
	// Blame tells who last wrote a line of a file named as in the
	// module's ranges; nil for a directory outside Git.
	Blame func(ctx context.Context, file string, line int) (*gitsource.Blame, error)
	// Close releases the repository.
	Close func() error
}

// Open loads the module at location: a remote Git repository (URL or
// scp-like address), a local Git repository or working tree (the files as
// they are, or those of a ref), or a plain directory. Problems in the HCL
// come back as diagnostics; a source that cannot be read is an error.
func Open(ctx context.Context, location string, g GitOptions) (*Source, hcl.Diagnostics, error) {
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
		mod, diags := LoadConfined(local, g.filesRoot(location))
		return &Source{Module: mod, Dir: local, Close: func() error { return nil }}, diags, nil
	}
	co, err := gitsource.Open(ctx, location, gitsource.Options{
		Ref: g.Ref, Path: g.Path, CacheDir: g.CacheDir,
		RequireSigned: g.RequireSigned, TrustedKeys: g.TrustedKeys, Environ: g.Environ,
	})
	if err != nil {
		return nil, nil, err
	}
	commit := co.Commit
	src := &Source{Commit: &commit, Blame: co.Blame, Close: co.Close}
	var diags hcl.Diagnostics
	switch {
	case !remote && g.Ref == "":
		// The working tree as it is, on disk, with file names as given.
		src.Dir = local
		src.Module, diags = LoadConfined(local, g.filesRoot(WorkTreeRoot(location)))
	case !remote:
		src.Dir = local
		src.Module, diags = LoadFS(co.FS, co.Root)
	default:
		src.Module, diags = LoadFS(co.FS, co.Root)
	}
	return src, diags, nil
}

// filesRoot is the directory a local source's files are confined to: root,
// or "" (anywhere) with AllowOutsideFiles.
func (g GitOptions) filesRoot(root string) string {
	if g.AllowOutsideFiles {
		return ""
	}
	return root
}

// StackName is the default name of a stack: its directory's name, or for a
// repository its path's last element or the repository's name.
func StackName(location string, g GitOptions) string {
	if g.Path != "" {
		return path.Base(strings.Trim(g.Path, "/"))
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
