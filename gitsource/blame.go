package gitsource

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/utils/diff"
	"github.com/sergi/go-diff/diffmatchpatch"
)

// blamer answers Checkout.Blame, computing each file's blame once.
type blamer struct {
	repo     *git.Repository
	commit   *object.Commit // nil: a working tree without commits
	root     string         // Checkout.Root
	prefix   string         // the FS root's path in the repository
	worktree fs.FS          // non-nil when FS is a working tree on disk
	repoTree fs.FS          // the whole working tree, then
	cl       classifier

	mu    sync.Mutex
	files map[string][]*Blame // by repository path, one per line
}

// blame returns who last changed line of file: a name as shown (under
// Root, or elsewhere in the repository under RepoRoot), or a name inside
// FS.
func (b *blamer) blame(ctx context.Context, file string, line int) (*Blame, error) {
	repoPath, ok := b.repoPath(file)
	if !ok || !fs.ValidPath(repoPath) || repoPath == "." {
		return nil, b.cl.errorf(ErrPathNotFound, "blame: invalid file name "+quote(file), nil)
	}
	if err := ctx.Err(); err != nil {
		return nil, b.cl.wrap("blame", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	lines, ok := b.files[repoPath]
	if !ok {
		var err error
		lines, err = b.compute(repoPath)
		if err != nil {
			return nil, err
		}
		if b.files == nil {
			b.files = make(map[string][]*Blame)
		}
		b.files[repoPath] = lines
	}
	if line < 1 || line > len(lines) {
		return nil, b.cl.errorf(ErrPathNotFound, fmt.Sprintf("blame %s: line %d out of range (%d lines)", file, line, len(lines)), nil)
	}
	bl := *lines[line-1]
	return &bl, nil
}

// repoRoot is Checkout.RepoRoot: root without prefix, "" when root is
// prefix itself (files are shown by their path in the repository).
func (b *blamer) repoRoot() string {
	if b.root == b.prefix {
		return ""
	}
	if b.prefix == "" {
		return b.root
	}
	if r, ok := strings.CutSuffix(b.root, "/"+b.prefix); ok {
		return r
	}
	return ""
}

// repoPath turns a shown name into a path in the repository: a name under
// Root (or inside FS) is one of FS's files; another under RepoRoot is
// elsewhere in the repository.
func (b *blamer) repoPath(file string) (string, bool) {
	file = path.Clean(strings.ReplaceAll(file, "\\", "/"))
	if b.root != "" && b.root != "." {
		if rest, ok := strings.CutPrefix(file, b.root+"/"); ok {
			return path.Join(b.prefix, rest), true
		}
		switch r := b.repoRoot(); {
		case r != "":
			if rest, ok := strings.CutPrefix(file, r+"/"); ok {
				return rest, true
			}
		case b.root == b.prefix && b.commit != nil && !strings.HasPrefix(file, "/"):
			// A remote repository's files are shown by their path in it;
			// a name inside FS is accepted too.
			if _, err := b.commit.File(path.Join(b.prefix, file)); err != nil {
				return file, true
			}
		}
	}
	return path.Join(b.prefix, file), true
}

// compute blames every line of the file at repoPath.
func (b *blamer) compute(repoPath string) ([]*Blame, error) {
	shown := repoPath
	if r := b.repoRoot(); r != "" {
		shown = path.Join(r, repoPath)
	}
	if b.worktree == nil {
		res, err := git.Blame(b.commit, repoPath)
		if err != nil {
			if errors.Is(err, object.ErrFileNotFound) {
				return nil, b.cl.errorf(ErrPathNotFound, "blame: "+quote(shown)+" not in commit "+short(b.commit.Hash.String()), err)
			}
			return nil, b.cl.wrap("blame "+shown, err)
		}
		return fromResult(res), nil
	}

	var data []byte
	var err error
	if rest, ok := strings.CutPrefix(repoPath, b.prefix+"/"); ok || b.prefix == "" {
		if b.prefix == "" {
			rest = repoPath
		}
		data, err = fs.ReadFile(b.worktree, rest)
	} else if b.repoTree != nil {
		data, err = fs.ReadFile(b.repoTree, repoPath)
	} else {
		err = fs.ErrNotExist
	}
	if err != nil {
		return nil, b.cl.errorf(ErrPathNotFound, "blame: "+err.Error(), err)
	}
	current := string(data)
	n := countLines(current)
	var committed string
	var res *git.BlameResult
	if b.commit != nil {
		if f, err := b.commit.File(repoPath); err == nil {
			if committed, err = f.Contents(); err != nil {
				return nil, b.cl.wrap("blame "+shown, err)
			}
			if res, err = git.Blame(b.commit, repoPath); err != nil {
				return nil, b.cl.wrap("blame "+shown, err)
			}
		} else if !errors.Is(err, object.ErrFileNotFound) {
			return nil, b.cl.wrap("blame "+shown, err)
		}
	}
	out := make([]*Blame, n)
	for i := range out {
		out[i] = &Blame{Author: notCommitted}
	}
	if res == nil {
		return out, nil
	}
	blamed := fromResult(res)
	if committed == current {
		return blamed, nil
	}
	// Map each working-tree line that is unchanged from HEAD to its line in
	// HEAD, as git blame does for a modified file.
	i, j := 0, 0 // line in the working tree, line in HEAD
	for _, d := range diff.Do(committed, current) {
		k := countLines(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			for x := 0; x < k && i < n && j < len(blamed); x++ {
				out[i] = blamed[j]
				i, j = i+1, j+1
			}
		case diffmatchpatch.DiffDelete:
			j += k
		case diffmatchpatch.DiffInsert:
			i += k
		}
	}
	return out, nil
}

// fromResult converts go-git's blame lines.
func fromResult(res *git.BlameResult) []*Blame {
	out := make([]*Blame, len(res.Lines))
	for i, l := range res.Lines {
		out[i] = &Blame{SHA: l.Hash.String(), Author: l.AuthorName, Email: l.Author, Time: l.Date}
	}
	return out
}

// countLines counts lines as editors number them: a last line without a
// newline counts, a final newline does not start another line.
func countLines(s string) int {
	if s == "" {
		return 0
	}
	n := strings.Count(s, "\n")
	if !strings.HasSuffix(s, "\n") {
		n++
	}
	return n
}
