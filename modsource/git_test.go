package modsource

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/gitdrift/driftctl/gitsource"
)

func TestFetchGitOverHTTP(t *testing.T) {
	t.Parallel()
	repo := newModsRepo(t)
	srv, _ := serveGit(t, repo.root)
	f := newFetcher(t, nil)
	ctx := context.Background()

	tests := []struct {
		name, source   string
		vpc, commit    string
		dir, inPackage string
	}{
		{
			name: "tag", source: "git::" + srv.URL + "/mods.git//vpc?ref=v1.0.0",
			vpc: "# vpc v1\n", commit: repo.v1,
			dir: "git::" + srv.URL + "/mods.git//vpc?ref=v1.0.0",
		},
		{
			name: "branch", source: "git::" + srv.URL + "/mods.git//vpc?ref=next&depth=1",
			vpc: "# vpc v2\n", commit: repo.v2,
			dir: "git::" + srv.URL + "/mods.git//vpc?ref=next",
		},
		{
			name: "full SHA", source: "git::" + srv.URL + "/mods.git//vpc?ref=" + repo.v1,
			vpc: "# vpc v1\n", commit: repo.v1,
			dir: "git::" + srv.URL + "/mods.git//vpc?ref=" + repo.v1,
		},
		{
			name: "default branch", source: "git::" + srv.URL + "/mods.git//vpc",
			vpc: "# vpc v2\n", commit: repo.v2,
			dir: "git::" + srv.URL + "/mods.git//vpc",
		},
		{
			name: "file URL", source: "git::file://" + repo.bare + "//vpc?ref=v1.0.0",
			vpc: "# vpc v1\n", commit: repo.v1,
			dir: "git::file://" + repo.bare + "//vpc?ref=v1.0.0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := f.Fetch(ctx, tt.source, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, m.FS, "main.tf"); got != tt.vpc {
				t.Errorf("main.tf = %q, want %q", got, tt.vpc)
			}
			// The whole repository is there for the module's ../ calls.
			if got := readFile(t, m.Package, "subnet/main.tf"); got != "# subnet\n" {
				t.Errorf("subnet/main.tf = %q", got)
			}
			if m.Commit != tt.commit || m.Dir != tt.dir || m.Source != tt.dir || m.Subdir != "vpc" || m.Version != "" {
				t.Errorf("got Commit %s Dir %q Source %q Subdir %q Version %q, want %s %q", m.Commit, m.Dir, m.Source, m.Subdir, m.Version, tt.commit, tt.dir)
			}
		})
	}
}

func TestFetchGitOnce(t *testing.T) {
	t.Parallel()
	repo := newModsRepo(t)
	srv, log := serveGit(t, repo.root)
	f := newFetcher(t, nil)
	ctx := context.Background()
	source := "git::" + srv.URL + "/mods.git//vpc?ref=v1.0.0"

	// Concurrent fetches of one source share one fetch; two refs of the
	// same repository are fetched side by side (the repository's cache
	// lock is not held once a module is copied out).
	var wg sync.WaitGroup
	mods := make([]*Module, 6)
	errs := make([]error, 6)
	for i := range mods {
		wg.Go(func() {
			s := source
			if i%2 == 1 {
				s = "git::" + srv.URL + "/mods.git//subnet?ref=next"
			}
			mods[i], errs[i] = f.Fetch(ctx, s, "")
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("fetch %d: %v", i, err)
		}
	}
	if mods[0] != mods[2] || mods[0] != mods[4] || mods[1] != mods[3] {
		t.Error("fetches of the same source returned different modules")
	}
	if got := readFile(t, mods[1].FS, "main.tf"); got != "# subnet\n" {
		t.Errorf("subnet main.tf = %q", got)
	}
	before := len(log.all())
	if _, err := f.Fetch(ctx, source, ""); err != nil {
		t.Fatal(err)
	}
	if after := len(log.all()); after != before {
		t.Errorf("fetching again sent %d requests, want none", after-before)
	}

	// Another Fetcher on the same cache (the next run) resolves the ref
	// again and reuses the copied tree.
	again := &Fetcher{CacheDir: f.CacheDir, Environ: f.Environ}
	m, err := again.Fetch(ctx, source, "")
	if err != nil {
		t.Fatal(err)
	}
	if m.Commit != repo.v1 || readFile(t, m.FS, "main.tf") != "# vpc v1\n" {
		t.Errorf("second run: commit %s", m.Commit)
	}
}

func TestFetchGitErrors(t *testing.T) {
	t.Parallel()
	repo := newModsRepo(t)
	srv, _ := serveGit(t, repo.root)
	f := newFetcher(t, nil)
	ctx := context.Background()

	tests := []struct {
		name, source, version string
		want                  string // the whole message
		is                    error
	}{
		{
			name: "missing repository", source: "git::" + srv.URL + "/nope.git",
			want: "module source git::" + srv.URL + "/nope.git: repository not found",
			is:   gitsource.ErrNotFound,
		},
		{
			name: "missing ref", source: "git::" + srv.URL + "/mods.git//vpc?ref=v9.9.9",
			want: "module source git::" + srv.URL + `/mods.git//vpc?ref=v9.9.9: ref "v9.9.9" not found`,
			is:   gitsource.ErrRefNotFound,
		},
		{
			name: "missing subdirectory", source: "git::" + srv.URL + "/mods.git//nothere?ref=v1.0.0",
			want: "module source git::" + srv.URL + `/mods.git//nothere?ref=v1.0.0: commit ` + repo.v1[:7] + `: subdirectory "nothere" is not in the package`,
		},
		{
			name: "version on a Git source", source: "git::" + srv.URL + "/mods.git", version: "1.0.0",
			want: "module source git::" + srv.URL + "/mods.git: a version constraint applies only to registry modules; for Git use ?ref=",
		},
		{
			name: "credentials hidden", source: "git::http://deploy:s3cr3t@127.0.0.1:1/nope.git",
			want: "module source git::http://deploy:xxxxx@127.0.0.1:1/nope.git: unreachable: ",
			is:   gitsource.ErrUnreachable,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.Fetch(ctx, tt.source, tt.version)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Fetch = %v, want an *Error", err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, tt.want) || strings.Contains(msg, "s3cr3t") {
				t.Errorf("Fetch = %q\nwant      %q", msg, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v) = false", tt.is)
			}
		})
	}
}
