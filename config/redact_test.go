package config

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// renderDiagnostics prints diagnostics as the CLI does, source snippets
// and the values of the expressions' references included.
func renderDiagnostics(t *testing.T, m *Module, diags hcl.Diagnostics) string {
	t.Helper()
	var b bytes.Buffer
	w := hcl.NewDiagnosticTextWriter(&b, m.Files(), 100, false)
	if err := w.WriteDiagnostics(diags); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestFunctionErrorsHideSensitiveValues: no function error shows the value
// of a sensitive argument, whether it comes from a sensitive variable, from
// sensitive() or from inside a sensitive collection. Terraform v1.11 prints
// it for tonumber, file and templatefile.
func TestFunctionErrorsHideSensitiveValues(t *testing.T) {
	t.Parallel()
	const secret = "hunter2(s3cr3t"
	exprs := []string{
		`tonumber(var.pw)`,
		`file(var.pw)`,
		`templatefile(var.pw, {})`,
		`cidrsubnet(var.pw, 8, 1)`,
		`lookup({}, var.pw)`,
		`lookup({a = "b"}, var.pw)`,
		`base64decode(var.pw)`,
		`jsondecode(var.pw)`,
		`regex(var.pw, "x")`,
		`element(var.pw, 1)`,
		`format("%d", var.pw)`,
		`tonumber(local.marked)`,
		`tonumber(var.pws["a"])`,
		`templatefile("t.tpl", { v = var.pw })`,
		`cidrhost(var.pw, 1)`,
		`parseint(var.pw, 10)`,
		`formatdate(var.pw, "2020-01-01T00:00:00Z")`,
		`timeadd("2020-01-01T00:00:00Z", var.pw)`,
		`"${var.pw}" + 1`,
		`{ a = 1 }[var.pw]`,
	}
	for _, expr := range exprs {
		t.Run(expr, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{
				"t.tpl": "${tonumber(v)}",
				"main.tf": `
variable "pw" {
  type      = string
  sensitive = true
}
variable "pws" {
  type      = map(string)
  sensitive = true
  default   = { a = "hunter2(s3cr3t" }
}
locals {
  marked = sensitive("hunter2(s3cr3t")
}
resource "aws_vpc" "x" {
  cidr_block = ` + expr + `
}
`})
			m, diags := Load(dir)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			ev, d := NewEvaluator(m, testSchemas(), VarOptions{Args: []VarArg{{Value: "pw=" + secret}}})
			if d.HasErrors() {
				t.Fatal(d.Error())
			}
			_, d = ev.Resources(context.Background(), nil, nil)
			if !d.HasErrors() {
				t.Fatalf("%s gave no error", expr)
			}
			out := renderDiagnostics(t, m, d)
			for _, leak := range []string{secret, "hunter2", "s3cr3t"} {
				if strings.Contains(out, leak) {
					t.Errorf("%s: the diagnostics show %q:\n%s", expr, leak, out)
				}
			}
		})
	}
}

// TestDataErrorsHideSensitiveValues: an error that a data source's read
// gives (it may quote its configuration) never shows a value that a
// sensitive variable or sensitive() in a local gave it.
func TestDataErrorsHideSensitiveValues(t *testing.T) {
	t.Parallel()
	for _, expr := range []string{"var.pw", "local.marked"} {
		t.Run(expr, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"main.tf": `
variable "pw" {
  sensitive = true
  default   = "hunter3(var)"
}
locals {
  marked = sensitive("hunter2(s3cr3t")
}
data "aws_region" "r" {
  name = ` + expr + `
}
resource "aws_vpc" "x" {
  cidr_block = data.aws_region.r.name
}
`})
			m, diags := Load(dir)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			ev, d := NewEvaluator(m, testSchemas(), VarOptions{})
			if d.HasErrors() {
				t.Fatal(d.Error())
			}
			data := &fakeData{ReadDataFn: func(_ ProviderRef, _ string, cfg cty.Value) (cty.Value, error) {
				return cty.NilVal, fmt.Errorf("no region named %s", cfg.GetAttr("name").AsString())
			}}
			_, d = ev.Resources(context.Background(), data, nil)
			out := renderDiagnostics(t, m, d)
			if !d.HasErrors() || strings.Contains(out, "hunter") || !strings.Contains(out, "no region named (sensitive value)") {
				t.Errorf("the read error is not redacted:\n%s", out)
			}
		})
	}
}

// TestDataSourceArgumentStaysSensitive: as Terraform's readDataSource, an
// argument of a data source that was sensitive in the configuration is
// sensitive in what the data source yields, and so in what refers to it.
func TestDataSourceArgumentStaysSensitive(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": `
variable "region" {
  sensitive = true
  default   = "eu-secret-1"
}
data "aws_region" "r" {
  name = var.region
}
resource "aws_s3_bucket" "b" {
  bucket = data.aws_region.r.name
}
`})
	data := &fakeData{ReadDataFn: func(_ ProviderRef, _ string, cfg cty.Value) (cty.Value, error) {
		if cfg.ContainsMarked() {
			t.Errorf("ReadData got a marked configuration: %#v", cfg)
		}
		return cfg, nil
	}}
	rs, diags := evaluate(t, dir, VarOptions{}, data, &fakeResolver{ResolveFn: withID})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if len(rs) != 1 || !slices.Equal(rs[0].SensitivePaths, []string{"bucket"}) {
		t.Errorf("resources %v: want aws_s3_bucket.b with bucket sensitive", rs)
	}
}
