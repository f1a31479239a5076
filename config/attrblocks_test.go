package config

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// attrBlockSchemas are the test schemas where aws_security_group's
// ingress may also be written as an attribute.
type attrBlockSchemas struct{ fakeSchemas }

func (attrBlockSchemas) AttributeBlocks(typ string) map[string]cty.Type {
	if typ != "aws_security_group" {
		return nil
	}
	return map[string]cty.Type{"ingress": cty.Set(cty.Object(map[string]cty.Type{
		"from_port": cty.Number, "to_port": cty.Number, "protocol": cty.String, "cidr_blocks": cty.List(cty.String),
	}))}
}

func evalAttrBlocks(t *testing.T, src string) (map[string]*Resource, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	m, diags := Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	ev, diags := NewEvaluator(m, attrBlockSchemas{testSchemas()}, VarOptions{Environ: []string{"TF_VAR_secret_cidr=10.9.0.0/16"}})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	rs, diags := ev.Resources(context.Background(), nil, &fakeResolver{ResolveFn: withID})
	msg := ""
	if diags.HasErrors() {
		msg = diags.Error()
	}
	return byAddress(rs), msg
}

// Nested blocks written as an attribute decode as the blocks would;
// an empty list is kept (and noted), null is left out, and a value that
// is not a list of objects is a located error.
func TestAttributeBlocks(t *testing.T) {
	rs, errs := evalAttrBlocks(t, `
variable "secret_cidr" {
  type      = string
  sensitive = true
}
resource "aws_security_group" "attr" {
  name = "a"
  ingress = [{
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }, {
    from_port = 22
    to_port   = 22
    protocol  = "tcp"
    cidr_blocks = [var.secret_cidr]
  }]
}
resource "aws_security_group" "none" {
  name    = "n"
  ingress = []
}
resource "aws_security_group" "null" {
  name    = "x"
  ingress = null
}
resource "aws_vpc" "main" { cidr_block = "10.1.0.0/16" }
resource "aws_security_group" "ref" {
  name = "r"
  ingress = [{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = [aws_vpc.main.cidr_block]
  }]
}
resource "aws_security_group" "blocks" {
  name = "b"
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
`)
	if errs != "" {
		t.Fatal(errs)
	}
	attr := rs["aws_security_group.attr"]
	if got := attr.Config.GetAttr("ingress"); !got.Type().IsSetType() || got.LengthInt() != 2 {
		t.Errorf("ingress = %#v, want a set of 2 rules", got)
	}
	if r, ok := attr.Ranges["ingress"]; !ok || r.Start.Line != 8 {
		t.Errorf("ingress range = %v (%v), want line 8", r, ok)
	}
	if strings.Join(attr.AttributeSyntax, ",") != "ingress" {
		t.Errorf("AttributeSyntax = %v, want [ingress]", attr.AttributeSyntax)
	}
	if len(attr.SensitivePaths) == 0 || !strings.HasPrefix(attr.SensitivePaths[0], "ingress") {
		t.Errorf("SensitivePaths = %v: the rule from a sensitive variable is not sensitive", attr.SensitivePaths)
	}
	blocks := rs["aws_security_group.blocks"]
	if !blocks.Config.GetAttr("ingress").RawEquals(cty.SetVal([]cty.Value{attr.Config.GetAttr("ingress").AsValueSlice()[0]})) &&
		!blocks.Config.GetAttr("ingress").RawEquals(cty.SetVal([]cty.Value{attr.Config.GetAttr("ingress").AsValueSlice()[1]})) {
		t.Errorf("the block and the attribute decode differently: %#v, %#v", blocks.Config.GetAttr("ingress"), attr.Config.GetAttr("ingress"))
	}
	if len(blocks.AttributeSyntax) != 0 {
		t.Errorf("blocks noted as attribute syntax: %v", blocks.AttributeSyntax)
	}
	none := rs["aws_security_group.none"]
	if got := none.Config.GetAttr("ingress"); got.IsNull() || got.LengthInt() != 0 || len(none.AttributeSyntax) != 1 {
		t.Errorf("ingress = [] gives %#v (noted %v), want an empty set, noted", got, none.AttributeSyntax)
	}
	if n := rs["aws_security_group.null"]; len(n.AttributeSyntax) != 0 {
		t.Errorf("ingress = null is noted as attribute syntax")
	}
	ref := rs["aws_security_group.ref"]
	if strings.Join(ref.References, ",") != "aws_vpc.main" {
		t.Errorf("References = %v, want [aws_vpc.main] (from the attribute)", ref.References)
	}
	cidr := ref.Config.GetAttr("ingress").AsValueSlice()[0].GetAttr("cidr_blocks").Index(cty.Zero)
	if !cidr.RawEquals(cty.StringVal("10.1.0.0/16")) {
		t.Errorf("the reference in the attribute evaluates to %#v", cidr)
	}

	_, errs = evalAttrBlocks(t, `
resource "aws_security_group" "bad" {
  name    = "b"
  ingress = "everything"
}
`)
	if !strings.Contains(errs, `Inappropriate value for attribute "ingress"`) || !strings.Contains(errs, "main.tf:4") {
		t.Errorf("diagnostics = %q, want a located type error", errs)
	}
}
