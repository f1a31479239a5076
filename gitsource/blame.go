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
	cl       classifier

	mu    sync.Mutex
	files map[string][]*Blame // by repository path, one per line
}

// blame returns who last changed line of file (as shown, or a name inside FS).
func (b *blamer) blame(ctx context.Context, file string, line int) (*Blame, error) {
	name := b.nameInFS(file)
	if !fs.ValidPath(name) || name == "." {
		return nil, b.cl.errorf(ErrPathNotFound, "blame: invalid file name "+quote(file), nil)
	}
	if err := ctx.Err(); err != nil {
		return nil, b.cl.wrap("blame", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	lines, ok := b.files[name]
	if !ok {
		var err error
		lines, err = b.compute(name)
		if err != nil {
			return nil, err
		}
		if b.files == nil {
			b.files = make(map[string][]*Blame)
		}
		b.files[name] = lines
	}
	if line < 1 || line > len(lines) {
		return nil, b.cl.errorf(ErrPathNotFound, fmt.Sprintf("blame %s: line %d out of range (%d lines)", file, line, len(lines)), nil)
	}
	bl := *lines[line-1]
	return &bl, nil
}

// nameInFS turns a shown name back into a name inside FS.
func (b *blamer) nameInFS(file string) string {
	file = path.Clean(strings.ReplaceAll(file, "\\", "/"))
	if b.root != "" && b.root != "." {
		if rest, ok := strings.CutPrefix(file, b.root+"/"); ok {
			return rest
		}
	}
	return file
}

// compute blames every line of the FS file name.
func (b *blamer) compute(name string) ([]*Blame, error) {
	repoPath := path.Join(b.prefix, name)
	shown := path.Join(b.root, name)
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

	data, err := fs.ReadFile(b.worktree, name)
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
