package gitsource

import (
	"context"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"testing"
)

// twoAuthors builds a repository where Alice wrote main.tf and Bob then
// changed its second line and added a fourth.
func twoAuthors(t *testing.T) (repo fixtureRepo, second string) {
	t.Helper()
	repo = newFixtureRepo(t)
	writeFile(t, repo.work, "envs/prod/app.tf", "resource \"aws_s3_bucket\" \"app\" {\n  bucket = \"app\"\n}\n")
	repo.first = commitAll(t, repo.work, alice, "Add app bucket")
	writeFile(t, repo.work, "envs/prod/app.tf", "resource \"aws_s3_bucket\" \"app\" {\n  bucket = \"app-v2\"\n}\n# owned by bob\n")
	second = commitAll(t, repo.work, bob, "Rename app bucket")
	return repo, second
}

// TestBlameTwoAuthors checks that each line is blamed on its own author and
// commit, through a remote, a local ref and a working tree.
func TestBlameTwoAuthors(t *testing.T) {
	t.Parallel()
	repo, second := twoAuthors(t)
	root := t.TempDir()
	publish(t, root, repo.work, "infra")
	srv := serveGit(t, root, "", "")

	checkouts := map[string]*Checkout{
		"remote":    mustOpen(t, srv.URL+"/infra.git", Options{Path: "envs/prod", CacheDir: t.TempDir()}),
		"local ref": mustOpen(t, repo.work, Options{Path: "envs/prod", Ref: "main"}),
		"worktree":  mustOpen(t, repo.work, Options{Path: "envs/prod"}),
		"subdir":    mustOpen(t, filepath.Join(repo.work, "envs"), Options{Path: "prod"}),
	}
	want := []struct {
		line int
		who  person
		sha  string
	}{
		{1, alice, repo.first},
		{2, bob, second},
		{3, alice, repo.first},
		{4, bob, second},
	}
	for name, co := range checkouts {
		file := path.Join(co.Root, "app.tf")
		for _, w := range want {
			b, err := co.Blame(context.Background(), file, w.line)
			if err != nil {
				t.Errorf("%s: Blame(%s, %d): %v", name, file, w.line, err)
				continue
			}
			if b.SHA != w.sha || b.Author != w.who.name || b.Email != w.who.email || b.Time.IsZero() {
				t.Errorf("%s: Blame(%s, %d) = %+v, want %s by %s", name, file, w.line, b, w.sha[:7], w.who.name)
			}
		}
		// A name inside FS works too.
		if b, err := co.Blame(context.Background(), "app.tf", 2); err != nil || b.SHA != second {
			t.Errorf("%s: Blame(app.tf, 2) = %+v, %v", name, b, err)
		}
		if _, err := co.Blame(context.Background(), file, 99); err == nil {
			t.Errorf("%s: Blame of line 99 succeeded", name)
		}
	}
}

// TestWorktree covers a local working tree without Ref: files on disk, the
// dirty flag, and blame of lines not committed yet.
func TestWorktree(t *testing.T) {
	t.Parallel()
	repo, second := twoAuthors(t)

	co := mustOpen(t, repo.work, Options{Path: "envs/prod"})
	if co.Commit.SHA != second || co.Commit.Ref != "refs/heads/main" || co.Commit.Dirty {
		t.Errorf("clean tree: Commit = %+v", co.Commit)
	}
	if want := path.Join(filepath.ToSlash(repo.work), "envs/prod"); co.Root != want {
		t.Errorf("Root = %q, want %q", co.Root, want)
	}

	// A change outside Path leaves Path clean.
	writeFile(t, repo.work, "envs/staging/main.tf", "# edited\n")
	if co := mustOpen(t, repo.work, Options{Path: "envs/prod"}); co.Commit.Dirty {
		t.Errorf("change outside Path made it dirty")
	}
	if co := mustOpen(t, repo.work, Options{}); !co.Commit.Dirty {
		t.Errorf("change in staging: root not dirty")
	}

	// An untracked file under Path makes it dirty.
	writeFile(t, repo.work, "envs/prod/extra.tf", "# new\n")
	if co := mustOpen(t, repo.work, Options{Path: "envs/prod"}); !co.Commit.Dirty {
		t.Errorf("untracked file under Path: not dirty")
	}
	if err := os.Remove(filepath.Join(repo.work, "envs/prod/extra.tf")); err != nil {
		t.Fatal(err)
	}

	// A line inserted on disk is not committed; the others keep their blame.
	writeFile(t, repo.work, "envs/prod/app.tf", "# header\nresource \"aws_s3_bucket\" \"app\" {\n  bucket = \"app-v2\"\n}\n# owned by bob\n")
	co = mustOpen(t, repo.work, Options{Path: "envs/prod"})
	if !co.Commit.Dirty || co.Commit.SHA != second {
		t.Errorf("modified tree: Commit = %+v", co.Commit)
	}
	data, err := fs.ReadFile(co.FS, "app.tf")
	if err != nil || string(data[:9]) != "# header\n" {
		t.Fatalf("FS does not serve the working tree: %q, %v", data, err)
	}
	file := path.Join(co.Root, "app.tf")
	for line, want := range map[int]string{1: "", 2: repo.first, 3: second, 5: second} {
		b, err := co.Blame(context.Background(), file, line)
		if err != nil {
			t.Fatalf("Blame(%d): %v", line, err)
		}
		if b.SHA != want || (want == "" && b.Author != "Not Committed Yet") {
			t.Errorf("Blame(%d) = %+v, want SHA %q", line, b, want)
		}
	}

	// A new file is not committed at all.
	writeFile(t, repo.work, "envs/prod/new.tf", "# a\n# b\n")
	co = mustOpen(t, repo.work, Options{Path: "envs/prod"})
	if b, err := co.Blame(context.Background(), path.Join(co.Root, "new.tf"), 2); err != nil || b.Author != "Not Committed Yet" {
		t.Errorf("Blame(new.tf) = %+v, %v", b, err)
	}

	// With Ref, the commit is read, not the disk.
	co = mustOpen(t, repo.work, Options{Path: "envs/prod", Ref: "HEAD"})
	if data, _ := fs.ReadFile(co.FS, "app.tf"); string(data[:8]) != "resource" {
		t.Errorf("Ref HEAD served the working tree: %q", data)
	}
	if _, err := fs.Stat(co.FS, "new.tf"); err == nil {
		t.Errorf("Ref HEAD shows an untracked file")
	}
}

