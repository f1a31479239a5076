package config

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/zclconf/go-cty/cty"
)

// A module read from a Git tree: names are the repository's paths, and
// file(), templatefile() and *.auto.tfvars read from the tree too.
func TestLoadFS(t *testing.T) {
	fsys := fstest.MapFS{
		"main.tf": {Data: []byte(`
variable "env" {}
resource "aws_vpc" "main" {
  cidr_block = trimspace(file("cidr.txt"))
  tags = {
    Env  = var.env
    Note = templatefile("note.tpl", { env = var.env })
  }
}
`)},
		"cidr.txt":         {Data: []byte("10.0.0.0/16\n")},
		"note.tpl":         {Data: []byte("for ${env}")},
		"prod.auto.tfvars": {Data: []byte(`env = "prod"`)},
	}
	mod, diags := LoadFS(fsys, "envs/prod")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	rs, diags := evaluateModule(t, mod, VarOptions{}, nil, &fakeResolver{ResolveFn: withID})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if len(rs) != 1 {
		t.Fatalf("%d resources", len(rs))
	}
	r := rs[0]
	if got := r.Config.GetAttr("cidr_block"); got != cty.StringVal("10.0.0.0/16") {
		t.Errorf("cidr_block = %#v", got)
	}
	tags := r.Config.GetAttr("tags").AsValueMap()
	if tags["Env"] != cty.StringVal("prod") || tags["Note"] != cty.StringVal("for prod") {
		t.Errorf("tags = %#v", tags)
	}
	if rg := r.Ranges["cidr_block"]; rg.Filename != "envs/prod/main.tf" || rg.Start.Line != 4 {
		t.Errorf("cidr_block range = %s:%d, want envs/prod/main.tf:4", rg.Filename, rg.Start.Line)
	}
	if _, ok := mod.Files()["envs/prod/main.tf"]; !ok {
		t.Errorf("Files() lacks envs/prod/main.tf: %v", mod.Files())
	}
}

func TestLoadFSStaysInTheTree(t *testing.T) {
	fsys := fstest.MapFS{"main.tf": {Data: []byte(`
resource "aws_vpc" "main" {
  cidr_block = file("../secrets.txt")
}
`)}}
	mod, diags := LoadFS(fsys, "")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	_, diags = evaluateModule(t, mod, VarOptions{}, nil, &fakeResolver{ResolveFn: withID})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "../secrets.txt is outside the repository") {
		t.Fatalf("want an error for a path outside the tree, got %v", diags)
	}
	if d := diags[0]; d.Subject == nil || d.Subject.Filename != "main.tf" || d.Subject.Start.Line != 3 {
		t.Errorf("error at %v, want main.tf:3", d.Subject)
	}
}

// TestLoadTreeReachesModulesElsewhere: a stack in a repository's
// subdirectory calls a module in ../../modules; its file functions read
// beside it through path.module, which is relative to the stack's
// directory as in Terraform, and nothing leaves the tree.
func TestLoadTreeReachesModulesElsewhere(t *testing.T) {
	t.Parallel()
	tree := fstest.MapFS{
		"stacks/prod/main.tf": {Data: []byte(`module "logs" {
  source   = "../../modules/bucket"
  for_each = toset(["a"])
  name     = "logs-${each.key}"
}
module "gone" { source = "../../../outside" }
`)},
		"modules/bucket/main.tf": {Data: []byte(`variable "name" {}
resource "aws_s3_bucket" "this" {
  bucket = "${var.name}-${trimspace(file("${path.module}/suffix.txt"))}"
  tags   = { Module = path.module }
}
`)},
		"modules/bucket/suffix.txt": {Data: []byte("prod\n")},
	}
	mod, diags := LoadTree(tree, "stacks/prod", func(p string) string { return "repo/" + p })
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if u := mod.UnreadModules(); len(u) != 1 || u[0].Address != "module.gone" {
		t.Errorf("unread modules %+v, want module.gone (outside the tree)", u)
	}
	rs, diags := evaluateModule(t, mod, VarOptions{}, nil, &fakeResolver{ResolveFn: withID})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	r := byAddress(rs)[`module.logs["a"].aws_s3_bucket.this`]
	if r == nil {
		t.Fatalf("resources %q", keys(byAddress(rs)))
	}
	if b := r.Config.GetAttr("bucket").AsString(); b != "logs-a-prod" {
		t.Errorf("bucket %q, want logs-a-prod", b)
	}
	if m := r.Config.GetAttr("tags").Index(cty.StringVal("Module")).AsString(); m != "../../modules/bucket" {
		t.Errorf("path.module %q, want ../../modules/bucket", m)
	}
	if f := r.DeclRange.Filename; f != "repo/modules/bucket/main.tf" {
		t.Errorf("file %q, want repo/modules/bucket/main.tf", f)
	}
	if mod.Foreign(r.DeclRange.Filename) {
		t.Error("a module of the repository is foreign: it would not be blamed")
	}
}
