package config

import (
	"context"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// moduleTree is a root module calling a local module with for_each, which
// calls a nested one with count; outputs flow back up and across.
var moduleTree = map[string]string{
	"main.tf": `
provider "aws" { region = "us-east-1" }
provider "aws" {
  alias  = "west"
  region = "us-west-2"
}

module "net" {
  source = "./modules/net"
  cidr   = "10.0.0.0/16"
  zones  = { a = "10.0.1.0/24", b = "10.0.2.0/24" }
}

module "svc" {
  source   = "./modules/svc"
  for_each = toset(["api", "worker"])
  name     = each.key
  vpc_id   = module.net.vpc_id
  settings = { size = 2 }
  providers = {
    aws = aws.west
  }
}

resource "aws_instance" "bastion" {
  ami       = "ami-1"
  subnet_id = module.net.subnet_ids["a"]
}
`,
	"modules/net/main.tf": `
variable "cidr" { type = string }
variable "zones" { type = map(string) }

resource "aws_vpc" "this" {
  cidr_block = var.cidr
  tags       = { Module = path.module }
}

resource "aws_subnet" "this" {
  for_each   = var.zones
  vpc_id     = aws_vpc.this.id
  cidr_block = each.value
}

output "vpc_id" { value = aws_vpc.this.id }
output "subnet_ids" { value = { for k, s in aws_subnet.this : k => s.id } }
`,
	"modules/svc/main.tf": `
variable "name" { type = string }
variable "vpc_id" { type = string }
variable "settings" {
  type = object({
    size = number
    tier = optional(string, "standard")
  })
}

locals {
  full = "${var.name}-${var.settings.tier}"
}

resource "aws_security_group" "this" {
  name   = local.full
  vpc_id = var.vpc_id
}

module "bucket" {
  source = "../bucket"
  count  = var.settings.size
  name   = "${local.full}-${count.index}"
}
`,
	"modules/bucket/main.tf": `
variable "name" {}

resource "aws_s3_bucket" "this" {
  bucket = var.name
}
`,
}

func TestModulesAreEvaluated(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, moduleTree)
	rs, diags := evaluate(t, dir, VarOptions{}, nil, &fakeResolver{ResolveFn: withID})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	got := byAddress(rs)
	want := []string{
		"aws_instance.bastion",
		`module.net.aws_subnet.this["a"]`, `module.net.aws_subnet.this["b"]`, "module.net.aws_vpc.this",
		`module.svc["api"].aws_security_group.this`,
		`module.svc["api"].module.bucket[0].aws_s3_bucket.this`, `module.svc["api"].module.bucket[1].aws_s3_bucket.this`,
		`module.svc["worker"].aws_security_group.this`,
		`module.svc["worker"].module.bucket[0].aws_s3_bucket.this`, `module.svc["worker"].module.bucket[1].aws_s3_bucket.this`,
	}
	if keys := keys(got); !slices.Equal(keys, want) {
		t.Fatalf("addresses:\n%q\nwant\n%q", keys, want)
	}
	for addr, r := range got {
		if len(r.Unsupported) > 0 {
			t.Errorf("%s: unsupported %q", addr, r.Unsupported)
		}
	}
	str := func(addr, attr string) string {
		v := got[addr].Config.GetAttr(attr)
		if !v.IsKnown() || v.IsNull() {
			return "(" + v.GoString() + ")"
		}
		return v.AsString()
	}
	checks := map[[2]string]string{
		{"module.net.aws_vpc.this", "cidr_block"}:                              "10.0.0.0/16",
		{`module.net.aws_subnet.this["b"]`, "vpc_id"}:                          "id:module.net.aws_vpc.this",
		{"aws_instance.bastion", "subnet_id"}:                                  `id:module.net.aws_subnet.this["a"]`,
		{`module.svc["worker"].aws_security_group.this`, "name"}:               "worker-standard",
		{`module.svc["api"].aws_security_group.this`, "vpc_id"}:                "id:module.net.aws_vpc.this",
		{`module.svc["worker"].module.bucket[1].aws_s3_bucket.this`, "bucket"}: "worker-standard-1",
		{`module.svc["api"].module.bucket[0].aws_s3_bucket.this`, "bucket"}:    "api-standard-0",
	}
	for k, want := range checks {
		if s := str(k[0], k[1]); s != want {
			t.Errorf("%s.%s = %s, want %s", k[0], k[1], s, want)
		}
	}
	if tag := got["module.net.aws_vpc.this"].Config.GetAttr("tags").Index(cty.StringVal("Module")); tag.AsString() != "modules/net" {
		t.Errorf("path.module = %q, want modules/net", tag.AsString())
	}
	// Providers pass down: svc's default aws is the root's aws.west, and
	// the nested bucket module inherits it.
	for addr, want := range map[string]string{
		"module.net.aws_vpc.this":                               "aws",
		`module.svc["api"].aws_security_group.this`:             "aws.west",
		`module.svc["api"].module.bucket[1].aws_s3_bucket.this`: "aws.west",
	} {
		if p := got[addr].Provider.String(); p != want {
			t.Errorf("%s: provider %s, want %s", addr, p, want)
		}
	}
	r := got[`module.svc["api"].module.bucket[1].aws_s3_bucket.this`]
	if r.Module != `module.svc["api"].module.bucket[1]` || r.Name != "this" {
		t.Errorf("module %q name %q", r.Module, r.Name)
	}
	if rng := r.Ranges["bucket"]; rng.Filename != filepath.Join(dir, "modules", "bucket", "main.tf") || rng.Start.Line != 5 {
		t.Errorf("bucket is written at %s, want modules/bucket/main.tf:5", rng)
	}

	m, _ := Load(dir)
	types := m.ResourceTypes()
	if got := types[ProviderRef{Name: "aws", Alias: "west"}]; !slices.Equal(got, []string{"aws_s3_bucket", "aws_security_group"}) {
		t.Errorf("types of aws.west: %q", got)
	}
	if got := types[ProviderRef{Name: "aws"}]; !slices.Equal(got, []string{"aws_instance", "aws_subnet", "aws_vpc"}) {
		t.Errorf("types of aws: %q", got)
	}
}

