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
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "outside the module's directory") {
		t.Fatalf("want an error for a path outside the tree, got %v", diags)
	}
	if d := diags[0]; d.Subject == nil || d.Subject.Filename != "main.tf" || d.Subject.Start.Line != 3 {
		t.Errorf("error at %v, want main.tf:3", d.Subject)
	}
}
