package scan

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/gitsource"
	"github.com/gitdrift/driftctl/providers"
)

// fakeGit is a gitsource.Reader that serves one commit's files from
// memory.
type fakeGit struct {
	files  fstest.MapFS
	commit gitsource.Commit
	err    error
	// asked records the locations and options Open was called with.
	asked []gitsource.Options
}

func (g *fakeGit) Open(_ context.Context, location string, opts gitsource.Options) (*gitsource.Checkout, error) {
	g.asked = append(g.asked, opts)
	if g.err != nil {
		return nil, g.err
	}
	return &gitsource.Checkout{FS: g.files, Root: opts.Path, Commit: g.commit,
		Blame: func(_ context.Context, file string, line int) (*gitsource.Blame, error) {
			return &gitsource.Blame{SHA: g.commit.SHA, Author: "Ada", Email: "ada@example.com", Time: g.commit.Time}, nil
		}}, nil
}

// TestRunReadsGitThroughTheReader: a repository's scan takes its files,
// its commit and the authors of drifted lines from the Git reader, and
// names the stack after the repository.
func TestRunReadsGitThroughTheReader(t *testing.T) {
	t.Parallel()
	s := testSchema()
	when := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	git := &fakeGit{
		files:  fstest.MapFS{"main.tf": {Data: []byte("resource \"test_thing\" \"a\" {\n  name = \"a\"\n}\n")}},
		commit: gitsource.Commit{SHA: strings.Repeat("ab", 20), Ref: "refs/heads/main", Author: "Ada", Time: when, Repository: "https://git.example.com/infra.git"},
	}
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
		live(t, s, "t-a", map[string]cty.Value{"name": cty.StringVal("renamed")}),
	}}}
	res, err := Run(context.Background(), f, Options{
		Location: "https://git.example.com/infra.git", Git: gitsource.Options{Ref: "main"}, GitReader: git,
		States: []string{writeState(t, "test_thing.a", "t-a")}, Unmanaged: true, Blame: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(git.asked) != 1 || git.asked[0].Ref != "main" {
		t.Errorf("the reader was asked %+v", git.asked)
	}
	rep := res.Report
	if rep.Stack != "infra" {
		t.Errorf("stack %q, want the repository's name", rep.Stack)
	}
	if c := rep.Commit; c == nil || c.SHA != git.commit.SHA || c.Ref != "refs/heads/main" || c.Repository != git.commit.Repository {
		t.Errorf("commit %+v", rep.Commit)
	}
	if len(rep.Results) != 1 || rep.Results[0].Status != drift.Drifted {
		t.Fatalf("results %+v, want test_thing.a drifted", rep.Results)
	}
	d := rep.Results[0].Diffs[0]
	if d.Path != "name" || d.Range == nil || d.Range.Filename != "main.tf" || d.Range.Start.Line != 2 {
		t.Errorf("diff %s at %v", d.Path, d.Range)
	}
	if d.Blame == nil || d.Blame.Author != "Ada" || d.Blame.SHA != git.commit.SHA {
		t.Errorf("blame %+v", d.Blame)
	}
}

// TestRunStages: a scan that does not run says which step failed, and
// keeps what it could show.
func TestRunStages(t *testing.T) {
	t.Parallel()
	f := &fakeFactory{schema: testSchema()}
	broken := &fakeGit{err: errors.New("repository not found")}
	tests := []struct {
		name  string
		opts  Options
		stage Stage
		files bool // the configuration's files are there for the diagnostics' snippets
	}{
		{"no such directory", Options{Location: "/nonexistent/driftctl"}, StageSource, false},
		{"the repository cannot be read", Options{Location: "https://git.example.com/x.git", GitReader: broken}, StageSource, false},
		{"the configuration has errors", Options{Location: writeModule(t, "resource \"test_thing\" {\n")}, StageLoad, true},
		{"the state cannot be read", Options{Location: writeModule(t, "resource \"test_thing\" \"a\" { name = \"a\" }\n"), States: []string{"/nonexistent/driftctl.tfstate"}}, StageState, false},
		{"nothing to compare", Options{Location: writeModule(t, "variable \"x\" {}\n")}, StageEvaluate, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Run(context.Background(), f, tt.opts)
			var se *Error
			if !errors.As(err, &se) || se.Stage != tt.stage {
				t.Fatalf("error %v, want stage %s", err, tt.stage)
			}
			if res == nil || res.Report != nil || (res.Files != nil) != tt.files {
				t.Errorf("result %+v", res)
			}
			if (se.Err == nil) == (tt.stage == StageSource || tt.stage == StageState) {
				t.Errorf("stage %s with cause %v", se.Stage, se.Err)
			}
			if (tt.stage == StageLoad || tt.stage == StageEvaluate) && !res.Diagnostics.HasErrors() {
				t.Error("the diagnostics lack the errors")
			}
		})
	}
}

