package config

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// evaluate loads dir and evaluates its resources, failing on errors.
func evaluate(t *testing.T, dir string, vars VarOptions, data DataReader, res Resolver) ([]*Resource, hcl.Diagnostics) {
	t.Helper()
	m, diags := Load(dir)
	if diags.HasErrors() {
		t.Fatalf("Load: %s", diags.Error())
	}
	out, d := evaluateModule(t, m, vars, data, res)
	return out, append(diags, d...)
}

// evaluateModule evaluates a loaded module with the test schemas.
func evaluateModule(t *testing.T, m *Module, vars VarOptions, data DataReader, res Resolver) ([]*Resource, hcl.Diagnostics) {
	t.Helper()
	ev, d := NewEvaluator(m, testSchemas(), vars)
	if d.HasErrors() {
		t.Fatalf("NewEvaluator: %s", d.Error())
	}
	out, rd := ev.Resources(context.Background(), data, res)
	return out, append(d, rd...)
}

func byAddress(rs []*Resource) map[string]*Resource {
	m := map[string]*Resource{}
	for _, r := range rs {
		m[r.Address] = r
	}
	return m
}

func TestResourcesBasic(t *testing.T) {
	resolver := &fakeResolver{ResolveFn: withID}
	rs, diags := evaluate(t, "testdata/valid-files/basic", VarOptions{}, accountData(), resolver)
	if diags.HasErrors() {
		t.Fatalf("Resources: %s", diags.Error())
	}
	var addrs []string
	for _, r := range rs {
		addrs = append(addrs, r.Address)
	}
	wantAddrs := []string{
		`aws_instance.web[0]`,
		`aws_instance.web[1]`,
		`aws_s3_bucket.assets`,
		`aws_s3_bucket_versioning.logs`,
		`aws_security_group.web`,
		`aws_subnet.private["a"]`,
		`aws_subnet.private["b"]`,
		`aws_vpc.main`,
	}
	if diff := cmp.Diff(wantAddrs, addrs); diff != "" {
		t.Fatalf("addresses (-want +got):\n%s", diff)
	}
	// Dependencies are resolved before what refers to them.
	pos := map[string]int{}
	for i, a := range resolver.Called {
		pos[a] = i
	}
	if len(resolver.Called) != len(wantAddrs) {
		t.Errorf("Resolve called %d times, want %d: %v", len(resolver.Called), len(wantAddrs), resolver.Called)
	}
	for _, dep := range [][2]string{
		{`aws_vpc.main`, `aws_subnet.private["a"]`},
		{`aws_subnet.private["a"]`, `aws_instance.web[0]`},
		{`aws_subnet.private["b"]`, `aws_instance.web[1]`},
		{`aws_vpc.main`, `aws_security_group.web`},
	} {
		if pos[dep[0]] > pos[dep[1]] {
			t.Errorf("%s resolved after %s: %v", dep[0], dep[1], resolver.Called)
		}
	}

	got := byAddress(rs)
	tests := []struct {
		addr, path string
		want       cty.Value
	}{
		{`aws_vpc.main`, "cidr_block", cty.StringVal("10.0.0.0/16")},
		{`aws_vpc.main`, "tags", cty.MapVal(map[string]cty.Value{"Name": cty.StringVal("main-prod"), "Env": cty.StringVal("prod")})},
		{`aws_vpc.main`, "enable_dns_support", cty.NullVal(cty.Bool)},
		{`aws_subnet.private["a"]`, "vpc_id", cty.StringVal("id:aws_vpc.main")},
		{`aws_subnet.private["b"]`, "cidr_block", cty.StringVal("10.0.2.0/24")},
		{`aws_subnet.private["b"]`, "availability_zone", cty.StringVal("eu-west-1b")},
		{`aws_instance.web[1]`, "subnet_id", cty.StringVal(`id:aws_subnet.private["a"]`)},
		{`aws_instance.web[1]`, "tags", cty.MapVal(map[string]cty.Value{
			"Name": cty.StringVal("web-1"),
			"Sub":  cty.StringVal(`id:aws_subnet.private["a"],id:aws_subnet.private["b"]`),
		})},
		{`aws_instance.web[0]`, "instance_type", cty.StringVal("t3.micro")},
		{`aws_s3_bucket_versioning.logs`, "bucket", cty.StringVal("logs-123456789012")},
		{`aws_s3_bucket.assets`, "bucket", cty.StringVal("assets-prod")},
		{`aws_security_group.web`, "ingress", cty.SetVal([]cty.Value{
			cty.ObjectVal(map[string]cty.Value{"from_port": cty.NumberIntVal(443), "to_port": cty.NumberIntVal(443), "protocol": cty.StringVal("tcp"), "cidr_blocks": cty.ListVal([]cty.Value{cty.StringVal("10.0.0.0/16")})}),
			cty.ObjectVal(map[string]cty.Value{"from_port": cty.NumberIntVal(80), "to_port": cty.NumberIntVal(80), "protocol": cty.StringVal("tcp"), "cidr_blocks": cty.ListVal([]cty.Value{cty.StringVal("10.0.0.0/16")})}),
		})},
	}
	for _, tt := range tests {
		t.Run(tt.addr+"."+tt.path, func(t *testing.T) {
			r := got[tt.addr]
			if r == nil {
				t.Fatalf("no resource %s", tt.addr)
			}
			v := r.Config.GetAttr(tt.path)
			if !v.RawEquals(tt.want) {
				t.Errorf("got %#v, want %#v", v, tt.want)
			}
		})
	}

	vpc := got[`aws_vpc.main`]
	if diff := cmp.Diff([]string{"tags.Owner", "enable_dns_support"}, vpc.IgnoreChanges); diff != "" {
		t.Errorf("IgnoreChanges (-want +got):\n%s", diff)
	}
	if !vpc.PreventDestroy || vpc.IgnoreAll {
		t.Errorf("PreventDestroy = %v, IgnoreAll = %v", vpc.PreventDestroy, vpc.IgnoreAll)
	}
	if diff := cmp.Diff([]string{"cidr_block"}, vpc.SensitivePaths); diff != "" {
		t.Errorf("SensitivePaths (-want +got):\n%s", diff)
	}
	if vpc.Config.ContainsMarked() {
		t.Errorf("Config of %s is marked", vpc.Address)
	}
	if vpc.ImportID != "vpc-0abc" || got[`aws_subnet.private["b"]`].ImportID != "subnet-prod" || got[`aws_subnet.private["a"]`].ImportID != "" {
		t.Errorf("ImportID: vpc %q, subnet b %q, subnet a %q", vpc.ImportID, got[`aws_subnet.private["b"]`].ImportID, got[`aws_subnet.private["a"]`].ImportID)
	}
	if k := got[`aws_instance.web[1]`].Key; !k.RawEquals(cty.NumberIntVal(1)) {
		t.Errorf("Key of web[1] = %#v", k)
	}
	if k := got[`aws_subnet.private["a"]`].Key; !k.RawEquals(cty.StringVal("a")) {
		t.Errorf(`Key of private["a"] = %#v`, k)
	}
	if k := vpc.Key; k != cty.NilVal {
		t.Errorf("Key of vpc = %#v", k)
	}
	if p := got[`aws_security_group.web`].Provider; p != (ProviderRef{Name: "aws", Alias: "west"}) {
		t.Errorf("provider of security group = %v", p)
	}
	for _, r := range rs {
		if len(r.Unsupported) != 0 {
			t.Errorf("%s: Unsupported = %v", r.Address, r.Unsupported)
		}
	}
}

