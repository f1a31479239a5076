package gitsource

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/gofrs/flock"
)

// refSpecs mirror the remote's branches and tags into the bare cache, so a
// cached ref has the remote's own name.
var refSpecs = []config.RefSpec{"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"}

// hexRef matches what may be a full or abbreviated commit SHA.
var hexRef = regexp.MustCompile(`^[0-9a-fA-F]{4,40}$`)

// errCorrupt marks a cache that must be removed and cloned again.
var errCorrupt = errors.New("corrupted cache")

// openRemote opens loc through the cache: lock, open or re-create the bare
// clone, resolve the ref (fetching only when the wanted commit is missing),
// and serve the commit's tree.
func openRemote(ctx context.Context, loc remoteLocation, sub string, opts Options, env environ, log *slog.Logger) (_ *Checkout, err error) {
	cl := classifier{repo: loc.display}
	creds, err := credentialsFor(loc, env, cl)
	if err != nil {
		return nil, err
	}
	cl.secrets, cl.hasCreds = creds.secrets, creds.method != nil
	defer func() {
		if err != nil {
			_ = creds.close()
		}
	}()

	cacheDir := opts.CacheDir
	if cacheDir == "" {
		base, uerr := os.UserCacheDir()
		if uerr != nil {
			return nil, cl.wrap("finding the cache directory", uerr)
		}
		cacheDir = filepath.Join(base, "driftctl", "git")
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return nil, cl.wrap("creating the cache directory", err)
	}
	sum := sha256.Sum256([]byte(loc.display))
	key := hex.EncodeToString(sum[:])
	dir := filepath.Join(cacheDir, key+".git")

	lock := flock.New(filepath.Join(cacheDir, key+".lock"))
	locked, err := lock.TryLockContext(ctx, 20*time.Millisecond)
	if err != nil || !locked {
		if err == nil {
			err = errors.New("lock not acquired")
		}
		return nil, cl.wrap("locking the cache", err)
	}
	defer func() {
		if err != nil {
			_ = lock.Unlock()
		}
	}()

	log = log.With("repository", loc.display)
	log.Debug("git open", "ref", opts.Ref, "path", sub, "auth", creds.kind, "cache", dir)

	var repo *git.Repository
	var commit *object.Commit
	var refName string
	for attempt := 0; ; attempt++ {
		repo, err = openCache(dir, loc.fetchURL, attempt > 0, log)
		if err != nil {
			return nil, cl.wrap("opening the cache", err)
		}
		commit, refName, err = resolveRemote(ctx, repo, opts.Ref, creds, cl, log)
		if errors.Is(err, errCorrupt) && attempt == 0 {
			log.Warn("git cache lacks objects; cloning again", "reason", err.Error())
			closeRepo(repo)
			continue
		}
		if err != nil {
			closeRepo(repo)
			return nil, cl.wrap("", err)
		}
		break
	}

	co, err := checkoutOf(repo, commit, refName, sub, sub, opts, cl)
	if err != nil {
		closeRepo(repo)
		return nil, err
	}
	co.close = func() error {
		closeRepo(repo)
		return errors.Join(creds.close(), lock.Unlock())
	}
	return co, nil
}

// checkoutOf serves the directory sub (a path in the repository) of commit,
// after the signature check. root is Checkout.Root.
func checkoutOf(repo *git.Repository, commit *object.Commit, refName, sub, root string, opts Options, cl classifier) (*Checkout, error) {
	signed, err := verifySignature(commit, cl.repo, opts)
	if err != nil {
		return nil, err
	}
	tree, err := commit.Tree()
	if err != nil {
		return nil, cl.wrap("reading the commit's tree", err)
	}
	whole := tree
	if sub != "" {
		tree, err = tree.Tree(sub)
		if err != nil {
			detail := "path " + quote(sub) + " not in commit " + short(commit.Hash.String())
			if !errors.Is(err, object.ErrDirectoryNotFound) {
				detail += ": " + err.Error()
			}
			return nil, cl.errorf(ErrPathNotFound, detail, err)
		}
	}
	info := commitInfo(commit, refName, cl.repo)
	info.Signed = signed
	b := &blamer{repo: repo, commit: commit, root: root, prefix: sub, cl: cl}
	return &Checkout{
		FS:       &treeFS{tree: tree, modTime: commit.Committer.When},
		Tree:     &treeFS{tree: whole, modTime: commit.Committer.When},
		TreePath: sub,
		RepoRoot: b.repoRoot(),
		Root:     root,
		Commit:   info,
		Blame:    b.blame,
	}, nil
}

