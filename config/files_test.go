package config

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFilesConfined: a module on disk reads files only inside its root (the
// repository's working tree or the directory scanned): absolute paths,
// "../" and symbolic links that leave it are a located error that names
// the path as written and never shows the file; inside, anything goes,
// module directory or not. With no root (--allow-outside-files) it reads
// anywhere, as Terraform does.
func TestFilesConfined(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr string
		// want is the value read, "" for a refusal.
		want string
		// anywhere is the value read without a root, "" for an error.
		anywhere string
	}{
		{`file("local.txt")`, "local", "local"},
		{`file("../shared/policy.txt")`, "shared", "shared"},
		{`file("${path.cwd}/local.txt")`, "local", "local"},
		{`file("inner.txt")`, "shared", "shared"},
		{`file("OUTSIDE")`, "", "TOPSECRET"},
		{`file("../../outside.txt")`, "", "TOPSECRET"},
		{`file("link.txt")`, "", "TOPSECRET"},
		{`file("/proc/self/environ")`, "", "?"},
		{`templatefile("link.txt", {})`, "", "TOPSECRET"},
		{`filebase64("../../outside.txt")`, "", "VE9QU0VDUkVU"},
		{`filemd5("link.txt")`, "", "?"},
		{`filesha256("OUTSIDE")`, "", "?"},
		{`tostring(fileexists("OUTSIDE"))`, "", "true"},
		{`tostring(fileexists("local.txt"))`, "true", "true"},
		{`tostring(fileexists("nothing.txt"))`, "false", "false"},
	}
	for _, tt := range tests {
		for _, allow := range []bool{false, true} {
			name := tt.expr
			if allow {
				name += " anywhere"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				base := t.TempDir()
				outside := filepath.Join(base, "outside.txt")
				root := filepath.Join(base, "repo")
				stack := filepath.Join(root, "stack")
				for _, d := range []string{stack, filepath.Join(root, "shared")} {
					if err := os.MkdirAll(d, 0o755); err != nil {
						t.Fatal(err)
					}
				}
				expr := strings.ReplaceAll(tt.expr, "OUTSIDE", outside)
				writeFiles(t, base, map[string]string{"outside.txt": "TOPSECRET"})
				writeFiles(t, root, map[string]string{"shared/policy.txt": "shared"})
				writeFiles(t, stack, map[string]string{
					"local.txt": "local",
					"main.tf":   "resource \"aws_vpc\" \"x\" {\n  cidr_block = " + expr + "\n}\n",
				})
				if err := os.Symlink(outside, filepath.Join(stack, "link.txt")); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink("../shared/policy.txt", filepath.Join(stack, "inner.txt")); err != nil {
					t.Fatal(err)
				}
				limit := root
				if allow {
					limit = ""
				}
				m, d := LoadConfined(stack, limit)
				if d.HasErrors() {
					t.Fatal(d.Error())
				}
				ev, d := NewEvaluator(m, testSchemas(), VarOptions{})
				if d.HasErrors() {
					t.Fatal(d.Error())
				}
				rs, d := ev.Resources(context.Background(), nil, nil)
				out := renderDiagnostics(t, m, d)
				want := tt.want
				if allow {
					want = tt.anywhere
				}
				if want == "" {
					if !d.HasErrors() {
						t.Fatalf("%s was read: %#v", expr, rs[0].Config)
					}
					if strings.Contains(out, "TOPSECRET") || !strings.Contains(out, "--allow-outside-files") || !strings.Contains(out, "main.tf line 2") {
						t.Errorf("the error is not a located refusal without the content:\n%s", out)
					}
					return
				}
				if d.HasErrors() {
					if want == "?" {
						return // /proc/self/environ need not be readable here.
					}
					t.Fatalf("%s: %s", expr, out)
				}
				got := rs[0].Config.GetAttr("cidr_block").AsString()
				if want != "?" && got != want {
					t.Errorf("%s = %q, want %q", expr, got, want)
				}
			})
		}
	}
}

// TestModuleFilesConfined: the configuration's own files are read within
// the root too: a main.tf that links outside is not read.
func TestModuleFilesConfined(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	writeFiles(t, base, map[string]string{"secret.tf": "TOPSECRET = \"x\"\nnot hcl {{{\n"})
	root := filepath.Join(base, "repo")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(base, "secret.tf"), filepath.Join(root, "main.tf")); err != nil {
		t.Fatal(err)
	}
	m, diags := LoadConfined(root, root)
	out := renderDiagnostics(t, m, diags)
	if !diags.HasErrors() || strings.Contains(out, "TOPSECRET") {
		t.Errorf("a configuration file linking outside the root was read:\n%s", out)
	}
	if _, diags := LoadConfined(root, ""); !diags.HasErrors() {
		t.Errorf("without a root, the linked file should be read (and fail to parse)")
	}
}

// TestWorkTreeRoot: a local source in a Git working tree is confined to
// the tree's top (where .git is, a directory or a worktree's file), a
// directory in none to itself.
func TestWorkTreeRoot(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	stack := filepath.Join(base, "repo", "envs", "prod")
	if err := os.MkdirAll(stack, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := WorkTreeRoot(stack); got != stack && !strings.HasPrefix(stack, got) {
		t.Fatalf("WorkTreeRoot outside any repository = %s", got)
	}
	writeFiles(t, filepath.Join(base, "repo"), map[string]string{".git": "gitdir: /elsewhere\n"})
	if got, want := WorkTreeRoot(stack), filepath.Join(base, "repo"); got != want {
		t.Errorf("WorkTreeRoot = %s, want %s", got, want)
	}
}
