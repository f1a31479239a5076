package scan

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/plugin"
	"github.com/gitdrift/driftctl/providers/plugin/plugintest"
	"github.com/gitdrift/driftctl/state"
)

// testfsStack is a stack of the test provider's files: main.tf, a state
// of what an apply left, and the files under root.
type testfsStack struct {
	dir, root, plugins string
}

// testfsConfig manages three files and imports a fourth.
const testfsConfig = `
terraform {
  required_providers {
    testfs = { source = "gitdrift/testfs" }
  }
}

provider "testfs" {
  root = %q
}

resource "testfs_file" "a" {
  path    = "a.txt"
  content = "hello"
  mode    = "644"
  secret  = "s3cret"
  tags    = { env = "prod" }
}

resource "testfs_file" "gone" {
  path    = "gone.txt"
  content = "x"
}

data "testfs_file" "a" {
  path = testfs_file.a.path
}

resource "testfs_file" "copy" {
  path    = "copy.txt"
  content = data.testfs_file.a.content
}

import {
  to = testfs_file.imported
  id = "imported.txt"
}

resource "testfs_file" "imported" {
  path    = "imported.txt"
  content = "by hand"
}
`

// testfsInstance is a state instance of testfs_file as the provider
// wrote it.
func testfsInstance(name, path, content, secret string, tags map[string]string) string {
	attrs := map[string]any{"id": path, "path": path, "content": content, "mode": "0644", "size": len(content), "secret": nil, "tags": nil}
	if secret != "" {
		attrs["secret"] = secret
	}
	if tags != nil {
		attrs["tags"] = tags
	}
	js, _ := json.Marshal(attrs)
	return fmt.Sprintf(`{"mode": "managed", "type": "testfs_file", "name": %q, "provider": "provider[\"registry.terraform.io/gitdrift/testfs\"]", "instances": [{"schema_version": 0, "attributes": %s, "sensitive_attributes": [[{"type": "get_attr", "value": "secret"}]]}]}`, name, js)
}

