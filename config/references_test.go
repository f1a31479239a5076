package config

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// liveLike is what a drift resolver returns: the configuration, its id and
// an attribute that only the live resource has (arn).
func liveLike(r *Resource) cty.Value {
	v := withID(r)
	if !v.IsKnown() {
		return v
	}
	m := v.AsValueMap()
	m["arn"] = cty.StringVal("arn:" + r.Address)
	return cty.ObjectVal(m)
}

// recorder is a TypeDoneResolver that keeps every Resource it is given and
// the order of Resolve and TypeDone calls.
type recorder struct {
	mu      sync.Mutex
	configs map[string]cty.Value
	calls   []string
	resolve func(r *Resource) cty.Value
}

func newRecorder() *recorder {
	return &recorder{configs: map[string]cty.Value{}, resolve: liveLike}
}

func (rc *recorder) Resolve(_ context.Context, r *Resource) cty.Value {
	rc.mu.Lock()
	rc.configs[r.Address] = r.Config
	rc.calls = append(rc.calls, r.Address)
	rc.mu.Unlock()
	return rc.resolve(r)
}

func (rc *recorder) TypeDone(typ string) {
	rc.mu.Lock()
	rc.calls = append(rc.calls, "done "+typ)
	rc.mu.Unlock()
}

// dataRecorder answers every data source with an account ID and records the
// configuration it was read with.
type dataRecorder struct {
	mu      sync.Mutex
	configs []string
}

func (d *dataRecorder) ReadData(_ context.Context, _ ProviderRef, typ string, config cty.Value) (cty.Value, error) {
	d.mu.Lock()
	d.configs = append(d.configs, typ+" "+config.GoString())
	d.mu.Unlock()
	if typ == "aws_region" {
		return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("eu-west-1")}), nil
	}
	return cty.ObjectVal(map[string]cty.Value{"account_id": cty.StringVal("123456789012")}), nil
}

func loadFiles(t *testing.T, files map[string]string) (string, *Module) {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	m, diags := Load(dir)
	if diags.HasErrors() {
		t.Fatalf("Load: %s", diags.Error())
	}
	return dir, m
}

type evalOutcome struct {
	configs map[string]cty.Value
	data    []string
	diags   []string
	calls   []string
}

// evalDiscarding evaluates m as the scanner does (Evaluate, discarding).
func evalDiscarding(t *testing.T, m *Module) evalOutcome {
	t.Helper()
	ev, d := NewEvaluator(m, testSchemas(), VarOptions{})
	if d.HasErrors() {
		t.Fatalf("NewEvaluator: %s", d.Error())
	}
	rec, data := newRecorder(), &dataRecorder{}
	diags := ev.Evaluate(context.Background(), data, rec)
	return evalOutcome{configs: rec.configs, data: data.configs, diags: diagStrings(diags), calls: rec.calls}
}

// evalKeeping evaluates m with Resources (nothing forgotten or packed).
func evalKeeping(t *testing.T, m *Module) evalOutcome {
	t.Helper()
	ev, d := NewEvaluator(m, testSchemas(), VarOptions{})
	if d.HasErrors() {
		t.Fatalf("NewEvaluator: %s", d.Error())
	}
	rec, data := newRecorder(), &dataRecorder{}
	rs, diags := ev.Resources(context.Background(), data, rec)
	if len(rs) != len(rec.configs) {
		t.Errorf("Resources returned %d resources, Resolve saw %d", len(rs), len(rec.configs))
	}
	return evalOutcome{configs: rec.configs, data: data.configs, diags: diagStrings(diags), calls: rec.calls}
}

