// Package gitsource reads desired state straight from a Git repository: a
// remote one (https, http, ssh, git, file URLs and scp-like git@host:org/repo)
// kept in a local cache of bare clones, or a local working tree or bare
// repository on disk. It resolves a ref to a commit, serves the files under a
// directory of that commit as an fs.FS (read from the commit's tree, without a
// checkout), says which commit that was (and whether its signature verifies),
// and tells who last wrote a given line (blame), computed lazily per file.
//
// Credentials come from the environment (see Options.Environ) and are never
// logged nor put in errors. Every error returned by Open is a one-line *Error
// naming the repository, and matches one of the sentinel errors of this
// package with errors.Is where the cause is known.
package gitsource

import (
	"context"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitdrift/driftctl/internal/redact"
)

// Options for Open.
type Options struct {
	// Ref is a branch, tag, full or short commit SHA, or a full ref name
	// ("refs/heads/main"). "" means the remote's HEAD or, for a local working
	// tree, the working tree as it is on disk.
	Ref string
	// Path is a directory inside the repository ("" = root), slash-separated.
	Path string
	// CacheDir is where clones of remote repositories are kept;
	// "" = os.UserCacheDir()/driftctl/git.
	CacheDir string
	// RequireSigned makes Open refuse a commit whose OpenPGP signature does
	// not verify against TrustedKeys.
	RequireSigned bool
	// TrustedKeys holds armored OpenPGP public keys (the content, not a
	// path). When set, Commit.Signed tells whether the commit verifies, even
	// without RequireSigned.
	TrustedKeys string
	// Environ is read for DRIFTCTL_GIT_TOKEN, DRIFTCTL_GIT_USERNAME,
	// DRIFTCTL_GIT_PASSWORD, DRIFTCTL_GIT_SSH_KEY (path),
	// DRIFTCTL_GIT_SSH_KEY_PASSPHRASE, SSH_AUTH_SOCK, DRIFTCTL_GIT_KNOWN_HOSTS
	// (path; default ~/.ssh/known_hosts), DRIFTCTL_GIT_INSECURE_IGNORE_HOST_KEY=1
	// (off by default) and HOME. nil means os.Environ().
	Environ []string
	// Logger receives debug and warning records; it may be nil. It never
	// receives secrets.
	Logger *slog.Logger
}

// Checkout is a directory of one commit (or of a local working tree), ready
// to be read. Close it when done: for a remote repository it holds the cache
// lock of that repository until then.
type Checkout struct {
	// FS holds the files under Options.Path at the commit, read from the
	// commit's tree, or, for a local working tree opened without Ref, the
	// working tree on disk under Path. Symbolic links and submodules in a
	// commit's tree are not shown.
	FS fs.FS
	// Root is how to show file names: Options.Path for remote and bare
	// repositories ("" for the root), and for a local working tree the
	// location joined with Path (path.Join, so cleaned). A file shown to a
	// user is path.Join(Root, name-inside-FS).
	Root string
	// Tree holds the whole repository at the commit, for what the files
	// under Path refer to elsewhere in it (a module in ../../modules);
	// nil for a working tree on disk. TreePath is Options.Path's place in
	// it ("" for the root).
	Tree     fs.FS
	TreePath string
	// RepoRoot is how to show the repository's root: a file elsewhere in
	// the repository is shown as path.Join(RepoRoot, its path in the
	// repository), and Blame takes such names too. It is "" for remote
	// and bare repositories (files are shown by their path in the
	// repository) and the working tree's directory for a local one.
	RepoRoot string
	// Commit is the commit that FS was read from (for a dirty working tree,
	// the HEAD commit it differs from).
	Commit Commit
	// Blame returns who last changed line (1-based) of file, a name as shown
	// (path.Join(Root, name-inside-FS); a name inside FS is accepted too). For
	// a line of a working tree that is not committed, it returns a Blame with
	// SHA "" and Author "Not Committed Yet". Results are computed once per
	// file and cached; Blame is safe for concurrent use.
	Blame func(ctx context.Context, file string, line int) (*Blame, error)

	close func() error
}