func newTestfsStack(t *testing.T) *testfsStack {
	t.Helper()
	s := &testfsStack{dir: t.TempDir(), root: t.TempDir(), plugins: plugintest.Mirror(t)}
	s.write(t, "main.tf", fmt.Sprintf(testfsConfig, s.root))
	doc := `{"version": 4, "terraform_version": "1.11.0", "serial": 1, "lineage": "l", "outputs": {}, "resources": [` +
		strings.Join([]string{
			testfsInstance("a", "a.txt", "hello", "s3cret", map[string]string{"env": "prod"}),
			testfsInstance("gone", "gone.txt", "x", "", nil),
			testfsInstance("copy", "copy.txt", "hello", "", nil),
		}, ",\n") + `]}`
	s.write(t, "terraform.tfstate", doc)
	for name, content := range map[string]string{"a.txt": "hello", ".a.txt.secret": "s3cret", ".a.txt.tags": `{"env":"prod"}`, "copy.txt": "hello", "imported.txt": "by hand"} {
		if err := os.WriteFile(filepath.Join(s.root, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(s.root, name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func (s *testfsStack) write(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(s.dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (s *testfsStack) scan(t *testing.T, opts Options) *drift.Report {
	t.Helper()
	mod, diags := config.Load(s.dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	data, err := os.ReadFile(filepath.Join(s.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := state.Parse("terraform.tfstate", data)
	if err != nil {
		t.Fatal(err)
	}
	opts.Stack = "files"
	opts.Unmanaged = true
	if opts.Plugins.Dirs == nil {
		opts.Plugins.Dirs = []string{s.plugins}
	}
	opts.Plugins.CacheDir = t.TempDir()
	stack := NewStack(&fakeFactory{schema: testSchema()}, mod, st, opts)
	defer stack.Close()
	sess, err := stack.Session(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	sess.Close()
	return sess.Report
}

func byAddress(rep *drift.Report) map[string]drift.Result {
	out := map[string]drift.Result{}
	for _, r := range rep.Results {
		out[r.Address] = r
	}
	return out
}

func TestPluginTypesUntouched(t *testing.T) {
	t.Parallel()
	s := newTestfsStack(t)
	rep := s.scan(t, Options{})
	got := byAddress(rep)
	want := map[string]drift.Status{
		// mode "644" in Git, "0644" recorded and live: the provider's plan
		// says they are the same mode.
		"testfs_file.a":        drift.InSync,
		"testfs_file.gone":     drift.Missing,
		"testfs_file.copy":     drift.InSync,
		"testfs_file.imported": drift.InSync,
	}
	for addr, status := range want {
		r := got[addr]
		if r.Status != status {
			t.Errorf("%s: %s (%s), want %s; diffs %v", addr, r.Status, r.Reason, status, r.Diffs)
		}
		if r.Reader != drift.ReaderPlugin {
			t.Errorf("%s: reader %q, want plugin", addr, r.Reader)
		}
	}
	if len(rep.Errors) > 0 {
		t.Errorf("errors: %v", rep.Errors)
	}
	if len(rep.Withheld) == 0 || !strings.Contains(rep.Withheld[0].Reason, "cannot list") {
		t.Errorf("withheld: %v, want testfs_file's unmanaged resources withheld", rep.Withheld)
	}
	if r := got["testfs_file.imported"]; r.ID != "imported.txt" {
		t.Errorf("imported: id %q reason %q", r.ID, r.Reason)
	}
}

func TestPluginTypesHandChanges(t *testing.T) {
	t.Parallel()
	s := newTestfsStack(t)
	for name, content := range map[string]string{"a.txt": "HELLO", ".a.txt.secret": "leaked", "imported.txt": "changed"} {
		if err := os.WriteFile(filepath.Join(s.root, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(s.root, "copy.txt"), 0o600); err != nil {
		t.Fatal(err)
	}
	got := byAddress(s.scan(t, Options{}))

	a := got["testfs_file.a"]
	if a.Status != drift.Drifted {
		t.Fatalf("a: %s (%s), want drifted", a.Status, a.Reason)
	}
	diffs := map[string]drift.Diff{}
	for _, d := range a.Diffs {
		diffs[d.Path] = d
	}
	if d, ok := diffs["content"]; !ok || d.Want.AsString() != "hello" || d.Got.AsString() != "HELLO" || d.Range == nil || d.Range.Start.Line != 14 {
		t.Errorf("a.content: %+v, want hello → HELLO at main.tf:14", d)
	}
	if d, ok := diffs["secret"]; !ok || !d.Sensitive {
		t.Errorf("a.secret: %+v, want a sensitive diff", d)
	}
	if len(a.Diffs) != 2 {
		t.Errorf("a: diffs %v, want content and secret (the same length: size is planned from content)", a.Diffs)
	}
	// The data source read the live content, so copy's configuration
	// wants HELLO now, and its mode was changed by hand.
	if c := got["testfs_file.copy"]; c.Status != drift.Drifted {
		t.Errorf("copy: %s (%s), want drifted", c.Status, c.Reason)
	}
	if i := got["testfs_file.imported"]; i.Status != drift.Drifted || len(i.Diffs) == 0 || i.Diffs[0].Path != "content" {
		t.Errorf("imported: %s %v, want content drifted", i.Status, i.Diffs)
	}
}

func TestPluginTypesReplace(t *testing.T) {
	t.Parallel()
	s := newTestfsStack(t)
	s.write(t, "main.tf", strings.Replace(fmt.Sprintf(testfsConfig, s.root), `path    = "gone.txt"`, `path    = "moved.txt"`, 1))
	if err := os.WriteFile(filepath.Join(s.root, "gone.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := byAddress(s.scan(t, Options{}))["testfs_file.gone"]
	if r.Status != drift.Drifted {
		t.Fatalf("gone: %s (%s), want drifted", r.Status, r.Reason)
	}
	for _, d := range r.Diffs {
		if d.Path == "path" && !d.Replace {
			t.Errorf("path: %+v, want it to force a replacement", d)
		}
	}
}

func TestPluginMissingBinary(t *testing.T) {
	t.Parallel()
	s := newTestfsStack(t)
	rep := s.scan(t, Options{Plugins: PluginOptions{Dirs: []string{t.TempDir()}}})
	if len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Message, "--plugin-dir") {
		t.Fatalf("errors: %v, want one naming --plugin-dir", rep.Errors)
	}
	for _, r := range rep.Results {
		if r.Status != drift.Unknown || !strings.Contains(r.Reason, "terraform init") {
			t.Errorf("%s: %s (%s), want unknown saying what to run", r.Address, r.Status, r.Reason)
		}
	}
}

// TestLayeredSchemaKeepsNativeSemantics: with --plugin-types all, a type
// driftctl reads natively too keeps what only the native schema knows (a
// global type, Terraform-only attributes), so that both paths report it
// alike; a type only the plugin has is as the plugin says.
func TestLayeredSchemaKeepsNativeSemantics(t *testing.T) {
	native := &fakeFactory{schema: &providers.Schema{Type: "aws_iam_user", Global: true, Attributes: map[string]*providers.Attribute{
		"name":          {Type: cty.String, Required: true},
		"force_destroy": {Type: cty.Bool, Optional: true, TerraformOnly: true},
	}}}
	attrs := map[string]*plugin.Attribute{
		"name":          {Type: cty.String, Required: true},
		"force_destroy": {Type: cty.Bool, Optional: true},
	}
	pf := plugin.NewFactory("test", nil, "", &plugin.ProviderSchema{
		Provider: &plugin.Schema{Block: &plugin.Block{}},
		ResourceTypes: map[string]*plugin.Schema{
			"aws_iam_user":        {Block: &plugin.Block{Attributes: attrs}},
			"aws_iam_user_policy": {Block: &plugin.Block{Attributes: attrs}},
		},
	})
	for _, all := range []bool{true, false} {
		s := (&layeredFactory{native: native, plugin: pf, all: all}).Schema()
		user := s.Resources["aws_iam_user"]
		if !user.Global || !user.Attributes["force_destroy"].TerraformOnly || user.Attributes["name"].TerraformOnly {
			t.Errorf("all=%v: aws_iam_user Global %v, force_destroy TerraformOnly %v; want true, true", all, user.Global, user.Attributes["force_destroy"].TerraformOnly)
		}
		if user.ByInstance != all {
			t.Errorf("all=%v: aws_iam_user ByInstance %v", all, user.ByInstance)
		}
		if p := s.Resources["aws_iam_user_policy"]; p.Global || p.Attributes["force_destroy"].TerraformOnly || !p.ByInstance {
			t.Errorf("all=%v: aws_iam_user_policy changed: %+v", all, p)
		}
	}
	if pf.Schema().Resources["aws_iam_user"].Attributes["force_destroy"].TerraformOnly {
		t.Error("the plugin's own schema was changed")
	}
}
