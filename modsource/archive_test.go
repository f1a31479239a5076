package modsource

import (
	"archive/tar"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// serveFiles serves path → body on 127.0.0.1; a body starting with
// "X-Terraform-Get: " is answered as that header.
func serveFiles(t *testing.T, files map[string][]byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if loc, isGet := strings.CutPrefix(string(body), "X-Terraform-Get: "); isGet {
			if r.URL.Query().Get("terraform-get") != "1" {
				http.Error(w, "terraform-get=1 missing", http.StatusBadRequest)
				return
			}
			w.Header().Set("X-Terraform-Get", loc)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchArchive(t *testing.T) {
	t.Parallel()
	srv := serveFiles(t, map[string][]byte{
		"/vpc.tar.gz": tarGz(t,
			tarEntry{name: "vpc/", typ: tar.TypeDir},
			tarEntry{name: "vpc/main.tf", body: "# vpc from tar\n"},
			tarEntry{name: "vpc/outputs.tf", typ: tar.TypeSymlink, link: "main.tf"},
			tarEntry{name: "shared/tags.tf", body: "# tags\n"},
		),
		"/vpc.zip": zipOf(t, [2]string{"vpc/main.tf", "# vpc from zip\n"}),
		"/dl":      zipOf(t, [2]string{"vpc/main.tf", "# vpc from dl\n"}),
		"/get":     []byte("X-Terraform-Get: /vpc.tar.gz"),
		"/loop":    []byte("X-Terraform-Get: /loop"),
		"/plain":   []byte("just a page"),
	})
	f := newFetcher(t, nil)
	ctx := context.Background()

	tests := []struct {
		source, want, dir string
	}{
		{srv.URL + "/vpc.tar.gz//vpc", "# vpc from tar\n", srv.URL + "/vpc.tar.gz//vpc"},
		{srv.URL + "/vpc.zip//vpc", "# vpc from zip\n", srv.URL + "/vpc.zip//vpc"},
		{srv.URL + "/download//vpc?archive=zip", "", ""}, // 404: see below
		{srv.URL + "/get//vpc", "# vpc from tar\n", srv.URL + "/vpc.tar.gz//vpc"},
		{srv.URL + "/dl//vpc?archive=zip", "# vpc from dl\n", srv.URL + "/dl//vpc?archive=zip"},
	}
	for _, tt := range append(tests[:2:2], tests[4]) {
		m, err := f.Fetch(ctx, tt.source, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := readFile(t, m.FS, "main.tf"); got != tt.want {
			t.Errorf("%s: main.tf = %q, want %q", tt.source, got, tt.want)
		}
		if m.Dir != tt.dir || m.Commit != "" || m.Version != "" {
			t.Errorf("%s: Dir %q, Commit %q, Version %q", tt.source, m.Dir, m.Commit, m.Version)
		}
	}
	m, err := f.Fetch(ctx, tests[3].source, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, m.FS, "main.tf"); got != tests[3].want || m.Dir != tests[3].dir {
		t.Errorf("X-Terraform-Get: main.tf %q, Dir %q", got, m.Dir)
	}
	// A symbolic link inside the package is kept.
	if got := readFile(t, m.FS, "outputs.tf"); got != "# vpc from tar\n" {
		t.Errorf("outputs.tf (a link to main.tf) = %q", got)
	}
	if got := readFile(t, m.Package, "shared/tags.tf"); got != "# tags\n" {
		t.Errorf("shared/tags.tf = %q", got)
	}

	for source, want := range map[string]string{
		tests[2].source:                  "module source " + tests[2].source + ": 127.0.0.1:" + strings.Split(srv.URL, ":")[2] + " answered 404 for " + srv.URL + "/download",
		srv.URL + "/loop":                "module source " + srv.URL + "/loop: more than 5 X-Terraform-Get answers in a row",
		srv.URL + "/plain":               "module source " + srv.URL + "/plain: " + srv.URL + "/plain is not an archive (.zip, .tar.gz, ...) and gave no X-Terraform-Get header",
		srv.URL + "/vpc.tar.gz//nothere": "module source " + srv.URL + `/vpc.tar.gz//nothere: subdirectory "nothere" is not in the package`,
	} {
		_, err := f.Fetch(ctx, source, "")
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Fetch(%s) = %v\nwant %s", source, err, want)
		}
	}
}

func TestFetchArchiveRefusesUnsafeEntries(t *testing.T) {
	t.Parallel()
	outside := filepath.Join(t.TempDir(), "evil")
	srv := serveFiles(t, map[string][]byte{
		"/dotdot.tar.gz":   tarGz(t, tarEntry{name: "main.tf", body: "ok"}, tarEntry{name: "../evil", body: "pwned"}),
		"/deep.tar.gz":     tarGz(t, tarEntry{name: "a/b/../../../evil", body: "pwned"}),
		"/absolute.tar.gz": tarGz(t, tarEntry{name: outside, body: "pwned"}),
		"/link.tar.gz":     tarGz(t, tarEntry{name: "escape", typ: tar.TypeSymlink, link: "../../evil"}),
		"/abslink.tar.gz":  tarGz(t, tarEntry{name: "passwd", typ: tar.TypeSymlink, link: "/etc/passwd"}),
		// A link to a directory outside, then a file written through it: the
		// link is refused before anything is written through it.
		"/through.tar.gz": tarGz(t,
			tarEntry{name: "dir", typ: tar.TypeSymlink, link: filepath.Dir(outside)},
			tarEntry{name: "dir/evil", body: "pwned"}),
		"/dotdot.zip":   zipOf(t, [2]string{"../evil", "pwned"}),
		"/absolute.zip": zipOf(t, [2]string{"/evil", "pwned"}),
	})
	f := newFetcher(t, nil)
	for _, name := range []string{"dotdot.tar.gz", "deep.tar.gz", "absolute.tar.gz", "link.tar.gz", "abslink.tar.gz", "through.tar.gz", "dotdot.zip", "absolute.zip"} {
		source := srv.URL + "/" + name
		_, err := f.Fetch(context.Background(), source, "")
		if !errors.Is(err, ErrUnsafeArchive) {
			t.Errorf("Fetch(%s) = %v, want ErrUnsafeArchive", name, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "module source "+source+": unpacking "+source+": entry ") {
			t.Errorf("Fetch(%s) = %q", name, err)
		}
	}
	if _, err := os.Stat(outside); err == nil {
		t.Errorf("%s was written", outside)
	}
	// Nothing refused is left in the cache, nothing outside it.
	for _, p := range []string{filepath.Join(f.CacheDir, "evil"), filepath.Join(filepath.Dir(f.CacheDir), "evil")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(f.CacheDir, "archives"))
	if len(entries) != 0 {
		t.Errorf("the cache keeps %d entries of refused archives", len(entries))
	}
}

func TestFetchArchiveLimits(t *testing.T) {
	t.Parallel()
	srv := serveFiles(t, map[string][]byte{
		"/many.tar.gz": tarGz(t,
			tarEntry{name: "a.tf", body: "1"}, tarEntry{name: "b.tf", body: "2"},
			tarEntry{name: "c.tf", body: "3"}, tarEntry{name: "d.tf", body: "4"}),
		"/big.tar.gz": tarGz(t, tarEntry{name: "big.tf", body: strings.Repeat("x", 4096)}),
	})
	for _, tt := range []struct {
		name string
		f    *Fetcher
		want string
	}{
		{"many.tar.gz", &Fetcher{CacheDir: t.TempDir(), MaxFiles: 3}, "the package has more than 3 files"},
		{"big.tar.gz", &Fetcher{CacheDir: t.TempDir(), MaxBytes: 1024}, "the package holds more than 1024 bytes"},
	} {
		_, err := tt.f.Fetch(context.Background(), srv.URL+"/"+tt.name, "")
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Fetch(%s) = %v, want ErrTooLarge saying %q", tt.name, err, tt.want)
		}
	}
}

func TestFetchAfterCanceled(t *testing.T) {
	t.Parallel()
	srv := serveFiles(t, map[string][]byte{"/vpc.zip": zipOf(t, [2]string{"main.tf", "# vpc\n"})})
	f := newFetcher(t, nil)
	source := srv.URL + "/vpc.zip"
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Fetch(ctx, source, ""); !errors.Is(err, context.Canceled) {
		t.Fatalf("Fetch with a canceled context = %v, want context.Canceled", err)
	}
	// The canceled fetch is not remembered: the next caller fetches.
	m, err := f.Fetch(context.Background(), source, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, m.FS, "main.tf"); got != "# vpc\n" {
		t.Errorf("main.tf = %q", got)
	}
}
