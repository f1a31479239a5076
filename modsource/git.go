package modsource

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"path/filepath"

	"github.com/gitdrift/driftctl/gitsource"
)

// fetchGit resolves the source's ref through gitsource (its clone cache,
// credentials and deadlines) and copies the commit's tree into
// CacheDir/trees, so that the repository's cache lock is held only while
// copying.
func (f *Fetcher) fetchGit(ctx context.Context, src Source) (*Module, error) {
	co, err := f.git.Open(ctx, src.Location, gitsource.Options{
		Ref:      src.Ref,
		CacheDir: filepath.Join(f.cache, "git"),
		Environ:  f.Environ,
		Logger:   f.log,
	})
	if err != nil {
		var ge *gitsource.Error
		if errors.As(err, &ge) {
			// The source already names the repository.
			return nil, &detail{msg: ge.Detail, errs: []error{err}}
		}
		return nil, err
	}
	defer func() { _ = co.Close() }()
	sum := sha256.Sum256([]byte(co.Commit.Repository + "\x00" + co.Commit.SHA))
	dir := filepath.Join(f.cache, "trees", hex.EncodeToString(sum[:]))
	if err := f.unpackInto(dir, func(u *unpacker) error { return u.copyFS(co.FS) }); err != nil {
		return nil, errorf(nil, "copying commit %s: %w", short(co.Commit.SHA), err)
	}
	m, err := newModule(dir, src.Subdir)
	if err != nil {
		return nil, errorf(nil, "commit %s: %w", short(co.Commit.SHA), err)
	}
	ref := ""
	if src.Ref != "" {
		ref = "ref=" + url.QueryEscape(src.Ref)
	}
	display(m, "git::"+gitsource.Redact(src.Location), m.Subdir, ref)
	m.Source = m.Dir
	m.Commit = co.Commit.SHA
	f.log.Debug("module from git", "source", m.Source, "commit", m.Commit)
	return m, nil
}

// short abbreviates a commit SHA as git log --oneline does.
func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