func TestRanges(t *testing.T) {
	rs, diags := evaluate(t, "testdata/valid-files/basic", VarOptions{}, accountData(), &fakeResolver{ResolveFn: withID})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	got := byAddress(rs)
	tests := []struct {
		addr, path string
		file       string
		line, col  int
	}{
		{`aws_vpc.main`, "cidr_block", "main.tf", 34, 3},
		{`aws_vpc.main`, "tags", "main.tf", 35, 3},
		{`aws_vpc.main`, "tags.Name", "main.tf", 36, 5},
		{`aws_vpc.main`, "tags.Env", "main.tf", 37, 5},
		{`aws_instance.web[1]`, "tags.Sub", "main.tf", 59, 5},
		{`aws_subnet.private["b"]`, "availability_zone", "main.tf", 49, 3},
		{`aws_security_group.web`, "ingress", "main.tf", 68, 3},
		{`aws_security_group.web`, "ingress.protocol", "main.tf", 73, 7},
		{`aws_s3_bucket_versioning.logs`, "versioning_configuration", "main.tf", 81, 3},
		{`aws_s3_bucket_versioning.logs`, "versioning_configuration.status", "main.tf", 82, 5},
		{`aws_s3_bucket.assets`, "bucket", "extra.tf.json", 5, 9},
		{`aws_s3_bucket.assets`, "tags", "extra.tf.json", 6, 9},
		{`aws_s3_bucket.assets`, "tags.Env", "extra.tf.json", 7, 11},
	}
	for _, tt := range tests {
		t.Run(tt.addr+"."+tt.path, func(t *testing.T) {
			r := got[tt.addr]
			if r == nil {
				t.Fatalf("no resource %s", tt.addr)
			}
			rng, ok := r.Ranges[tt.path]
			if !ok {
				t.Fatalf("no range for %s; have %v", tt.path, keys(r.Ranges))
			}
			if filepath.Base(rng.Filename) != tt.file || rng.Start.Line != tt.line || rng.Start.Column != tt.col {
				t.Errorf("range = %s, want %s:%d,%d", rng, tt.file, tt.line, tt.col)
			}
		})
	}
	if r := got[`aws_vpc.main`]; r.DeclRange.Start.Line != 33 {
		t.Errorf("DeclRange of aws_vpc.main = %s, want line 33", r.DeclRange)
	}
	if _, ok := got[`aws_vpc.main`].Ranges["lifecycle"]; ok {
		t.Errorf("lifecycle (a meta-argument) has a range")
	}
}