// TestLocalBare reads a bare repository in place.
func TestLocalBare(t *testing.T) {
	t.Parallel()
	repo, second := twoAuthors(t)
	bare := publish(t, t.TempDir(), repo.work, "infra")
	tests := []struct{ ref, sha, wantRef string }{
		{"", second, "refs/heads/main"},
		{"v1", "", "v1"},
		{second[:9], second, second[:9]},
	}
	for _, tt := range tests {
		co := mustOpen(t, bare, Options{Ref: tt.ref, Path: "envs/prod"})
		if (tt.sha != "" && co.Commit.SHA != tt.sha) || co.Commit.Ref != tt.wantRef || co.Commit.Dirty || co.Root != "envs/prod" {
			t.Errorf("ref %q: Commit = %+v, Root %q", tt.ref, co.Commit, co.Root)
		}
		if b, err := co.Blame(context.Background(), "envs/prod/main.tf", 1); err != nil || b.Author != alice.name {
			t.Errorf("ref %q: Blame = %+v, %v", tt.ref, b, err)
		}
	}
}

// TestBlameElsewhereInTheRepository: a file outside Path (a module in
// ../../modules) is shown under RepoRoot, blamed, and read from Tree.
func TestBlameElsewhereInTheRepository(t *testing.T) {
	t.Parallel()
	repo, _ := twoAuthors(t)
	writeFile(t, repo.work, "modules/bucket/main.tf", "resource \"aws_s3_bucket\" \"this\" {\n  bucket = var.name\n}\n")
	third := commitAll(t, repo.work, alice, "Add the bucket module")
	root := t.TempDir()
	publish(t, root, repo.work, "infra")
	srv := serveGit(t, root, "", "")

	checkouts := map[string]*Checkout{
		"remote":    mustOpen(t, srv.URL+"/infra.git", Options{Path: "envs/prod", CacheDir: t.TempDir()}),
		"local ref": mustOpen(t, repo.work, Options{Path: "envs/prod", Ref: "main"}),
		"worktree":  mustOpen(t, repo.work, Options{Path: "envs/prod"}),
	}
	for name, co := range checkouts {
		file := path.Join(co.RepoRoot, "modules/bucket/main.tf")
		b, err := co.Blame(context.Background(), file, 2)
		if err != nil || b.SHA != third || b.Author != alice.name {
			t.Errorf("%s: Blame(%s, 2) = %+v, %v; want %s by %s", name, file, b, err, third[:7], alice.name)
		}
		if path.Join(co.RepoRoot, "envs/prod") != path.Clean(co.Root) && co.Root != "envs/prod" {
			t.Errorf("%s: RepoRoot %q does not hold Root %q", name, co.RepoRoot, co.Root)
		}
		if co.Tree == nil {
			if name != "worktree" {
				t.Errorf("%s: no Tree", name)
			}
			continue
		}
		if co.TreePath != "envs/prod" {
			t.Errorf("%s: TreePath %q", name, co.TreePath)
		}
		if _, err := fs.Stat(co.Tree, "modules/bucket/main.tf"); err != nil {
			t.Errorf("%s: Tree lacks the module: %v", name, err)
		}
	}
}