// TestUnreadableBackend: a state driftctl cannot read (a backend it has no
// reader for, HCP Terraform, settings given at init) is a located error
// unless --state gives it; then the backend is not read at all.
func TestUnreadableBackend(t *testing.T) {
	t.Parallel()
	f := &fakeFactory{schema: testSchema(), live: map[string][]*providers.Live{}}
	const resource = "resource \"test_thing\" \"a\" { name = \"a\" }\n"
	tests := []struct {
		name, terraform, want string
	}{
		{"gcs", "terraform {\n  backend \"gcs\" {\n    bucket = \"b\"\n  }\n}\n", `main.tf:2,3-16: the state is in a "gcs" backend, which driftctl does not read`},
		{"azurerm", "terraform {\n  backend \"azurerm\" {}\n}\n", `main.tf:2,3-20: the state is in a "azurerm" backend, which driftctl does not read`},
		{"cloud without a workspace", "terraform {\n  cloud {\n    organization = \"acme\"\n  }\n}\n", "main.tf:2,3-8: the cloud block names no workspace"},
		{"remote with a prefix", "terraform {\n  backend \"remote\" {\n    organization = \"acme\"\n    workspaces {\n      prefix = \"net-\"\n    }\n  }\n}\n",
			`main.tf:2,3-19: the remote backend selects workspaces by the prefix "net-": name one with --workspace`},
		{"http in another workspace", "terraform {\n  backend \"http\" {\n    address = \"https://u:pa55w0rd@s.example.com/x\"\n  }\n}\n",
			`main.tf:2,3-17: the http backend has only the default workspace, not "qa"; or give the state with --state`},
		{"partial s3", "terraform {\n  backend \"s3\" {}\n}\n", `main.tf:2,3-15: the s3 backend has no bucket or key (settings given to terraform init -backend-config are not in the configuration)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeModule(t, tt.terraform+resource)
			// A terraform.tfstate beside it is not the backend's state:
			// it must not be read instead.
			local, err := os.ReadFile(writeState(t, "test_thing.a", "t-a"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "terraform.tfstate"), local, 0o644); err != nil {
				t.Fatal(err)
			}
			ws := ""
			if strings.HasPrefix(tt.name, "http") {
				ws = "qa"
			}
			_, err = Run(context.Background(), f, Options{Location: dir, Workspace: ws})
			var se *Error
			if !errors.As(err, &se) || se.Stage != StageState || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "--state") {
				t.Fatalf("error %v, want a state error with %q naming --state", err, tt.want)
			}
			if strings.Contains(err.Error(), "pa55w0rd") {
				t.Errorf("error %v shows the password", err)
			}
			res, err := Run(context.Background(), f, Options{Location: dir, States: []string{writeState(t, "test_thing.a", "t-a")}})
			if err != nil || res.Report == nil {
				t.Fatalf("with --state: %v", err)
			}
		})
	}
}