func keys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func TestLoadBackendAndResourceTypes(t *testing.T) {
	m, diags := Load("testdata/valid-files/basic")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	want := &Backend{Type: "s3", Config: map[string]string{
		"bucket": "state-bucket", "key": "prod/terraform.tfstate", "region": "eu-west-1", "use_path_style": "true",
	}}
	if m.Backend == nil {
		t.Fatal("no backend")
	}
	if diff := cmp.Diff(want.Config, m.Backend.Config); diff != "" || m.Backend.Type != want.Type || m.Backend.DeclRange.Start.Line != 5 {
		t.Errorf("backend %s at %s (-want +got):\n%s", m.Backend.Type, m.Backend.DeclRange, diff)
	}
	wantTypes := map[ProviderRef][]string{
		{Name: "aws"}:                {"aws_instance", "aws_s3_bucket", "aws_s3_bucket_versioning", "aws_subnet", "aws_vpc"},
		{Name: "aws", Alias: "west"}: {"aws_security_group"},
	}
	if diff := cmp.Diff(wantTypes, m.ResourceTypes()); diff != "" {
		t.Errorf("ResourceTypes (-want +got):\n%s", diff)
	}
	if len(m.Files()) != 3 {
		t.Errorf("Files() has %d files, want 3: %v", len(m.Files()), keys(m.Files()))
	}
}