// TestModuleErrors: what Terraform refuses in a module call is an error
// at the call or the module's line.
func TestModuleErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  string // file:line and a part of the message
	}{
		{
			name: "missing input",
			files: map[string]string{
				"main.tf":   "module \"m\" { source = \"./m\" }\n",
				"m/main.tf": "variable \"name\" {}\nresource \"aws_s3_bucket\" \"b\" { bucket = var.name }\n",
			},
			want: `main.tf:1: Missing required argument: The argument "name" is required`,
		},
		{
			name: "undeclared input",
			files: map[string]string{
				"main.tf":   "module \"m\" {\n  source = \"./m\"\n  nmae   = \"x\"\n}\n",
				"m/main.tf": "resource \"aws_s3_bucket\" \"b\" { bucket = \"b\" }\n",
			},
			want: `main.tf:3: Unsupported argument: An argument named "nmae" is not expected here`,
		},
		{
			name: "failed validation",
			files: map[string]string{
				"main.tf": "module \"m\" {\n  source = \"./m\"\n  env    = \"prod1\"\n}\n",
				"m/main.tf": "variable \"env\" {\n  validation {\n    condition     = contains([\"dev\", \"prod\"], var.env)\n    error_message = \"env must be dev or prod.\"\n  }\n}\n" +
					"resource \"aws_s3_bucket\" \"b\" { bucket = var.env }\n",
			},
			want: "main.tf:3: Invalid value for variable: env must be dev or prod.",
		},
		{
			name: "wrong input type",
			files: map[string]string{
				"main.tf":   "module \"m\" {\n  source = \"./m\"\n  size   = \"big\"\n}\n",
				"m/main.tf": "variable \"size\" { type = number }\nresource \"aws_s3_bucket\" \"b\" { bucket = \"b-${var.size}\" }\n",
			},
			want: "main.tf:3: Invalid value for input variable",
		},
		{
			name: "undeclared output",
			files: map[string]string{
				"main.tf":   "module \"m\" { source = \"./m\" }\nresource \"aws_s3_bucket\" \"b\" { bucket = module.m.nmae }\n",
				"m/main.tf": "output \"name\" { value = \"n\" }\n",
			},
			want: `main.tf:2: Unsupported attribute: The module "m"`,
		},
		{
			name: "cycle between modules' outputs",
			files: map[string]string{
				"main.tf":   "module \"a\" {\n  source = \"./m\"\n  in     = module.b.out\n}\nmodule \"b\" {\n  source = \"./m\"\n  in     = module.a.out\n}\n",
				"m/main.tf": "variable \"in\" {}\noutput \"out\" { value = var.in }\nresource \"aws_s3_bucket\" \"b\" { bucket = var.in }\n",
			},
			// At the argument that closes the cycle, in the calling file,
			// not at the variable block both calls share.
			want: "main.tf:3: Cycle in references: These declarations refer to each other: module.a.var.in → module.b.output.out",
		},
		{
			name: "module calls itself",
			files: map[string]string{
				"main.tf":   "module \"m\" { source = \"./m\" }\n",
				"m/main.tf": "module \"again\" { source = \"../m\" }\nresource \"aws_s3_bucket\" \"b\" { bucket = \"b\" }\n",
			},
			want: "m/main.tf:1: Module calls itself",
		},
		{
			name: "aliased provider not passed",
			files: map[string]string{
				"main.tf":   "provider \"aws\" {\n  alias = \"west\"\n}\nmodule \"m\" { source = \"./m\" }\n",
				"m/main.tf": "resource \"aws_s3_bucket\" \"b\" {\n  provider = aws.east\n  bucket   = \"b\"\n}\n",
			},
			want: "does not pass provider configuration aws.east",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			m, diags := Load(dir)
			if !diags.HasErrors() {
				ev, d := NewEvaluator(m, testSchemas(), VarOptions{})
				diags = append(diags, d...)
				rs, d2 := ev.Resources(context.Background(), nil, &fakeResolver{ResolveFn: withID})
				diags = append(diags, d2...)
				for _, r := range rs {
					// A taint is how a resource says it cannot be compared.
					for _, u := range r.Unsupported {
						diags = append(diags, diagError(r.DeclRange, u))
					}
				}
			}
			var all []string
			for _, d := range diags {
				s := d.Summary + ": " + d.Detail
				if d.Subject != nil {
					s = strings.TrimPrefix(d.Subject.Filename, dir+"/") + ":" + itoa(d.Subject.Start.Line) + ": " + s
				}
				all = append(all, s)
			}
			for _, s := range all {
				if strings.Contains(s, tt.want) {
					return
				}
			}
			t.Errorf("diagnostics %q\nwant one with %q", all, tt.want)
		})
	}
}

