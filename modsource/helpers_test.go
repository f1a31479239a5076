package modsource

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
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

// requireGit skips a test that needs the git CLI when it is missing, and
// fails it in CI, where .ci/run installs git.
func requireGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is not installed; CI must install it (apt-get install git)")
		}
		t.Skip("git is not installed; install it (apt-get install git) to run this test")
	}
}

// git runs the git CLI in dir, isolated from the machine's configuration,
// and returns its trimmed output.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	date := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC).Format(time.RFC3339)
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir(),
		"GIT_AUTHOR_NAME=Alice", "GIT_AUTHOR_EMAIL=alice@example.com", "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME=Alice", "GIT_COMMITTER_EMAIL=alice@example.com", "GIT_COMMITTER_DATE="+date,
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// writeFiles writes name → content under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// modsRepo is a bare repository mods.git: v1 (tagged v1.0.0, annotated)
// holds vpc/ and subnet/; v2, on main and on branch next, changes vpc.
type modsRepo struct {
	root   string // the directory holding mods.git
	bare   string
	v1, v2 string
}

func newModsRepo(t *testing.T) modsRepo {
	t.Helper()
	requireGit(t)
	work := t.TempDir()
	git(t, work, "init", "-q", "-b", "main")
	writeFiles(t, work, map[string]string{
		"vpc/main.tf":      "# vpc v1\n",
		"vpc/variables.tf": "variable \"cidr\" {}\n",
		"subnet/main.tf":   "# subnet\n",
	})
	git(t, work, "add", "-A")
	git(t, work, "commit", "-q", "-m", "v1")
	v1 := git(t, work, "rev-parse", "HEAD")
	git(t, work, "tag", "-a", "v1.0.0", "-m", "release 1.0.0")
	writeFiles(t, work, map[string]string{"vpc/main.tf": "# vpc v2\n"})
	git(t, work, "commit", "-q", "-am", "v2")
	v2 := git(t, work, "rev-parse", "HEAD")
	git(t, work, "branch", "next")
	root := t.TempDir()
	bare := filepath.Join(root, "mods.git")
	git(t, root, "clone", "-q", "--bare", work, bare)
	return modsRepo{root: root, bare: bare, v1: v1, v2: v2}
}

// requestLog records the requests a test server saw.
type requestLog struct {
	mu   sync.Mutex
	seen []string // "HOST PATH AUTHORIZATION"
}

func (l *requestLog) add(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen = append(l.seen, strings.Split(r.Host, ":")[0]+" "+r.URL.Path+" "+r.Header.Get("Authorization"))
}

// count returns how many requests had a path containing part.
func (l *requestLog) count(part string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.seen {
		if strings.Contains(s, part) {
			n++
		}
	}
	return n
}

// all returns the requests seen.
func (l *requestLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.seen...)
}

// serveGit serves the bare repositories under root with git http-backend
// on 127.0.0.1.
func serveGit(t *testing.T, root string) (*httptest.Server, *requestLog) {
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
	log := &requestLog{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.add(r)
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, log
}

// newFetcher returns a Fetcher with its own cache and no credentials.
func newFetcher(t *testing.T, client *http.Client, environ ...string) *Fetcher {
	t.Helper()
	return &Fetcher{
		CacheDir: t.TempDir(),
		Environ:  append([]string{"HOME=/nonexistent"}, environ...),
		Client:   client,
	}
}

// readFile reads name from fsys.
func readFile(t *testing.T, fsys fs.FS, name string) string {
	t.Helper()
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatalf("reading %s: %v", name, err)
	}
	return string(b)
}

// tarEntry is one entry of a test archive.
type tarEntry struct {
	name, body, link string
	typ              byte // tar.TypeReg when zero
}

// tarGz builds a .tar.gz archive.
func tarGz(t *testing.T, entries ...tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: 0o644, Linkname: e.link}
		switch e.typ {
		case 0:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.body))
		case tar.TypeDir:
			h.Mode = 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipOf builds a .zip archive of regular files.
func zipOf(t *testing.T, files ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.Create(f[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(f[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