// Close releases the cache lock and other resources. It is safe to call more
// than once.
func (c *Checkout) Close() error {
	if c == nil || c.close == nil {
		return nil
	}
	f := c.close
	c.close = nil
	return f()
}

// Commit describes the commit a Checkout was read from.
type Commit struct {
	// SHA is the full hex commit id; "" for a working tree without commits.
	SHA string
	// Ref is the ref as asked (Options.Ref), or when none was asked the
	// branch HEAD points to ("refs/heads/main"), or "HEAD" when detached.
	Ref string
	// Author is the author's name, Email the author's address.
	Author, Email string
	// Message is the commit message without trailing white space.
	Message string
	// Time is the author time.
	Time time.Time
	// Dirty reports that a local working tree opened without Ref differs
	// from HEAD under Options.Path (modified, staged, deleted or untracked
	// but not ignored files; changes outside Path are not counted).
	Dirty bool
	// Repository is the location with any userinfo stripped.
	Repository string
	// Signed reports that the commit's signature verified against
	// Options.TrustedKeys.
	Signed bool
}

// Blame tells who last changed a line.
type Blame struct {
	SHA, Author, Email string
	Time               time.Time
}

// notCommitted is the author of working-tree lines not in HEAD, as git blame
// shows them.
const notCommitted = "Not Committed Yet"

// schemes are the URL schemes Open treats as remote.
var schemes = []string{"https://", "http://", "ssh://", "git://", "file://"}

// scpLike matches git's scp-like syntax [user@]host:path, where no slash
// comes before the colon (git's own rule for telling it from a local path).
var scpLike = regexp.MustCompile(`^(?:[^@/:\s]+@)?[^@/:\s]+:[^/\\]`)

// IsRemote reports whether location is a URL (https://, http://, ssh://,
// git://, file://) or scp-like (git@host:org/repo.git), as opposed to a
// local path.
func IsRemote(location string) bool {
	lower := strings.ToLower(location)
	for _, s := range schemes {
		if strings.HasPrefix(lower, s) {
			return true
		}
	}
	if strings.HasPrefix(location, "/") || strings.HasPrefix(location, ".") {
		return false
	}
	return scpLike.MatchString(location)
}

// IsRepository reports whether location names a Git repository: a remote
// location (see IsRemote; not contacted), or a local directory inside a Git
// working tree or a bare repository.
func IsRepository(location string) bool {
	if IsRemote(location) {
		return true
	}
	repo, err := openLocalRepository(location)
	if err != nil {
		return false
	}
	closeRepo(repo)
	return true
}

// Reader opens Checkouts of Git sources. The scan pipeline reads Git only
// through it; GoGit is the implementation.
type Reader interface {
	// Open resolves opts.Ref in the repository at location and returns a
	// Checkout of opts.Path at that commit.
	Open(ctx context.Context, location string, opts Options) (*Checkout, error)
}

// GoGit is the Reader of this package, on go-git: Open.
type GoGit struct{}

// Open is the package's Open.
func (GoGit) Open(ctx context.Context, location string, opts Options) (*Checkout, error) {
	return Open(ctx, location, opts)
}

// Open resolves opts.Ref in the repository at location and returns a
// Checkout of opts.Path at that commit. Remote repositories go through the
// cache under opts.CacheDir; local ones are read in place.
func Open(ctx context.Context, location string, opts Options) (*Checkout, error) {
	env := newEnviron(opts.Environ)
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if IsRemote(location) {
		loc, err := parseRemote(location)
		if err != nil {
			return nil, err
		}
		sub, err := cleanPath(loc.display, opts.Path)
		if err != nil {
			return nil, err
		}
		return openRemote(ctx, loc, sub, opts, env, log)
	}
	sub, err := cleanPath(location, opts.Path)
	if err != nil {
		return nil, err
	}
	return openLocal(ctx, location, sub, opts, log)
}

// Redact returns location as it may be shown: a URL without its userinfo
// (user names, passwords and tokens) and with credential-like query values
// masked (internal/redact, which also masks what url.Parse refuses), an
// scp-like address or a local path as it is. Use it wherever a location is logged, put in an error or in a
// metric label.
func Redact(location string) string {
	if !IsRemote(location) {
		return location
	}
	if loc, err := parseRemote(location); err == nil {
		return loc.display
	}
	return redact.URL(location)
}

