// Package modsource fetches the Terraform modules that a configuration
// calls from outside its own tree: Git repositories (git::https://...,
// github.com/ORG/REPO, git@HOST:PATH, with ?ref= and //subdir), module
// registries ([HOST/]NAMESPACE/NAME/SYSTEM with a version constraint) and
// HTTP archives (.zip, .tar.gz, .tgz, .tar.bz2, .tar). Addresses mean what
// they mean to Terraform 1.11 (go-getter's detectors, the module registry
// protocol, TF_TOKEN_<host> credentials).
//
// Every package is copied into a cache directory, where it is never changed
// again: a Git commit under trees/, an archive under archives/ (named by
// the hash of its content). Modules are served from there, so no lock or
// connection is held while the configuration reads them. Archives are
// unpacked with no entry outside the module's directory and within the
// Fetcher's size limits.
//
// Errors are *Error values naming the source as the configuration wrote it,
// never with credentials. Local paths (./, ../) are the configuration's to
// read: see IsLocal and ParseSource.
package modsource

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/gitdrift/driftctl/gitsource"
	"github.com/gitdrift/driftctl/internal/tftoken"
)

// Default package limits (Fetcher.MaxBytes, Fetcher.MaxFiles).
const (
	DefaultMaxBytes = 256 << 20
	DefaultMaxFiles = 10000
)

// Fetcher fetches modules into a cache. Its fields are read at the first
// Fetch and must not change after it. A Fetcher is safe for concurrent use;
// it fetches each source and version once.
type Fetcher struct {
	// CacheDir holds the packages; "" = os.UserCacheDir()/driftctl/modules.
	CacheDir string
	// Environ is read for TF_TOKEN_<host> (registry credentials, as
	// Terraform reads them) and for what gitsource reads (DRIFTCTL_GIT_*);
	// nil = os.Environ().
	Environ []string
	// Git opens Git repositories; nil = gitsource.GoGit{}.
	Git gitsource.Reader
	// Client talks to registries and web servers; nil = an
	// internal/httpclient client with its default deadlines.
	Client *http.Client
	// Logger receives debug and warning records, never secrets; nil
	// discards them.
	Logger *slog.Logger
	// MaxBytes and MaxFiles bound one package (an archive or a Git commit's
	// tree) as unpacked; 0 = DefaultMaxBytes and DefaultMaxFiles.
	MaxBytes int64
	MaxFiles int

	once     sync.Once
	setupErr error
	cache    string
	tokens   map[string]string // TF_TOKEN_ credentials by lower-case host
	client   *http.Client
	git      gitsource.Reader
	log      *slog.Logger

	mu        sync.Mutex
	calls     map[string]*call
	discovery map[string]*call // registry service discovery by host
}

// call is one fetch that concurrent callers share.
type call struct {
	done chan struct{}
	val  any
	err  error
}

// Module is a fetched module. It is shared by every caller that fetched the
// same source and version: do not change it.
type Module struct {
	// FS holds the module's directory: the package's Subdir.
	FS fs.FS
	// Package holds the whole package (the repository, the archive), where
	// local sources of the module's own module calls ("../other") resolve,
	// as Terraform resolves them.
	Package fs.FS
	// Subdir is FS's directory in Package, slash-separated, "" for the root.
	Subdir string
	// Dir is how to show the module's directory, without credentials:
	// "git::https://example.com/mods.git//vpc?ref=v1.2.0",
	// "registry.terraform.io/acme/vpc/aws 1.2.0", "https://example.com/vpc.zip".
	Dir string
	// Source is the source the files came from, for the report: the Git or
	// HTTP address, or for a registry module the address its registry
	// answered; without credentials.
	Source string
	// Version is the registry version chosen, "" for other sources.
	Version string
	// Commit is the Git commit SHA the files came from, "" for archives.
	Commit string

	base, query string // Dir split around where a file name goes
}

// File returns how to show the file name (slash-separated, inside FS): the
// name joined to Dir's path, before any query,
// "git::https://example.com/mods.git//vpc/main.tf?ref=v1.2.0".
func (m *Module) File(name string) string {
	return m.PackageFile(path.Join(m.Subdir, name))
}

// PackageFile is File for a name inside Package.
func (m *Module) PackageFile(name string) string {
	return m.base + "//" + name + m.query
}

