package gitsource

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

func TestIsRemote(t *testing.T) {
	t.Parallel()
	tests := []struct {
		location string
		want     bool
	}{
		{"https://host/org/infra.git", true},
		{"http://host/org/infra.git", true},
		{"HTTPS://host/org/infra.git", true},
		{"ssh://git@host/org/infra.git", true},
		{"git://host/org/infra.git", true},
		{"file:///srv/git/infra.git", true},
		{"git@host:org/repo.git", true},
		{"host:org/repo.git", true},
		{"/srv/git/infra", false},
		{"./infra", false},
		{"../infra:x", false},
		{"infra", false},
		{"envs/prod", false},
		{"dir/with:colon", false},
	}
	for _, tt := range tests {
		if got := IsRemote(tt.location); got != tt.want {
			t.Errorf("IsRemote(%q) = %v, want %v", tt.location, got, tt.want)
		}
	}
}

func TestIsRepository(t *testing.T) {
	t.Parallel()
	repo := newFixtureRepo(t)
	for loc, want := range map[string]bool{
		repo.work:                                true,
		filepath.Join(repo.work, "envs", "prod"): true,
		t.TempDir():                              false,
		"https://host/org/infra.git":             true,
	} {
		if got := IsRepository(loc); got != want {
			t.Errorf("IsRepository(%q) = %v, want %v", loc, got, want)
		}
	}
}

// TestHTTPBackend reads a repository served by git http-backend by URL at
// the remote HEAD, a branch, a tag, a full and a short SHA.
func TestHTTPBackend(t *testing.T) {
	t.Parallel()
	repo := newFixtureRepo(t)
	writeFile(t, repo.work, "envs/prod/main.tf", "# changed by bob\n")
	second := commitAll(t, repo.work, bob, "Replace prod")
	root := t.TempDir()
	publish(t, root, repo.work, "infra")
	srv := serveGit(t, root, "", "")
	url := srv.URL + "/infra.git"
	cache := t.TempDir()

	tests := []struct {
		name, ref, wantSHA, wantRef, wantAuthor, wantMain string
	}{
		{"remote HEAD", "", second, "refs/heads/main", bob.name, "# changed by bob\n"},
		{"branch", "main", second, "main", bob.name, "# changed by bob\n"},
		{"full ref", "refs/heads/main", second, "refs/heads/main", bob.name, "# changed by bob\n"},
		{"annotated tag", "v1", repo.first, "v1", alice.name, "module"},
		{"full SHA", repo.first, repo.first, repo.first, alice.name, "module"},
		{"short SHA", repo.first[:8], repo.first, repo.first[:8], alice.name, "module"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			co := mustOpen(t, url, Options{Ref: tt.ref, Path: "envs/prod", CacheDir: cache})
			c := co.Commit
			if c.SHA != tt.wantSHA || c.Ref != tt.wantRef || c.Author != tt.wantAuthor || c.Repository != url {
				t.Errorf("Commit = %+v, want SHA %s ref %q author %q", c, tt.wantSHA, tt.wantRef, tt.wantAuthor)
			}
			if co.Root != "envs/prod" {
				t.Errorf("Root = %q, want envs/prod", co.Root)
			}
			data, err := fs.ReadFile(co.FS, "main.tf")
			if err != nil || !strings.HasPrefix(string(data), tt.wantMain) {
				t.Errorf("main.tf = %q, %v; want prefix %q", data, err, tt.wantMain)
			}
			if err := co.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
}

// TestFetchIsIncremental checks that an unchanged remote is not fetched
// again, and that a new commit is.
func TestFetchIsIncremental(t *testing.T) {
	t.Parallel()
	repo := newFixtureRepo(t)
	root := t.TempDir()
	bare := publish(t, root, repo.work, "infra")
	srv := serveGit(t, root, "", "")
	url := srv.URL + "/infra.git"
	cache := t.TempDir()

	open := func(ref string) Commit {
		t.Helper()
		co, err := Open(context.Background(), url, Options{Ref: ref, CacheDir: cache, Environ: quietEnv()})
		if err != nil {
			t.Fatal(err)
		}
		defer co.Close()
		return co.Commit
	}

	if c := open(""); c.SHA != repo.first {
		t.Fatalf("first Open: SHA %s, want %s", c.SHA, repo.first)
	}
	if n := srv.count("POST", "/git-upload-pack"); n == 0 {
		t.Fatalf("first Open made no pack download")
	}
	srv.reset()
	for _, ref := range []string{"", "main", "v1", repo.first, repo.first[:7]} {
		if c := open(ref); c.SHA != repo.first {
			t.Fatalf("Open(%q): SHA %s, want %s", ref, c.SHA, repo.first)
		}
	}
	if n := srv.count("POST", "/git-upload-pack"); n != 0 {
		t.Fatalf("Opens of an unchanged remote made %d pack downloads, want 0", n)
	}
	if n := srv.count("GET", "/info/refs"); n == 0 || n > 4 {
		t.Errorf("Opens of an unchanged remote made %d ref listings, want 1..4 (none for a cached full SHA)", n)
	}

	writeFile(t, repo.work, "envs/prod/main.tf", "# new\n")
	newSHA := commitAll(t, repo.work, bob, "New prod")
	run(t, repo.work, bob, "push", "-q", bare, "main")
	srv.reset()
	c := open("main")
	if c.SHA != newSHA || c.Author != bob.name || c.Message != "New prod" {
		t.Fatalf("after push: %+v, want %s by %s", c, newSHA, bob.name)
	}
	if n := srv.count("POST", "/git-upload-pack"); n != 1 {
		t.Errorf("after push: %d pack downloads, want 1", n)
	}
	// The old commit is still there for a SHA ref, without a fetch.
	srv.reset()
	if c := open(repo.first); c.SHA != repo.first {
		t.Errorf("old SHA: got %s", c.SHA)
	}
	if n := srv.count("POST", "/git-upload-pack") + srv.count("GET", "/info/refs"); n != 0 {
		t.Errorf("cached full SHA made %d requests, want 0", n)
	}
}

// TestConcurrentOpens opens one repository from several goroutines sharing
// one cache: the lock serializes them and every one succeeds.
func TestConcurrentOpens(t *testing.T) {
	t.Parallel()
	repo := newFixtureRepo(t)
	root := t.TempDir()
	publish(t, root, repo.work, "infra")
	srv := serveGit(t, root, "", "")
	cache := t.TempDir()

	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			co, err := Open(context.Background(), srv.URL+"/infra.git", Options{Path: "envs", CacheDir: cache, Environ: quietEnv()})
			if err != nil {
				errs[i] = err
				return
			}
			defer co.Close()
			if co.Commit.SHA != repo.first {
				errs[i] = &Error{Detail: "wrong SHA " + co.Commit.SHA}
				return
			}
			_, errs[i] = fs.ReadFile(co.FS, "prod/main.tf")
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("goroutine %d: %v", i, err)
		}
	}
}