func TestProviders(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": `
variable "region" { default = "eu-central-1" }
locals { tags = { Owner = "ops" } }
provider "aws" {
  region = var.region
  default_tags { tags = local.tags }
}
provider "aws" {
  alias  = "west"
  region = "us-west-2"
}
provider "google" {}
resource "aws_vpc" "a" {
  provider   = aws.west
  cidr_block = "10.0.0.0/16"
}
resource "azurerm_thing" "x" {}
`})
	schemas := testSchemas()
	schemas.providers["azurerm"] = schemas.providers["aws"]
	m, diags := Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	ev, diags := NewEvaluator(m, schemas, VarOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	provs, diags := ev.Providers(context.Background())
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if len(diags) != 1 || !strings.Contains(diags[0].Summary, "provider google is not supported") || diags[0].Subject.Start.Line != 12 {
		t.Errorf("diagnostics = %v, want one warning about google at line 12", diags)
	}
	got := map[string]cty.Value{}
	for _, p := range provs {
		got[p.Ref.String()] = p.Config
	}
	want := map[string]cty.Value{
		"aws": cty.ObjectVal(map[string]cty.Value{
			"region": cty.StringVal("eu-central-1"),
			"default_tags": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
				"tags": cty.MapVal(map[string]cty.Value{"Owner": cty.StringVal("ops")}),
			})}),
		}),
		"aws.west": cty.ObjectVal(map[string]cty.Value{
			"region":       cty.StringVal("us-west-2"),
			"default_tags": cty.ListValEmpty(cty.Object(map[string]cty.Type{"tags": cty.Map(cty.String)})),
		}),
		"azurerm": cty.ObjectVal(map[string]cty.Value{
			"region":       cty.NullVal(cty.String),
			"default_tags": cty.NullVal(cty.List(cty.Object(map[string]cty.Type{"tags": cty.Map(cty.String)}))),
		}),
	}
	if len(got) != len(want) {
		t.Fatalf("providers = %v, want %v", keys(got), keys(want))
	}
	for k, w := range want {
		if !got[k].RawEquals(w) {
			t.Errorf("provider %s config = %#v, want %#v", k, got[k], w)
		}
	}
}

func TestUnsupportedReferences(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": `module "network" {
  source = "git::https://example.com/network.git"
}

data "aws_ami" "ubuntu" {
  most_recent = true
}

locals {
  cidr = module.network.cidr
}

resource "aws_vpc" "main" {
  cidr_block = local.cidr
}

resource "aws_subnet" "s" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

resource "aws_instance" "web" {
  ami = data.aws_ami.ubuntu.id
}

resource "aws_instance" "fleet" {
  count = length(module.network.azs)
  ami   = "ami-1"
}

resource "aws_instance" "plain" {
  ami = "ami-1"
}

data "aws_region" "current" {}

resource "aws_s3_bucket" "b" {
  bucket = "b-${data.aws_region.current.name}"
}
`})
	mod := "module.network is not read: its source \"git::https://example.com/network.git\" is not a local path and `terraform init` has not installed it (" + filepath.Join(dir, "main.tf") + ":1)"
	ami := "data.aws_ami.ubuntu: data source aws_ami is not yet supported (" + filepath.Join(dir, "main.tf") + ":5)"
	tests := []struct {
		name string
		data DataReader
		want map[string][]string
	}{
		{
			name: "with data reader",
			data: &fakeData{ReadDataFn: func(_ ProviderRef, _ string, _ cty.Value) (cty.Value, error) {
				return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("eu-west-1")}), nil
			}},
			want: map[string][]string{
				"aws_vpc.main":          {mod},
				"aws_subnet.s":          {mod},
				"aws_instance.web":      {ami},
				"aws_instance.fleet[*]": {mod, "aws_instance.fleet: count is not known before apply (" + filepath.Join(dir, "main.tf") + ":27)"},
				"aws_instance.plain":    nil,
				"aws_s3_bucket.b":       nil,
			},
		},
		{
			name: "without data reader",
			data: nil,
			want: map[string][]string{
				"aws_vpc.main":          {mod},
				"aws_subnet.s":          {mod},
				"aws_instance.web":      {ami},
				"aws_instance.fleet[*]": {mod, "aws_instance.fleet: count is not known before apply (" + filepath.Join(dir, "main.tf") + ":27)"},
				"aws_instance.plain":    nil,
				"aws_s3_bucket.b":       {"data.aws_region.current: data sources are not read in this scan (" + filepath.Join(dir, "main.tf") + ":35)"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, diags := evaluate(t, dir, VarOptions{}, tt.data, &fakeResolver{ResolveFn: withID})
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			got := map[string][]string{}
			for _, r := range rs {
				got[r.Address] = r.Unsupported
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Unsupported (-want +got):\n%s", diff)
			}
			var warnings []string
			for _, d := range diags {
				warnings = append(warnings, fmt.Sprintf("%d: %s", d.Subject.Start.Line, d.Summary))
			}
			wantWarnings := []string{"1: Module not read", "5: data source aws_ami is not yet supported"}
			if diff := cmp.Diff(wantWarnings, warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			bucket := byAddress(rs)["aws_s3_bucket.b"].Config.GetAttr("bucket")
			if tt.data != nil && !bucket.RawEquals(cty.StringVal("b-eu-west-1")) {
				t.Errorf("bucket = %#v, want the data source's region", bucket)
			}
			if tt.data == nil && bucket.IsKnown() {
				t.Errorf("bucket = %#v, want unknown without a data reader", bucket)
			}
			if v := byAddress(rs)["aws_vpc.main"].Config.GetAttr("cidr_block"); v.IsKnown() {
				t.Errorf("cidr_block from a module = %#v, want unknown", v)
			}
		})
	}
}

func TestExpansion(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		want  []string
		value func(rs map[string]*Resource) (got, want cty.Value)
	}{
		{
			name: "count zero",
			src:  "resource \"aws_vpc\" \"x\" {\n count = 0\n cidr_block = \"a\"\n}",
			want: nil,
		},
		{
			name: "count orders numerically",
			src:  "resource \"aws_vpc\" \"x\" {\n count = 11\n cidr_block = \"10.0.${count.index}.0/24\"\n}",
			want: []string{"aws_vpc.x[0]", "aws_vpc.x[1]", "aws_vpc.x[2]", "aws_vpc.x[3]", "aws_vpc.x[4]", "aws_vpc.x[5]", "aws_vpc.x[6]", "aws_vpc.x[7]", "aws_vpc.x[8]", "aws_vpc.x[9]", "aws_vpc.x[10]"},
			value: func(rs map[string]*Resource) (cty.Value, cty.Value) {
				return rs["aws_vpc.x[10]"].Config.GetAttr("cidr_block"), cty.StringVal("10.0.10.0/24")
			},
		},
		{
			name: "for_each set",
			src:  "resource \"aws_vpc\" \"x\" {\n for_each = toset([\"b\", \"a\"])\n cidr_block = \"${each.key}/${each.value}\"\n}",
			want: []string{`aws_vpc.x["a"]`, `aws_vpc.x["b"]`},
			value: func(rs map[string]*Resource) (cty.Value, cty.Value) {
				return rs[`aws_vpc.x["b"]`].Config.GetAttr("cidr_block"), cty.StringVal("b/b")
			},
		},
		{
			name: "for_each object values",
			src: `resource "aws_vpc" "x" {
  for_each   = { "eu west" = { cidr = "10.0.0.0/16" } }
  cidr_block = each.value.cidr
}`,
			want: []string{`aws_vpc.x["eu west"]`},
		},
		{
			name: "splat and whole-resource references",
			src: `resource "aws_vpc" "x" {
  count      = 2
  cidr_block = "10.${count.index}.0.0/16"
}
resource "aws_subnet" "s" {
  for_each = { a = 1, b = 2 }
  vpc_id   = "v"
}
resource "aws_instance" "i" {
  ami       = join(",", aws_vpc.x[*].id)
  subnet_id = aws_vpc.x[1].cidr_block
  tags = {
    n    = length(aws_vpc.x)
    keys = join(",", keys(aws_subnet.s))
    sub  = aws_subnet.s["b"].id
  }
}`,
			want: []string{`aws_instance.i`, `aws_subnet.s["a"]`, `aws_subnet.s["b"]`, `aws_vpc.x[0]`, `aws_vpc.x[1]`},
			value: func(rs map[string]*Resource) (cty.Value, cty.Value) {
				return rs["aws_instance.i"].Config, cty.ObjectVal(map[string]cty.Value{
					"ami":           cty.StringVal("id:aws_vpc.x[0],id:aws_vpc.x[1]"),
					"instance_type": cty.NullVal(cty.String),
					"subnet_id":     cty.StringVal("10.1.0.0/16"),
					"tags": cty.MapVal(map[string]cty.Value{
						"n": cty.StringVal("2"), "keys": cty.StringVal("a,b"), "sub": cty.StringVal(`id:aws_subnet.s["b"]`),
					}),
				})
			},
		},
		{
			name: "path and workspace",
			src:  `resource "aws_vpc" "x" { cidr_block = "${path.module}/${terraform.workspace}" }`,
			want: []string{"aws_vpc.x"},
			value: func(rs map[string]*Resource) (cty.Value, cty.Value) {
				return rs["aws_vpc.x"].Config.GetAttr("cidr_block"), cty.StringVal("./default")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"main.tf": tt.src})
			rs, diags := evaluate(t, dir, VarOptions{}, nil, &fakeResolver{ResolveFn: withID})
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			var addrs []string
			for _, r := range rs {
				addrs = append(addrs, r.Address)
			}
			if diff := cmp.Diff(tt.want, addrs); diff != "" {
				t.Errorf("addresses (-want +got):\n%s", diff)
			}
			if tt.value != nil {
				got, want := tt.value(byAddress(rs))
				if !got.RawEquals(want) {
					t.Errorf("value = %#v, want %#v", got, want)
				}
			}
		})
	}
}

func TestImportWithoutResolver(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": `
variable "ids" { default = { a = "vpc-a" } }
resource "aws_vpc" "x" {
  for_each   = var.ids
  cidr_block = "10.0.0.0/16"
}
import {
  to = aws_vpc.x["a"]
  id = var.ids["a"]
}
`})
	rs, diags := evaluate(t, dir, VarOptions{}, nil, nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if len(rs) != 1 || rs[0].ImportID != "vpc-a" {
		t.Fatalf("resources = %+v, want one with ImportID vpc-a", rs)
	}
}

func TestImportIDKnownWhenResolved(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": `
resource "aws_vpc" "x" {
  cidr_block = "10.0.0.0/16"
}
import {
  to = aws_vpc.x
  id = "vpc-123"
}
`})
	seen := ""
	resolver := &fakeResolver{ResolveFn: func(r *Resource) cty.Value {
		seen = r.ImportID
		return withID(r)
	}}
	if _, diags := evaluate(t, dir, VarOptions{}, nil, resolver); diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if seen != "vpc-123" {
		t.Errorf("ImportID at Resolve = %q, want vpc-123: the drift engine matches by it there", seen)
	}
}

func TestReferenceToAnAttributeNotRead(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": `
resource "aws_vpc" "main" {
  count      = 1
  cidr_block = "10.0.0.0/16"
}
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main[0].id
  cidr_block = aws_vpc.main[0].ipv6_association_id
}
`})
	resolver := &fakeResolver{ResolveFn: withID}
	rs, diags := evaluate(t, dir, VarOptions{}, nil, resolver)
	if diags.HasErrors() {
		t.Fatalf("a reference to an attribute the resolver lacks must not fail the scan: %s", diags.Error())
	}
	if len(diags) != 1 || diags[0].Severity != hcl.DiagWarning || diags[0].Subject == nil || diags[0].Subject.Start.Line != 8 {
		t.Fatalf("diags = %v, want one warning at main.tf:8", diags)
	}
	for _, r := range rs {
		if r.Address != "aws_subnet.a" {
			continue
		}
		if got := r.Config.GetAttr("vpc_id"); !got.IsKnown() || got.AsString() != "id:aws_vpc.main[0]" {
			t.Errorf("vpc_id = %#v, want the resolved id", got)
		}
		if got := r.Config.GetAttr("cidr_block"); got.IsKnown() {
			t.Errorf("cidr_block = %#v, want unknown", got)
		}
	}
}

func TestReferencesThroughLocalsAndData(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": `
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
locals {
  vpc = aws_vpc.main.id
}
data "aws_region" "here" {
  name = aws_s3_bucket.assets.bucket
}
resource "aws_s3_bucket" "assets" {
  bucket = "assets"
}
resource "aws_subnet" "a" {
  vpc_id            = local.vpc
  availability_zone = data.aws_region.here.account_id
}
`})
	rs, diags := evaluate(t, dir, VarOptions{}, accountData(), &fakeResolver{ResolveFn: withID})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	got := byAddress(rs)["aws_subnet.a"].References
	if strings.Join(got, ",") != "aws_s3_bucket.assets,aws_vpc.main" {
		t.Errorf("references = %v, want the bucket (through the data source) and the VPC (through the local)", got)
	}
	if refs := byAddress(rs)["aws_vpc.main"].References; len(refs) != 0 {
		t.Errorf("aws_vpc.main references %v, want none", refs)
	}
}

func TestWrittenAttributes(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": `
resource "aws_s3_bucket" "a" {
  bucket = "a"
}
resource "aws_s3_bucket" "b" {
  bucket = "b"
  tags   = { Env = "prod" }
}
resource "aws_security_group" "web" {
  name = "web"
  dynamic "ingress" {
    for_each = [443]
    content {
      from_port = ingress.value
      to_port   = ingress.value
      protocol  = "tcp"
    }
  }
}
`})
	m, diags := Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if got := strings.Join(m.WrittenAttributes("aws_s3_bucket", testSchemas()), ","); got != "bucket,tags" {
		t.Errorf("aws_s3_bucket writes %s, want bucket,tags", got)
	}
	if got := strings.Join(m.WrittenAttributes("aws_security_group", testSchemas()), ","); got != "ingress,name" {
		t.Errorf("aws_security_group writes %s, want ingress,name (the dynamic block by its label)", got)
	}
}

// TestSensitiveFunction: sensitive() marks a value as a sensitive variable
// does, and lookup's null default leaves the argument null rather than
// unknown (Terraform v1.11 console: `lookup({a="x"}, "b", null)` is null).
func TestSensitiveFunction(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": `
resource "aws_vpc" "x" {
  cidr_block         = sensitive("10.0.0.0/16")
  enable_dns_support = lookup({ a = true }, "b", null)
  tags               = { Name = nonsensitive(sensitive("n")) }
}`})
	rs, diags := evaluate(t, dir, VarOptions{}, nil, &fakeResolver{ResolveFn: withID})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	vpc := byAddress(rs)["aws_vpc.x"]
	if diff := cmp.Diff([]string{"cidr_block"}, vpc.SensitivePaths); diff != "" {
		t.Errorf("SensitivePaths (-want +got):\n%s", diff)
	}
	want := cty.ObjectVal(map[string]cty.Value{
		"cidr_block":         cty.StringVal("10.0.0.0/16"),
		"enable_dns_support": cty.NullVal(cty.Bool),
		"tags":               cty.MapVal(map[string]cty.Value{"Name": cty.StringVal("n")}),
	})
	if !vpc.Config.RawEquals(want) {
		t.Errorf("Config = %#v, want %#v", vpc.Config, want)
	}
}

// TestBackendSettingsOfEveryShape: a backend block as Terraform 1.6+
// writes the s3 one (endpoints as an object, lists, a nested assume_role
// block) loads; objects are flattened with dots, lists left out.
func TestBackendSettingsOfEveryShape(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": `
terraform {
  backend "s3" {
    bucket              = "b"
    key                 = "k"
    endpoints           = { s3 = "http://127.0.0.1:1", sts = "http://127.0.0.1:2" }
    allowed_account_ids = ["123456789012"]
    use_path_style      = true
    max_retries         = 5
    assume_role {
      role_arn = "arn:aws:iam::123456789012:role/state"
    }
  }
}
resource "aws_vpc" "a" { cidr_block = "10.0.0.0/16" }
`})
	m, diags := Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	want := map[string]string{"bucket": "b", "key": "k", "endpoints.s3": "http://127.0.0.1:1", "endpoints.sts": "http://127.0.0.1:2",
		"use_path_style": "true", "max_retries": "5"}
	if diff := cmp.Diff(want, m.Backend.Config); diff != "" {
		t.Errorf("backend settings (-want +got):\n%s", diff)
	}
	if len(diags) != 1 || !strings.Contains(diags[0].Summary, "Nested blocks in a backend block are ignored") {
		t.Errorf("diagnostics %v, want the one warning for assume_role", diags)
	}
}

// TestBackendSettingsOfAValue: a terraform_remote_state's config, an
// object or map value, flattens as a backend block's settings do.
func TestBackendSettingsOfAValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    cty.Value
		want map[string]string
		ok   bool
	}{
		{"null", cty.NullVal(cty.DynamicPseudoType), map[string]string{}, true},
		{"object", cty.ObjectVal(map[string]cty.Value{
			"bucket": cty.StringVal("b"), "use_path_style": cty.True, "max_retries": cty.NumberIntVal(5),
			"endpoints":           cty.ObjectVal(map[string]cty.Value{"s3": cty.StringVal("http://127.0.0.1:1")}),
			"allowed_account_ids": cty.TupleVal([]cty.Value{cty.StringVal("1")}), "profile": cty.NullVal(cty.String),
		}), map[string]string{"bucket": "b", "use_path_style": "true", "max_retries": "5", "endpoints.s3": "http://127.0.0.1:1"}, true},
		{"map", cty.MapVal(map[string]cty.Value{"path": cty.StringVal("../net/terraform.tfstate")}), map[string]string{"path": "../net/terraform.tfstate"}, true},
		{"a string", cty.StringVal("b"), nil, false},
		{"unknown", cty.ObjectVal(map[string]cty.Value{"key": cty.UnknownVal(cty.String)}), nil, false},
	}
	for _, tt := range tests {
		got, ok := BackendSettings(tt.v)
		if ok != tt.ok || !maps.Equal(got, tt.want) {
			t.Errorf("%s: %v %v, want %v %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMovedBlocksLoad(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": `