// remoteLocation is a parsed remote location.
type remoteLocation struct {
	display  string // without userinfo (scp-like keeps its user name)
	fetchURL string // what go-git dials: no HTTP credentials, no password
	scheme   string // "https", "http", "ssh", "git", "file"
	user     string // ssh user, or HTTP user from the URL
	password string // HTTP password (or token) from the URL
	hasUser  bool   // the URL carried userinfo
}

// parseRemote splits location into what is shown and what is dialed.
func parseRemote(location string) (remoteLocation, error) {
	if !strings.Contains(location, "://") {
		// scp-like: the user part is a login name, not a credential.
		user, _, found := strings.Cut(location, "@")
		if !found || strings.Contains(user, ":") {
			user = ""
		}
		return remoteLocation{display: location, fetchURL: location, scheme: "ssh", user: user}, nil
	}
	u, err := url.Parse(location)
	if err != nil {
		// url.Parse errors quote the whole input, userinfo included.
		return remoteLocation{}, &Error{Repository: redact.URL(location), Kind: ErrNotFound, Detail: "invalid URL"}
	}
	loc := remoteLocation{scheme: strings.ToLower(u.Scheme)}
	if u.User != nil {
		loc.hasUser = true
		loc.user = u.User.Username()
		loc.password, _ = u.User.Password()
	}
	shown := *u
	shown.User = nil
	// Shown without userinfo at all (the same repository whoever fetches
	// it: the cache key), and credential-like query values masked.
	loc.display = redact.URL(shown.String())
	switch loc.scheme {
	case "ssh":
		dial := *u
		if loc.user != "" {
			dial.User = url.User(loc.user)
		}
		loc.fetchURL = dial.String()
	default:
		loc.fetchURL = shown.String()
	}
	return loc, nil
}

// cleanPath turns Options.Path into a clean slash-separated relative path
// ("" for the root), refusing absolute paths and paths that leave the
// repository.
func cleanPath(repo, p string) (string, error) {
	if p == "" {
		return "", nil
	}
	c := path.Clean(strings.ReplaceAll(p, "\\", "/"))
	if c == "." {
		return "", nil
	}
	if strings.HasPrefix(c, "/") || c == ".." || strings.HasPrefix(c, "../") {
		return "", &Error{Repository: repo, Kind: ErrPathNotFound, Detail: "path " + quote(p) + " is outside the repository"}
	}
	return c, nil
}

// commitInfo fills a Commit from a go-git commit.
func commitInfo(c *object.Commit, ref, repo string) Commit {
	return Commit{
		SHA:        c.Hash.String(),
		Ref:        ref,
		Author:     c.Author.Name,
		Email:      c.Author.Email,
		Message:    strings.TrimRight(c.Message, " \t\r\n"),
		Time:       c.Author.When,
		Repository: repo,
	}
}

// verifySignature checks c against opts.TrustedKeys and returns whether it
// verified; with RequireSigned, a commit that does not verify is an error.
func verifySignature(c *object.Commit, repo string, opts Options) (bool, error) {
	if !opts.RequireSigned && opts.TrustedKeys == "" {
		return false, nil
	}
	var detail string
	switch {
	case opts.TrustedKeys == "":
		detail = "commit " + short(c.Hash.String()) + " cannot be checked: no trusted keys given"
	case c.PGPSignature == "":
		detail = "commit " + short(c.Hash.String()) + " is not signed"
	default:
		if _, err := c.Verify(opts.TrustedKeys); err == nil {
			return true, nil
		}
		detail = "commit " + short(c.Hash.String()) + " is not signed by a trusted key"
	}
	if !opts.RequireSigned {
		return false, nil
	}
	return false, &Error{Repository: repo, Kind: ErrUnsigned, Detail: detail}
}

// short abbreviates a SHA as git log --oneline does.
func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// environ looks variables up in an Environ list.
type environ map[string]string

func newEnviron(list []string) environ {
	if list == nil {
		list = os.Environ()
	}
	e := make(environ, len(list))
	for _, kv := range list {
		if k, v, ok := strings.Cut(kv, "="); ok {
			e[k] = v
		}
	}
	return e
}