// TestCorruptedCache breaks the cached clone in several ways; the next Open
// detects it and clones again.
func TestCorruptedCache(t *testing.T) {
	t.Parallel()
	repo := newFixtureRepo(t)
	root := t.TempDir()
	bare := publish(t, root, repo.work, "infra")
	url := "file://" + filepath.ToSlash(bare)

	tests := []struct {
		name   string
		break_ func(t *testing.T, dir string)
	}{
		{"objects removed", func(t *testing.T, dir string) { removeAll(t, filepath.Join(dir, "objects")) }},
		{"objects emptied", func(t *testing.T, dir string) {
			removeAll(t, filepath.Join(dir, "objects"))
			writeFile(t, dir, "objects/info/.keep", "")
		}},
		{"garbage HEAD", func(t *testing.T, dir string) { writeFile(t, dir, "HEAD", "\x00garbage\n") }},
		{"garbage config", func(t *testing.T, dir string) { writeFile(t, dir, "config", "[core\x00 nonsense = \n") }},
		{"not a repository", func(t *testing.T, dir string) {
			removeAll(t, dir)
			writeFile(t, dir, "junk", "x")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cache := t.TempDir()
			first := mustOpen(t, url, Options{CacheDir: cache})
			if err := first.Close(); err != nil {
				t.Fatal(err)
			}
			dirs, _ := filepath.Glob(filepath.Join(cache, "*.git"))
			if len(dirs) != 1 {
				t.Fatalf("cache holds %v, want one clone", dirs)
			}
			tt.break_(t, dirs[0])
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			co := mustOpen(t, url, Options{CacheDir: cache, Ref: "main", Logger: log})
			if !strings.Contains(logs.String(), "cloning again") {
				t.Errorf("no re-clone logged:\n%s", logs.String())
			}
			if co.Commit.SHA != repo.first {
				t.Fatalf("SHA %s, want %s", co.Commit.SHA, repo.first)
			}
			if _, err := fs.ReadFile(co.FS, "envs/prod/main.tf"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func removeAll(t *testing.T, dir string) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
}

// TestTreeFS runs fstest.TestFS over a commit's tree, whole and under a path.
func TestTreeFS(t *testing.T) {
	t.Parallel()
	repo := newFixtureRepo(t)
	for _, p := range []string{"", "envs", "envs/prod"} {
		co := mustOpen(t, repo.work, Options{Ref: "main", Path: p})
		var want []string
		switch p {
		case "":
			want = []string{"README.md", "envs/prod/main.tf", "envs/prod/variables.tf", "envs/staging/main.tf", "modules/net/main.tf"}
		case "envs":
			want = []string{"prod/main.tf", "prod/variables.tf", "staging/main.tf"}
		default:
			want = []string{"main.tf", "variables.tf"}
		}
		if err := fstest.TestFS(co.FS, want...); err != nil {
			t.Errorf("path %q: %v", p, err)
		}
		if _, err := fs.Stat(co.FS, "nope.tf"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("path %q: Stat(nope.tf) = %v, want not exist", p, err)
		}
	}
}

// TestLockWaitsWithContext checks that an Open waiting for the cache lock
// held by another Checkout gives up when its context ends, and gets the
// lock once the other Checkout is closed.
func TestLockWaitsWithContext(t *testing.T) {
	t.Parallel()
	repo := newFixtureRepo(t)
	bare := publish(t, t.TempDir(), repo.work, "infra")
	url := "file://" + filepath.ToSlash(bare)
	cache := t.TempDir()
	holder := mustOpen(t, url, Options{CacheDir: cache})

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := Open(ctx, url, Options{CacheDir: cache, Environ: quietEnv()})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), "git "+url+": locking the cache") {
		t.Fatalf("error = %v, want a deadline while locking", err)
	}
	if err := holder.Close(); err != nil {
		t.Fatal(err)
	}
	co := mustOpen(t, url, Options{CacheDir: cache})
	if co.Commit.SHA != repo.first {
		t.Errorf("SHA %s, want %s", co.Commit.SHA, repo.first)
	}
}

func TestParseRemote(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, display, fetch, scheme, user string }{
		{"https://x-access-token:tok@host/org/infra.git", "https://host/org/infra.git", "https://host/org/infra.git", "https", "x-access-token"},
		{"ssh://git:pw@host:2222/org/infra.git", "ssh://host:2222/org/infra.git", "ssh://git@host:2222/org/infra.git", "ssh", "git"},
		{"git@host:org/infra.git", "git@host:org/infra.git", "git@host:org/infra.git", "ssh", "git"},
		{"file:///srv/infra.git", "file:///srv/infra.git", "file:///srv/infra.git", "file", ""},
	}
	for _, tt := range tests {
		got, err := parseRemote(tt.in)
		if err != nil || got.display != tt.display || got.fetchURL != tt.fetch || got.scheme != tt.scheme || got.user != tt.user {
			t.Errorf("parseRemote(%q) = %+v, %v", tt.in, got, err)
		}
	}
	if _, err := parseRemote("https://user:s3cret@host/%zz"); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("bad URL: error %v", err)
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://x-access-token:tok-123456@host/org/infra.git": "https://host/org/infra.git",
		"http://tok-123456@host:8080/infra.git":                "http://host:8080/infra.git",
		"ssh://git:pw-123456@host:2222/org/infra.git":          "ssh://host:2222/org/infra.git",
		"https://user:s3cret@host/%zz":                         "https://xxxxx@host/%zz",
		"https://host/org/infra.git?private_token=tok-123456":  "https://host/org/infra.git?private_token=xxxxx",
		"git@host:org/infra.git":                               "git@host:org/infra.git",
		"/srv/infra":                                           "/srv/infra",
		"file:///srv/infra.git":                                "file:///srv/infra.git",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