func diagStrings(diags hcl.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		s := fmt.Sprintf("%v: %s: %s", d.Severity, d.Summary, d.Detail)
		if d.Subject != nil {
			r := *d.Subject
			s += fmt.Sprintf(" @%s:%d,%d-%d,%d", filepath.Base(r.Filename), r.Start.Line, r.Start.Column, r.End.Line, r.End.Column)
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func compareOutcomes(t *testing.T, what string, want, got evalOutcome) {
	t.Helper()
	addrs := map[string]bool{}
	for a := range want.configs {
		addrs[a] = true
	}
	for a := range got.configs {
		addrs[a] = true
	}
	sorted := make([]string, 0, len(addrs))
	for a := range addrs {
		sorted = append(sorted, a)
	}
	sort.Strings(sorted)
	for _, a := range sorted {
		w, wok := want.configs[a]
		g, gok := got.configs[a]
		switch {
		case !wok:
			t.Errorf("%s: %s resolved, not in the oracle", what, a)
		case !gok:
			t.Errorf("%s: %s not resolved", what, a)
		case !g.RawEquals(w):
			t.Errorf("%s: %s Config\n got  %#v\n want %#v", what, a, g, w)
		}
	}
	if strings.Join(got.data, "\n") != strings.Join(want.data, "\n") {
		t.Errorf("%s: data sources read with\n%s\nwant\n%s", what, strings.Join(got.data, "\n"), strings.Join(want.data, "\n"))
	}
	if strings.Join(got.diags, "\n") != strings.Join(want.diags, "\n") {
		t.Errorf("%s: diagnostics\n%s\nwant\n%s", what, strings.Join(got.diags, "\n"), strings.Join(want.diags, "\n"))
	}
}

// Every reference must see, through a trimmed kept value (keptValue), what
// it sees through the whole value: the oracle is the same module with
// referencedAll (nothing trimmed, nothing forgotten). And the discarding
// run (Evaluate: packed, forgotten) must resolve the same configurations
// as Resources.
func TestTrimmedReferences(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{"attribute", `
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "s" {
  vpc_id     = aws_vpc.main.id
  cidr_block = aws_vpc.main.cidr_block
}`},
		{"live-only attribute", `
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "s" { vpc_id = aws_vpc.main.arn }`},
		{"nested map index", `
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags       = { Name = "main" }
}
resource "aws_subnet" "s" {
  vpc_id = aws_vpc.main.id
  tags   = { Parent = aws_vpc.main.tags["Name"], Other = aws_vpc.main.tags.Name }
}`},
		// Terraform accepts an instance key of a for_each resource as an
		// attribute step: aws_subnet.x.a is aws_subnet.x["a"].
		{"for_each key as attribute step", `
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "x" {
  for_each   = toset(["a", "b"])
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.${each.key == "a" ? 1 : 2}.0/24"
}
resource "aws_instance" "web" { subnet_id = aws_subnet.x.a.id }`},
		{"for_each key as attribute step, whole instance", `
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "x" {
  for_each = { a = "10.0.1.0/24" }
  vpc_id     = aws_vpc.main.id
  cidr_block = each.value
}
locals { a = aws_subnet.x.a }
resource "aws_instance" "web" { subnet_id = local.a.id }`},
		{"for_each index then attribute", `
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "x" {
  for_each = { a = "10.0.1.0/24", b = "10.0.2.0/24" }
  vpc_id     = aws_vpc.main.id
  cidr_block = each.value
}
resource "aws_instance" "web" { subnet_id = aws_subnet.x["a"].id }`},
		// An object's attribute may be read with a string index.
		{"string index then attribute", `
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags       = { Name = "main" }
}
resource "aws_subnet" "s" {
  vpc_id = aws_vpc.main.id
  tags   = { Parent = aws_vpc.main["tags"].Name }
}`},
		{"string index", `
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "s" { vpc_id = aws_vpc.main["id"] }`},
		{"count index, legacy index, dynamic index, splat, length", `
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "x" {
  count      = 2
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.${count.index}.0/24"
}
resource "aws_instance" "a" { subnet_id = aws_subnet.x[0].id }
resource "aws_instance" "b" { subnet_id = aws_subnet.x.1.id }
resource "aws_instance" "c" {
  count     = length(aws_subnet.x)
  subnet_id = aws_subnet.x[count.index].id
}
resource "aws_instance" "d" { subnet_id = join(",", aws_subnet.x[*].id) }
resource "aws_instance" "e" { subnet_id = join(",", aws_subnet.x.*.cidr_block) }`},
		{"count 0 and for_each {}", `
resource "aws_vpc" "none" {
  count      = 0
  cidr_block = "10.0.0.0/16"
}
resource "aws_vpc" "empty" {
  for_each   = {}
  cidr_block = "10.0.0.0/16"
}
resource "aws_subnet" "s" {
  vpc_id     = "${length(aws_vpc.none)}-${length(aws_vpc.empty)}"
  cidr_block = join(",", aws_vpc.none[*].id, [for v in aws_vpc.empty : v.id])
}
resource "aws_instance" "i" { subnet_id = try(aws_vpc.none[0].id, "none") }`},
		{"for_each over a resource", `
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "x" {
  for_each   = { a = "10.0.1.0/24", b = "10.0.2.0/24" }
  vpc_id     = aws_vpc.main.id
  cidr_block = each.value
}
resource "aws_instance" "web" {
  for_each  = aws_subnet.x
  subnet_id = each.value.id
  ami       = each.value.cidr_block
}`},
		{"for expression, conditional, function, template", `
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_vpc" "other" { cidr_block = "10.1.0.0/16" }
resource "aws_subnet" "x" {
  for_each   = { a = "10.0.1.0/24", b = "10.0.2.0/24" }
  vpc_id     = aws_vpc.main.id
  cidr_block = each.value
}
resource "aws_instance" "web" {
  subnet_id     = join(",", [for s in aws_subnet.x : s.id])
  ami           = true ? aws_vpc.main.cidr_block : aws_vpc.other.cidr_block
  instance_type = upper(aws_vpc.other.arn)
  tags = {
    T = "%{for k, s in aws_subnet.x}${k}=${s.arn};%{endfor}"
    U = "${aws_vpc.main.id}/${aws_vpc.other.id}"
  }
}`},
		{"dynamic block", `
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "x" {
  count      = 2
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.${count.index}.0/24"
}
resource "aws_security_group" "sg" {
  vpc_id = aws_vpc.main.id
  dynamic "ingress" {
    for_each = aws_subnet.x
    content {
      from_port   = 443
      to_port     = 443
      protocol    = "tcp"
      cidr_blocks = [ingress.value.cidr_block, ingress.value.arn]
    }
  }
}`},
		{"local holding a resource whole", `
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
locals {
  v    = aws_vpc.main
  vpcs = { main = aws_vpc.main }
}
resource "aws_subnet" "s" {
  vpc_id     = local.v.id
  cidr_block = local.vpcs.main.arn
}`},
		{"depends_on, replace_triggered_by and a data source", `
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_vpc" "side" { cidr_block = "10.1.0.0/16" }
data "aws_region" "r" { name = aws_vpc.main.arn }
resource "aws_subnet" "s" {
  vpc_id     = data.aws_region.r.name
  depends_on = [aws_vpc.side]
  lifecycle { replace_triggered_by = [aws_vpc.side.id] }
}`},
		{"unknown count", `
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "x" {
  count      = length(aws_vpc.main.unread)
  vpc_id     = aws_vpc.main.id
}
resource "aws_instance" "web" { subnet_id = join(",", aws_subnet.x[*].id) }`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"main.tf": tt.src}
			_, trimmed := loadFiles(t, files)
			_, whole := loadFiles(t, files)
			whole.referencedAll = true // the oracle: every value kept whole

			oracle := evalDiscarding(t, whole)
			for _, d := range oracle.diags {
				if strings.HasPrefix(d, "error") {
					t.Fatalf("the oracle fails: %s", d)
				}
			}
			compareOutcomes(t, "Evaluate (trimmed) vs untrimmed", oracle, evalDiscarding(t, trimmed))
			_, trimmed2 := loadFiles(t, files)
			compareOutcomes(t, "Resources (trimmed) vs untrimmed", oracle, evalKeeping(t, trimmed2))
		})
	}
}

