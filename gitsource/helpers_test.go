package gitsource

import (
	"context"
	"io"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// person is a commit author in tests.
type person struct{ name, email string }

var (
	alice = person{"Alice Liddell", "alice@example.com"}
	bob   = person{"Bob Builder", "bob@example.com"}
)

// gitEnv isolates the git CLI from the machine's configuration.
func gitEnv(t *testing.T, who person, when time.Time) []string {
	t.Helper()
	date := when.Format(time.RFC3339)
	return append(os.Environ(),
		"GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir(),
		"GIT_AUTHOR_NAME="+who.name, "GIT_AUTHOR_EMAIL="+who.email, "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME="+who.name, "GIT_COMMITTER_EMAIL="+who.email, "GIT_COMMITTER_DATE="+date,
	)
}

// run runs the git CLI in dir and returns its trimmed output.
func run(t *testing.T, dir string, who person, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv(t, who, time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// copyTree copies the directory src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// writeFile writes content to name under dir, creating directories.
func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// commitAll commits every change in the working tree as who and returns the
// new HEAD.
func commitAll(t *testing.T, dir string, who person, msg string) string {
	t.Helper()
	run(t, dir, who, "add", "-A")
	run(t, dir, who, "commit", "-q", "-m", msg)
	return run(t, dir, who, "rev-parse", "HEAD")
}

// fixtureRepo is a working tree holding testdata/infra in one commit by
// Alice on branch main, with an annotated tag v1 on it.
type fixtureRepo struct {
	work  string // working tree
	first string // the first commit
}

func newFixtureRepo(t *testing.T) fixtureRepo {
	t.Helper()
	work := filepath.Join(t.TempDir(), "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	run(t, work, alice, "init", "-q", "-b", "main")
	copyTree(t, filepath.Join("testdata", "infra"), work)
	first := commitAll(t, work, alice, "Add the prod and staging stacks")
	run(t, work, alice, "tag", "-a", "v1", "-m", "release v1")
	return fixtureRepo{work: work, first: first}
}

// gitServer serves bare repositories under root with git http-backend and
// counts requests.
type gitServer struct {
	URL  string
	root string

	mu       sync.Mutex
	requests []string // "METHOD /path"
}

// serveGit starts git http-backend for root on 127.0.0.1. With user set, it
// requires HTTP basic auth with user and password.
func serveGit(t *testing.T, root, user, password string) *gitServer {
	t.Helper()
	execPath, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatalf("git --exec-path: %v", err)
	}
	backend := &cgi.Handler{
		Path:   filepath.Join(strings.TrimSpace(string(execPath)), "git-http-backend"),
		Env:    []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull},
		Stderr: io.Discard,
	}
	s := &gitServer{root: root}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.Method+" "+r.URL.Path)
		s.mu.Unlock()
		if user != "" {
			u, p, ok := r.BasicAuth()
			if !ok || u != user || p != password {
				w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
		}
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// count returns how many requests matched method and a path suffix, and
// forgets all requests seen so far.
func (s *gitServer) count(method, suffix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		m, p, _ := strings.Cut(r, " ")
		if m == method && strings.HasSuffix(p, suffix) {
			n++
		}
	}
	return n
}

// reset forgets the requests seen so far.
func (s *gitServer) reset() {
	s.mu.Lock()
	s.requests = nil
	s.mu.Unlock()
}

// publish makes a bare clone of work named name.git under the server root
// and returns the bare repository's path.
func publish(t *testing.T, root, work, name string) string {
	t.Helper()
	bare := filepath.Join(root, name+".git")
	run(t, root, alice, "clone", "-q", "--bare", work, bare)
	return bare
}

// quietEnv is an Environ with no credentials.
func quietEnv() []string { return []string{"HOME=/nonexistent"} }

// mustOpen opens location and closes the Checkout at the end of the test.
func mustOpen(t *testing.T, location string, opts Options) *Checkout {
	t.Helper()
	if opts.Environ == nil {
		opts.Environ = quietEnv()
	}
	co, err := Open(context.Background(), location, opts)
	if err != nil {
		t.Fatalf("Open(%s, ref %q): %v", location, opts.Ref, err)
	}
	t.Cleanup(func() { _ = co.Close() })
	return co
}