// TestModuleCountNotKnown: a call whose count is not known before apply
// has one instance standing for all, every resource in it unknown.
func TestModuleCountNotKnown(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"main.tf":   "resource \"aws_vpc\" \"v\" { cidr_block = \"10.0.0.0/16\" }\nmodule \"m\" {\n  source = \"./m\"\n  count  = length(aws_vpc.v.id)\n}\n",
		"m/main.tf": "resource \"aws_s3_bucket\" \"b\" { bucket = \"b\" }\n",
	})
	rs, diags := evaluate(t, dir, VarOptions{}, nil, &fakeResolver{ResolveFn: func(r *Resource) cty.Value { return cty.DynamicVal }})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if r := byAddress(rs)["module.m[*].aws_s3_bucket.b"]; r == nil || len(r.Unsupported) == 0 || !strings.Contains(r.Unsupported[0], "module.m: count is not known before apply") {
		t.Fatalf("resources %q; want module.m[*].aws_s3_bucket.b unknown because of the count", keys(byAddress(rs)))
	}
}

func TestMovePrevious(t *testing.T) {
	t.Parallel()
	tests := []struct {
		move       Move
		addr, want string
	}{
		{Move{From: "aws_vpc.a", To: "aws_vpc.b"}, "aws_vpc.b", "aws_vpc.a"},
		{Move{From: "aws_vpc.a", To: "aws_vpc.b"}, "aws_vpc.b[2]", "aws_vpc.a[2]"},
		{Move{From: "aws_vpc.a", To: "aws_vpc.b"}, "aws_vpc.bb", ""},
		{Move{From: "aws_vpc.a[0]", To: `aws_vpc.a["x"]`}, `aws_vpc.a["x"]`, "aws_vpc.a[0]"},
		{Move{From: "module.old", To: "module.new"}, `module.new["k"].aws_vpc.a`, `module.old["k"].aws_vpc.a`},
		{Move{From: "module.old", To: "module.new"}, "module.new.module.x.aws_vpc.a", "module.old.module.x.aws_vpc.a"},
		{Move{From: "aws_vpc.a", To: "module.m.aws_vpc.a"}, "module.m.aws_vpc.a", "aws_vpc.a"},
		// Written in module.net: it applies in each of its instances.
		{Move{From: "aws_vpc.a", To: "aws_vpc.b", Module: "module.net"}, `module.net["x.y"].aws_vpc.b`, `module.net["x.y"].aws_vpc.a`},
		{Move{From: "aws_vpc.a", To: "aws_vpc.b", Module: "module.net"}, "aws_vpc.b", ""},
		{Move{From: "aws_vpc.a", To: "aws_vpc.b", Module: "module.net"}, "module.other.aws_vpc.b", ""},
	}
	for _, tt := range tests {
		got, ok := tt.move.Previous(tt.addr)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("%+v.Previous(%s) = %q, %v; want %q", tt.move, tt.addr, got, ok, tt.want)
		}
	}
	for module, want := range map[string]string{
		"":                              "",
		`module.a["x.[y]"].module.b[0]`: "module.a.module.b",
		"module.a":                      "module.a",
	} {
		if got := ModulePath(module); got != want {
			t.Errorf("ModulePath(%s) = %s, want %s", module, got, want)
		}
	}
}