// Evaluate calls TypeDone once per type, after the last Resolve of that
// type, however the blocks are reached.
func TestTypeDoneOrder(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
	}{
		{"aliases and a block reached through a reference", map[string]string{"main.tf": `
provider "aws" { alias = "west" }
resource "aws_vpc" "z" {
  provider   = aws.west
  cidr_block = "10.0.0.0/16"
}
resource "aws_vpc" "a" { cidr_block = aws_vpc.z.cidr_block }
resource "aws_subnet" "a" { vpc_id = aws_vpc.m.id }
resource "aws_vpc" "m" {
  count      = 2
  cidr_block = "10.${count.index}.0.0/16"
}
`}},
		{"data source of a managed type, unsupported types, JSON", map[string]string{
			"main.tf": `
data "aws_region" "r" {}
resource "aws_vpc" "a" { cidr_block = data.aws_region.r.name }
resource "aws_unsupported" "u" { x = aws_vpc.b.id }
resource "aws_subnet" "s" { vpc_id = aws_unsupported.u.id }
`,
			"more.tf.json": `{"resource": {"aws_vpc": {"b": {"cidr_block": "10.9.0.0/16"}}}}`,
		}},
		{"import block referring to a resource", map[string]string{"main.tf": `
resource "aws_vpc" "a" { cidr_block = "10.0.0.0/16" }
resource "aws_vpc" "b" { cidr_block = "10.1.0.0/16" }
import {
  to = aws_vpc.b
  id = aws_vpc.a.arn
}
`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			m, _ := Load(dir)
			ev, d := NewEvaluator(m, testSchemas(), VarOptions{})
			if d.HasErrors() {
				t.Fatal(d.Error())
			}
			rec := newRecorder()
			_ = ev.Evaluate(context.Background(), &dataRecorder{}, rec)
			if len(rec.calls) < 3 {
				t.Fatalf("too few calls to check: %v", rec.calls)
			}
			done := map[string]int{}
			for i, c := range rec.calls {
				if typ, ok := strings.CutPrefix(c, "done "); ok {
					done[typ]++
					continue
				}
				typ, _, _ := strings.Cut(c, ".")
				if done[typ] > 0 {
					t.Errorf("%s resolved after TypeDone(%s): %v", c, typ, rec.calls[:i+1])
				}
			}
			for _, b := range m.resources {
				if done[b.Type] != 1 {
					t.Errorf("TypeDone(%s) called %d times, want once (%v)", b.Type, done[b.Type], rec.calls)
				}
			}
		})
	}
}

