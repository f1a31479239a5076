package gitsource

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// openLocalRepository opens the repository containing dir: a working tree
// (searching parent directories for .git) or a bare repository.
func openLocalRepository(dir string) (*git.Repository, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, errors.New("not a directory")
	}
	// DetectDotGit only finds working trees; a bare repository opens as is.
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		if bare, berr := git.PlainOpen(dir); berr == nil {
			return bare, nil
		}
	}
	return repo, err
}

// openLocal reads a repository on disk in place, without the cache. A
// working tree without Ref serves the files on disk; with Ref, or for a bare
// repository, it serves the commit's tree.
func openLocal(ctx context.Context, location, sub string, opts Options, log *slog.Logger) (*Checkout, error) {
	cl := classifier{repo: location}
	repo, err := openLocalRepository(location)
	if err != nil {
		if errors.Is(err, git.ErrRepositoryNotExists) || errors.Is(err, fs.ErrNotExist) {
			return nil, cl.errorf(ErrNotFound, "not a git repository", err)
		}
		return nil, cl.errorf(ErrNotFound, "not a git repository: "+err.Error(), err)
	}
	if err := ctx.Err(); err != nil {
		return nil, cl.wrap("", err)
	}
	wt, err := repo.Worktree()
	bare := errors.Is(err, git.ErrIsBareRepository)
	if err != nil && !bare {
		closeRepo(repo)
		return nil, cl.wrap("opening the working tree", err)
	}

	// prefix is where location sits inside the repository, for blame and
	// status; a bare repository has no such place.
	prefix, root := sub, sub
	if !bare {
		rel, err := relativeTo(wt.Filesystem.Root(), location)
		if err != nil {
			closeRepo(repo)
			return nil, cl.wrap("locating the working tree", err)
		}
		prefix = path.Join(rel, sub)
		if prefix == "." {
			prefix = ""
		}
		root = path.Join(filepath.ToSlash(location), sub)
	}
	log = log.With("repository", location)
	log.Debug("git open local", "ref", opts.Ref, "path", sub, "bare", bare)

	var co *Checkout
	if bare || opts.Ref != "" {
		co, err = openLocalCommit(repo, opts.Ref, prefix, root, opts, cl)
	} else {
		co, err = openWorktree(repo, wt, location, sub, prefix, root, opts, cl)
	}
	if err != nil {
		closeRepo(repo)
		return nil, err
	}
	co.close = func() error { closeRepo(repo); return nil }
	return co, nil
}

// openLocalCommit serves the directory prefix of the commit that ref names in
// a local repository.
func openLocalCommit(repo *git.Repository, ref, prefix, root string, opts Options, cl classifier) (*Checkout, error) {
	refName := ref
	var hash plumbing.Hash
	if ref == "" || ref == "HEAD" {
		head, err := repo.Reference(plumbing.HEAD, false)
		if err != nil {
			return nil, cl.errorf(ErrRefNotFound, "no HEAD", err)
		}
		resolved, err := repo.Head()
		if err != nil {
			return nil, cl.errorf(ErrRefNotFound, "HEAD has no commit", err)
		}
		hash, refName = resolved.Hash(), "HEAD"
		if head.Type() == plumbing.SymbolicReference {
			refName = head.Target().String()
		}
	} else {
		h, err := repo.ResolveRevision(plumbing.Revision(ref))
		if err != nil {
			return nil, cl.errorf(ErrRefNotFound, "ref "+quote(ref)+" not found", err)
		}
		hash = *h
	}
	commit, err := peel(repo, hash)
	if err != nil {
		return nil, cl.errorf(ErrRefNotFound, "ref "+quote(ref)+" is not a commit", err)
	}
	return checkoutOf(repo, commit, refName, prefix, root, opts, cl)
}

// openWorktree serves the working tree on disk under sub, comparing it with
// HEAD for Commit.Dirty.
func openWorktree(repo *git.Repository, wt *git.Worktree, location, sub, prefix, root string, opts Options, cl classifier) (*Checkout, error) {
	dir := filepath.Join(location, filepath.FromSlash(sub))
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return nil, cl.errorf(ErrPathNotFound, "path "+quote(sub)+" not in the working tree", err)
	}
	info := Commit{Repository: location, Ref: "HEAD"}
	var commit *object.Commit
	head, err := repo.Reference(plumbing.HEAD, false)
	if err == nil && head.Type() == plumbing.SymbolicReference {
		info.Ref = head.Target().String()
	}
	if resolved, err := repo.Head(); err == nil {
		commit, err = repo.CommitObject(resolved.Hash())
		if err != nil {
			return nil, cl.wrap("reading HEAD", err)
		}
		info = commitInfo(commit, info.Ref, location)
	} else if !errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil, cl.wrap("reading HEAD", err)
	}

	dirty, err := worktreeDirty(wt, prefix)
	if err != nil {
		return nil, cl.wrap("reading the working tree status", err)
	}
	info.Dirty = dirty || commit == nil
	if commit != nil {
		signed, err := verifySignature(commit, location, opts)
		if err != nil {
			return nil, err
		}
		info.Signed = signed
	}
	if opts.RequireSigned && info.Dirty {
		what := "the working tree has uncommitted changes"
		if commit == nil {
			what = "the repository has no commit"
		}
		return nil, cl.errorf(ErrUnsigned, what+"; signed commits can only be checked with a clean tree or a ref", nil)
	}
	fsys := os.DirFS(dir)
	b := &blamer{repo: repo, commit: commit, root: root, prefix: prefix, worktree: fsys, cl: cl}
	if b.repoRoot() != "" {
		b.repoTree = os.DirFS(filepath.FromSlash(b.repoRoot()))
	}
	return &Checkout{FS: fsys, Root: root, RepoRoot: b.repoRoot(), Commit: info, Blame: b.blame}, nil
}

// worktreeDirty reports changes (staged, unstaged or untracked, not ignored)
// under prefix of the working tree. go-git computes the status of the whole
// tree; entries outside prefix are then left out.
func worktreeDirty(wt *git.Worktree, prefix string) (bool, error) {
	status, err := wt.Status()
	if err != nil {
		return false, err
	}
	for file, st := range status {
		if prefix != "" && file != prefix && !strings.HasPrefix(file, prefix+"/") {
			continue
		}
		if st.Staging != git.Unmodified || st.Worktree != git.Unmodified {
			return true, nil
		}
	}
	return false, nil
}

// relativeTo returns dir relative to root, slash-separated, resolving
// symbolic links so that /tmp and /private/tmp (and the like) agree.
func relativeTo(root, dir string) (string, error) {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(absRoot); err == nil {
		absRoot = r
	}
	if d, err := filepath.EvalSymlinks(absDir); err == nil {
		absDir = d
	}
	rel, err := filepath.Rel(absRoot, absDir)
	if err != nil {
		return "", err
	}
	return filepath.ToSlash(rel), nil
}