// setup reads the Fetcher's fields once.
func (f *Fetcher) setup() error {
	f.once.Do(func() {
		f.log = f.Logger
		if f.log == nil {
			f.log = slog.New(slog.DiscardHandler)
		}
		f.cache = f.CacheDir
		if f.cache == "" {
			base, err := os.UserCacheDir()
			if err != nil {
				f.setupErr = errorf(nil, "finding the cache directory: %w", err)
				return
			}
			f.cache = filepath.Join(base, "driftctl", "modules")
		}
		f.tokens = tftoken.FromEnviron(f.Environ)
		f.client = f.httpClient()
		f.git = f.Git
		if f.git == nil {
			f.git = gitsource.GoGit{}
		}
		f.calls = map[string]*call{}
		f.discovery = map[string]*call{}
	})
	return f.setupErr
}

// Fetch returns the module that source (a module block's source, as
// written) names, at the newest registry version meeting version (a
// Terraform version constraint, "" for any; only registry sources take
// one). The same source and version are fetched once per Fetcher. Errors
// are *Error.
func (f *Fetcher) Fetch(ctx context.Context, source, version string) (*Module, error) {
	if err := f.setup(); err != nil {
		return nil, wrapError(source, err)
	}
	v, err := f.once1(ctx, f.calls, source+"\x00"+version, func() (any, error) {
		m, err := f.fetch(ctx, source, version)
		if err != nil {
			return nil, wrapError(source, err)
		}
		return m, nil
	})
	if err != nil {
		return nil, wrapError(source, err)
	}
	return v.(*Module), nil
}

// once1 runs fn once for key among concurrent and later callers; a
// failure caused by a caller's context is forgotten, so that the next
// caller tries again.
func (f *Fetcher) once1(ctx context.Context, calls map[string]*call, key string, fn func() (any, error)) (any, error) {
	f.mu.Lock()
	c, ok := calls[key]
	if !ok {
		c = &call{done: make(chan struct{})}
		calls[key] = c
		f.mu.Unlock()
		c.val, c.err = fn()
		if c.err != nil && (errors.Is(c.err, context.Canceled) || errors.Is(c.err, context.DeadlineExceeded)) {
			f.mu.Lock()
			delete(calls, key)
			f.mu.Unlock()
		}
		close(c.done)
		return c.val, c.err
	}
	f.mu.Unlock()
	select {
	case <-c.done:
		return c.val, c.err
	case <-ctx.Done():
		return nil, errorf(nil, "waiting for another fetch of the same source: %w", ctx.Err())
	}
}

// fetch fetches one source, uncached.
func (f *Fetcher) fetch(ctx context.Context, source, version string) (*Module, error) {
	src, err := ParseSource(source)
	if err != nil {
		return nil, err
	}
	if version != "" && src.Kind != Registry {
		return nil, errorf(nil, "a version constraint applies only to registry modules; for Git use ?ref=")
	}
	switch src.Kind {
	case Git:
		return f.fetchGit(ctx, src)
	case HTTP:
		return f.fetchHTTP(ctx, src, 0)
	case Registry:
		return f.fetchRegistry(ctx, src, version)
	}
	return nil, errorf(nil, "a local path is read with the configuration, not fetched")
}

// newModule serves the package unpacked in dir at subdir.
func newModule(dir, subdir string) (*Module, error) {
	if strings.ContainsAny(subdir, "*[") {
		// go-getter's subdirectory globs ("//*" for the one directory a
		// GitHub archive holds) must match exactly one directory.
		matches, err := fs.Glob(os.DirFS(dir), subdir)
		if err != nil || len(matches) != 1 {
			return nil, errorf(nil, "subdirectory pattern %q matches %d directories, not one", subdir, len(matches))
		}
		subdir = matches[0]
	}
	if subdir != "" {
		info, err := os.Stat(filepath.Join(dir, filepath.FromSlash(subdir)))
		if err != nil || !info.IsDir() {
			return nil, errorf(nil, "subdirectory %q is not in the package", subdir)
		}
	}
	pkg := os.DirFS(dir)
	m := &Module{FS: pkg, Package: pkg, Subdir: subdir}
	if subdir != "" {
		sub, err := fs.Sub(pkg, subdir)
		if err != nil {
			return nil, errorf(nil, "subdirectory %q: %w", subdir, err)
		}
		m.FS = sub
	}
	return m, nil
}

// display joins a package location (without credentials), a subdirectory
// and query arguments as a go-getter address: BASE//SUB?QUERY. It also
// sets the parts File uses.
func display(m *Module, base, subdir string, query ...string) {
	base, q, _ := strings.Cut(base, "?")
	var args []string
	if q != "" {
		args = append(args, q)
	}
	for _, a := range query {
		if a != "" {
			args = append(args, a)
		}
	}
	m.base, m.query = base, ""
	if len(args) > 0 {
		m.query = "?" + strings.Join(args, "&")
	}
	m.Dir = base
	if subdir != "" {
		m.Dir += "//" + subdir
	}
	m.Dir += m.query
}