resource "aws_vpc" "b" { cidr_block = "10.0.0.0/16" }
moved {
  from = aws_vpc.a
  to   = aws_vpc.b
}
moved {
  from = aws_subnet.x[0]
  to   = aws_subnet.y["a"]
}
moved {
  from = module.old
  to   = module.new
}
`})
	m, diags := Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	var got []string
	for _, mv := range m.Moves() {
		got = append(got, mv.From+" -> "+mv.To)
	}
	want := []string{"aws_vpc.a -> aws_vpc.b", `aws_subnet.x[0] -> aws_subnet.y["a"]`, "module.old -> module.new"}
	if !slices.Equal(got, want) {
		t.Errorf("moves %q, want %q", got, want)
	}
	if len(diags) != 0 {
		t.Errorf("diagnostics %v, want none", diags)
	}

	writeFiles(t, dir, map[string]string{"main.tf": "moved {\n  from = \"aws_vpc.a\"\n  to   = aws_vpc.b\n}\n"})
	if _, diags := Load(dir); !diags.HasErrors() || !strings.Contains(diags.Error(), "Invalid moved address") {
		t.Errorf("a quoted address: %v", diags)
	}
}

// TestMissingLocalModule: a local module source that names no directory is
// an error at the module block, as terraform init reports it.
func TestMissingLocalModule(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": "module \"net\" {\n  source = \"./modules/nte\"\n}\n"})
	_, diags := Load(dir)
	if !diags.HasErrors() || diags[0].Summary != "Unreadable module directory" || diags[0].Subject == nil || diags[0].Subject.Start.Line != 1 ||
		!strings.Contains(diags[0].Detail, `"./modules/nte"`) {
		t.Errorf("diagnostics %v, want Unreadable module directory at main.tf:1", diags)
	}
}