// TestModuleMovesAndImports: moved blocks inside a module are the tree's
// moves with the call's address; import blocks may target module
// resources.
func TestModuleMovesAndImports(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"main.tf":   "module \"m\" {\n  source   = \"./m\"\n  for_each = toset([\"a\"])\n}\nimport {\n  to = module.m[\"a\"].aws_s3_bucket.new\n  id = \"bucket-a\"\n}\n",
		"m/main.tf": "resource \"aws_s3_bucket\" \"new\" { bucket = \"b\" }\nmoved {\n  from = aws_s3_bucket.old\n  to   = aws_s3_bucket.new\n}\n",
	})
	rs, diags := evaluate(t, dir, VarOptions{}, nil, &fakeResolver{ResolveFn: withID})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if r := byAddress(rs)[`module.m["a"].aws_s3_bucket.new`]; r == nil || r.ImportID != "bucket-a" {
		t.Errorf("resources %q: want the module's bucket with import ID bucket-a", keys(byAddress(rs)))
	}
	m, _ := Load(dir)
	moves := m.Moves()
	if len(moves) != 1 || moves[0].Module != "module.m" {
		t.Fatalf("moves %+v", moves)
	}
	if from, _ := moves[0].Previous(`module.m["a"].aws_s3_bucket.new`); from != `module.m["a"].aws_s3_bucket.old` {
		t.Errorf("previous address %q", from)
	}
}

func diagError(rng hcl.Range, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unsupported", Detail: detail, Subject: rng.Ptr()}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestLegacyModuleProvider: a module with its own provider block (as
// Terraform 0.12 modules were written) has its own configuration,
// evaluated in the module's scope, and its resources (and those of the
// modules it calls) use it.
func TestLegacyModuleProvider(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"main.tf":        "provider \"aws\" { region = \"us-east-1\" }\nmodule \"legacy\" {\n  source = \"./legacy\"\n  region = \"eu-west-1\"\n}\nresource \"aws_s3_bucket\" \"root\" { bucket = \"r\" }\n",
		"legacy/main.tf": "variable \"region\" {}\nprovider \"aws\" { region = var.region }\nresource \"aws_s3_bucket\" \"l\" { bucket = \"l\" }\nmodule \"inner\" { source = \"../inner\" }\n",
		"inner/main.tf":  "resource \"aws_s3_bucket\" \"i\" { bucket = \"i\" }\n",
	})
	m, diags := Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	ev, diags := NewEvaluator(m, testSchemas(), VarOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	provs, diags := ev.Providers(context.Background())
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	regions := map[string]string{}
	for _, p := range provs {
		regions[p.Ref.String()] = p.Config.GetAttr("region").AsString()
	}
	if want := map[string]string{"aws": "us-east-1", "module.legacy.aws": "eu-west-1"}; !maps.Equal(regions, want) {
		t.Errorf("providers %v, want %v", regions, want)
	}
	rs, diags := ev.Resources(context.Background(), nil, &fakeResolver{ResolveFn: withID})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	for addr, want := range map[string]string{
		"aws_s3_bucket.root":                         "aws",
		"module.legacy.aws_s3_bucket.l":              "module.legacy.aws",
		"module.legacy.module.inner.aws_s3_bucket.i": "module.legacy.aws",
	} {
		r := byAddress(rs)[addr]
		if r == nil || r.Provider.String() != want || len(r.Unsupported) > 0 {
			t.Errorf("%s: %+v, want provider %s", addr, r, want)
		}
	}
	types := m.ResourceTypes()
	if got := types[ProviderRef{Name: "aws", Module: "module.legacy"}]; !slices.Equal(got, []string{"aws_s3_bucket"}) {
		t.Errorf("types of module.legacy.aws: %q", got)
	}
}