// openCache opens the bare clone in dir, creating it when missing and
// re-creating it when fresh is set or it does not pass checkCache.
func openCache(dir, url string, fresh bool, log *slog.Logger) (*git.Repository, error) {
	if !fresh {
		repo, err := git.PlainOpen(dir)
		switch {
		case err == nil:
			if err = checkCache(repo, dir); err == nil {
				if err := ensureOrigin(repo, url); err != nil {
					closeRepo(repo)
					return nil, err
				}
				return repo, nil
			}
			closeRepo(repo)
			log.Warn("git cache is corrupted; cloning again", "reason", err.Error())
		case errors.Is(err, git.ErrRepositoryNotExists):
			if _, serr := os.Stat(dir); serr == nil {
				log.Warn("git cache is not a repository; cloning again")
			}
		default:
			log.Warn("git cache does not open; cloning again", "reason", err.Error())
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	repo, err := git.PlainInit(dir, true)
	if err != nil {
		return nil, err
	}
	if err := ensureOrigin(repo, url); err != nil {
		closeRepo(repo)
		return nil, err
	}
	return repo, nil
}

// checkCache tells whether a cached clone is whole enough to use: readable
// config and HEAD, and every ref's object present.
func checkCache(repo *git.Repository, dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "objects")); err != nil {
		return fmt.Errorf("%w: %v", errCorrupt, err)
	}
	if _, err := repo.Config(); err != nil {
		return fmt.Errorf("%w: config: %v", errCorrupt, err)
	}
	head, err := repo.Storer.Reference(plumbing.HEAD)
	if err != nil {
		return fmt.Errorf("%w: HEAD: %v", errCorrupt, err)
	}
	if head.Type() != plumbing.SymbolicReference {
		if head.Hash().IsZero() || repo.Storer.HasEncodedObject(head.Hash()) != nil {
			return fmt.Errorf("%w: HEAD is not a ref nor a known commit", errCorrupt)
		}
	}
	refs, err := repo.Storer.IterReferences()
	if err != nil {
		return fmt.Errorf("%w: refs: %v", errCorrupt, err)
	}
	return refs.ForEach(func(r *plumbing.Reference) error {
		if r.Type() == plumbing.HashReference && repo.Storer.HasEncodedObject(r.Hash()) != nil {
			return fmt.Errorf("%w: %s points to missing object %s", errCorrupt, r.Name(), r.Hash())
		}
		return nil
	})
}

// ensureOrigin makes the "origin" remote fetch url with refSpecs.
func ensureOrigin(repo *git.Repository, url string) error {
	if r, err := repo.Remote("origin"); err == nil {
		c := r.Config()
		if len(c.URLs) == 1 && c.URLs[0] == url && len(c.Fetch) == len(refSpecs) {
			return nil
		}
		if err := repo.DeleteRemote("origin"); err != nil {
			return err
		}
	}
	_, err := repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{url}, Fetch: refSpecs})
	return err
}

// closeRepo releases the file descriptors a repository's storage keeps.
func closeRepo(repo *git.Repository) {
	if c, ok := repo.Storer.(io.Closer); ok {
		_ = c.Close()
	}
}

// resolveRemote finds the commit for ref. A full SHA the cache has needs no
// network; otherwise it lists the remote's refs and fetches only when the
// wanted object is not cached yet.
func resolveRemote(ctx context.Context, repo *git.Repository, ref string, creds credentials, cl classifier, log *slog.Logger) (*object.Commit, string, error) {
	if len(ref) == 40 && hexRef.MatchString(ref) {
		if c, err := peel(repo, plumbing.NewHash(ref)); err == nil {
			log.Debug("git fetch skipped: commit is cached", "commit", ref)
			return c, ref, nil
		}
	}
	remote, err := repo.Remote("origin")
	if err != nil {
		return nil, "", err
	}
	refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: creds.method})
	if err != nil {
		return nil, "", cl.wrap("listing refs", err)
	}
	fetched := false
	fetch := func() error {
		if fetched {
			return nil
		}
		fetched = true
		log.Debug("git fetch")
		err := repo.FetchContext(ctx, &git.FetchOptions{RemoteName: "origin", RefSpecs: refSpecs, Auth: creds.method, Tags: git.NoTags, Force: true})
		if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
			return cl.wrap("fetching", err)
		}
		return nil
	}

	if hash, name, ok := matchRef(refs, ref); ok {
		if ref != "" {
			name = ref
		}
		if repo.Storer.HasEncodedObject(hash) != nil {
			if err := fetch(); err != nil {
				return nil, "", err
			}
		} else {
			log.Debug("git fetch skipped: remote ref is cached", "ref", name, "commit", hash.String())
		}
		c, err := peel(repo, hash)
		if err != nil {
			if fetched {
				return nil, "", fmt.Errorf("%w: %s is missing after fetch: %v", errCorrupt, hash, err)
			}
			return nil, "", fmt.Errorf("%w: %v", errCorrupt, err)
		}
		return c, name, nil
	}
	if ref == "" || ref == "HEAD" {
		return nil, "", cl.errorf(ErrRefNotFound, "remote has no HEAD", nil)
	}
	if hexRef.MatchString(ref) {
		c, err := resolvePrefix(repo, ref, cl)
		if errors.Is(err, ErrRefNotFound) {
			if err := fetch(); err != nil {
				return nil, "", err
			}
			c, err = resolvePrefix(repo, ref, cl)
		}
		if err != nil {
			return nil, "", err
		}
		return c, ref, nil
	}
	return nil, "", cl.errorf(ErrRefNotFound, "ref "+quote(ref)+" not found", plumbing.ErrReferenceNotFound)
}