// A block parsed again from its file has the ranges of a whole-file parse,
// whatever the file's encoding and layout: the oracle gives each block the
// body of a parse of the whole file.
func TestLazyRanges(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{"BOM", "\ufeffresource \"aws_vpc\" \"a\" {\n  cidr_block = \"10.0.0.0/16\"\n  tags = { Name = \"x\" }\n}\nresource \"aws_subnet\" \"s\" {\n  vpc_id = aws_vpc.a.id\n}\n"},
		{"CRLF", "# c\r\nresource \"aws_vpc\" \"a\" {\r\n  cidr_block = \"10.0.0.0/16\"\r\n  tags = {\r\n    Name = \"x\"\r\n  }\r\n}\r\n\r\nresource \"aws_subnet\" \"s\" {\r\n  vpc_id = aws_vpc.a.id\r\n}\r\n"},
		{"tabs, comments, unicode, same-line comment", "/* é ☃ */ resource \"aws_vpc\" \"a\" {\n\tcidr_block = \"10.0.0.0/16\" # ☃\n\ttags = { Name = \"☃☃\", Env = \"x\" }\n}\n// ☃\n\t resource \"aws_subnet\" \"s\" { vpc_id = aws_vpc.a.id }"},
		{"heredoc and a brace in a string", "resource \"aws_vpc\" \"a\" {\n  cidr_block = <<EOT\n}\n  x\nEOT\n  tags = { Name = \"}\" }\n}\nresource \"aws_subnet\" \"s\" {\n  vpc_id = aws_vpc.a.id\n  cidr_block = <<-EOT\n    a\n  EOT\n}"},
		{"errors inside a block", "resource \"aws_vpc\" \"a\" {\n  cidr_block = \"10.0.0.0/16\"\n  tags = \"not a map\"\n}\nresource \"aws_subnet\" \"s\" {\n  vpc_id = aws_vpc.a.nope\n  cidr_block = 1 + \"x\"\n}\n"},
		{"dynamic block and nested blocks", "resource \"aws_security_group\" \"sg\" {\n  name = \"x\"\n  dynamic \"ingress\" {\n    for_each = [80, 443]\n    content {\n      from_port = ingress.value\n      to_port   = ingress.value\n      protocol  = \"tcp\"\n    }\n  }\n  ingress {\n    from_port = 22\n    to_port = 22\n    protocol = \"tcp\"\n  }\n}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"main.tf": tt.src}
			dir, lazy := loadFiles(t, files)
			_, eager := loadFiles(t, files)
			path := filepath.Join(dir, "main.tf")
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			eagerPath := eager.Dir + string(filepath.Separator) + "main.tf"
			f, diags := hclsyntax.ParseConfig(src, eagerPath, hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			content, _ := f.Body.Content(fileSchema)
			n := 0
			for _, b := range content.Blocks {
				if b.Type != "resource" {
					continue
				}
				rb := eager.resources[b.Labels[0]+"."+b.Labels[1]]
				if rb.lazy == nil {
					t.Fatalf("%s is not lazy", rb.addr())
				}
				_, remain, _ := b.Body.PartialContent(resourceMetaSchema)
				rb.Body, rb.lazy = remain, nil
				n++
			}
			if n == 0 {
				t.Fatal("no resource blocks")
			}
			run := func(m *Module) ([]*Resource, hcl.Diagnostics) {
				ev, d := NewEvaluator(m, testSchemas(), VarOptions{})
				rs, rd := ev.Resources(context.Background(), &dataRecorder{}, &fakeResolver{ResolveFn: withID})
				return rs, append(d, rd...)
			}
			lrs, ldiags := run(lazy)
			ers, ediags := run(eager)
			// The two modules live in different directories: compare
			// ranges by file base name.
			norm := func(r hcl.Range) string {
				return fmt.Sprintf("%s:%d,%d(%d)-%d,%d(%d)", filepath.Base(r.Filename), r.Start.Line, r.Start.Column, r.Start.Byte, r.End.Line, r.End.Column, r.End.Byte)
			}
			if len(lrs) != len(ers) {
				t.Fatalf("%d resources lazily, %d eagerly", len(lrs), len(ers))
			}
			for i := range lrs {
				l, e := lrs[i], ers[i]
				if norm(l.DeclRange) != norm(e.DeclRange) {
					t.Errorf("%s DeclRange %s, want %s", l.Address, norm(l.DeclRange), norm(e.DeclRange))
				}
				for p, er := range e.Ranges {
					if lr, ok := l.Ranges[p]; !ok || norm(lr) != norm(er) {
						t.Errorf("%s %s: range %s, want %s", l.Address, p, norm(lr), norm(er))
					}
					// The range names the attribute's bytes in the file.
					if er.Start.Byte < 0 || er.End.Byte > len(src) {
						t.Errorf("%s %s: range %s outside the file", l.Address, p, norm(er))
					}
				}
				if len(l.Ranges) != len(e.Ranges) {
					t.Errorf("%s: %d ranges lazily, %d eagerly", l.Address, len(l.Ranges), len(e.Ranges))
				}
			}
			dn := func(ds hcl.Diagnostics) []string {
				var out []string
				for _, d := range ds {
					s := d.Summary
					if d.Subject != nil {
						s += " @" + norm(*d.Subject)
					}
					out = append(out, s)
				}
				sort.Strings(out)
				return out
			}
			if a, b := strings.Join(dn(ldiags), "\n"), strings.Join(dn(ediags), "\n"); a != b {
				t.Errorf("diagnostics lazily:\n%s\neagerly:\n%s", a, b)
			}
		})
	}
}

// A resource block referred to only from a file that is not walked for
// references (a .tf.json file makes every resource referenced) and one
// referred to in another native file: neither is forgotten before the
// reference is evaluated, in any file order.
func TestReferencesAcrossFiles(t *testing.T) {
	files := map[string]string{
		"a.tf": `resource "aws_subnet" "s" { vpc_id = aws_vpc.z.id }`,
		"z.tf": `resource "aws_vpc" "z" { cidr_block = "10.0.0.0/16" }
resource "aws_vpc" "y" { cidr_block = "10.1.0.0/16" }`,
		"m.tf": `resource "aws_instance" "i" { subnet_id = aws_vpc.y.arn }`,
	}
	_, trimmed := loadFiles(t, files)
	_, whole := loadFiles(t, files)
	whole.referencedAll = true
	compareOutcomes(t, "across files", evalDiscarding(t, whole), evalDiscarding(t, trimmed))
}