// matchRef looks ref up in a remote's advertised refs the way git rev-parse
// does: HEAD for "", then the full name, refs/NAME, refs/tags/NAME,
// refs/heads/NAME. It returns the object hash and the full ref name.
func matchRef(refs []*plumbing.Reference, ref string) (plumbing.Hash, string, bool) {
	byName := make(map[plumbing.ReferenceName]*plumbing.Reference, len(refs))
	for _, r := range refs {
		byName[r.Name()] = r
	}
	if ref == "" || ref == "HEAD" {
		head, ok := byName[plumbing.HEAD]
		if !ok {
			return plumbing.ZeroHash, "", false
		}
		if head.Type() == plumbing.SymbolicReference {
			target, ok := byName[head.Target()]
			if !ok {
				return plumbing.ZeroHash, "", false
			}
			return target.Hash(), head.Target().String(), true
		}
		return head.Hash(), "HEAD", true
	}
	for _, name := range []string{ref, "refs/" + ref, "refs/tags/" + ref, "refs/heads/" + ref} {
		if r, ok := byName[plumbing.ReferenceName(name)]; ok && r.Type() == plumbing.HashReference {
			return r.Hash(), name, true
		}
	}
	return plumbing.ZeroHash, "", false
}

// peel returns the commit that hash names, following annotated tags.
func peel(repo *git.Repository, hash plumbing.Hash) (*object.Commit, error) {
	for range 10 {
		obj, err := repo.Object(plumbing.AnyObject, hash)
		if err != nil {
			return nil, err
		}
		switch o := obj.(type) {
		case *object.Commit:
			return o, nil
		case *object.Tag:
			hash = o.Target
		default:
			return nil, fmt.Errorf("%s is a %s, not a commit", hash, obj.Type())
		}
	}
	return nil, fmt.Errorf("%s: too many nested tags", hash)
}

// hashPrefixer is implemented by go-git's filesystem storage: it looks a
// prefix up in the pack indexes instead of reading every object.
type hashPrefixer interface {
	HashesWithPrefix(prefix []byte) ([]plumbing.Hash, error)
}

// resolvePrefix finds the one commit whose SHA starts with prefix.
func resolvePrefix(repo *git.Repository, prefix string, cl classifier) (*object.Commit, error) {
	prefix = strings.ToLower(prefix)
	notFound := cl.errorf(ErrRefNotFound, "ref "+quote(prefix)+" not found", plumbing.ErrReferenceNotFound)
	var candidates []plumbing.Hash
	if len(prefix) == 40 {
		candidates = []plumbing.Hash{plumbing.NewHash(prefix)}
	} else if p, ok := repo.Storer.(hashPrefixer); ok {
		even, err := hex.DecodeString(prefix[:len(prefix)&^1])
		if err != nil {
			return nil, notFound
		}
		if candidates, err = p.HashesWithPrefix(even); err != nil {
			return nil, err
		}
	} else {
		iter, err := repo.CommitObjects()
		if err != nil {
			return nil, err
		}
		_ = iter.ForEach(func(c *object.Commit) error {
			candidates = append(candidates, c.Hash)
			return nil
		})
	}
	var found *object.Commit
	for _, h := range candidates {
		if !strings.HasPrefix(h.String(), prefix) {
			continue
		}
		c, err := peel(repo, h)
		if err != nil {
			continue // a blob or tree with the same prefix
		}
		if found != nil && found.Hash != c.Hash {
			return nil, cl.errorf(ErrRefNotFound, "short SHA "+quote(prefix)+" is ambiguous", plumbing.ErrReferenceNotFound)
		}
		found = c
	}
	if found == nil {
		return nil, notFound
	}
	return found, nil
}
