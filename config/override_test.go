package config

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// at is where a range starts, as "file:line".
func at(r hcl.Range) string { return fmt.Sprintf("%s:%d", filepath.Base(r.Filename), r.Start.Line) }

// loadOverridden loads files from a temporary directory; errors fail the
// test.
func loadOverridden(t *testing.T, files map[string]string) (*Module, map[string]*Resource) {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	m, diags := Load(dir)
	if diags.HasErrors() {
		t.Fatalf("Load: %s", diags.Error())
	}
	rs, diags := evaluateModule(t, m, VarOptions{}, accountData(), &fakeResolver{ResolveFn: withID})
	if diags.HasErrors() {
		t.Fatalf("Resources: %s", diags.Error())
	}
	return m, byAddress(rs)
}

// get is an attribute path of a resource's configuration.
func get(t *testing.T, rs map[string]*Resource, addr string, path ...string) cty.Value {
	t.Helper()
	r, ok := rs[addr]
	if !ok {
		t.Fatalf("no resource %s in %v", addr, slices.Sorted(func(yield func(string) bool) {
			for a := range rs {
				if !yield(a) {
					return
				}
			}
		}))
	}
	v := r.Config
	for _, p := range path {
		v = v.GetAttr(p)
	}
	return v
}

func tags(kv ...string) cty.Value {
	m := map[string]cty.Value{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = cty.StringVal(kv[i+1])
	}
	return cty.MapVal(m)
}

const bucketMain = `resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
  tags = {
    Env  = "prod"
    Team = "web"
  }
}
`

// TestOverrides checks each merging rule on a small module; the errors
// (an override with no original, depends_on, moved, import, a default
// that the new type does not fit) are in testdata/invalid-files/override-*.
func TestOverrides(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		check func(t *testing.T, m *Module, rs map[string]*Resource)
	}{{
		name: "an attribute is replaced and ranges point at the override",
		files: map[string]string{
			"main.tf": bucketMain,
			"override.tf": `
resource "aws_s3_bucket" "logs" {
  tags = { Env = "staging" }
}
`,
		},
		check: func(t *testing.T, m *Module, rs map[string]*Resource) {
			if got := get(t, rs, "aws_s3_bucket.logs", "tags"); !got.RawEquals(tags("Env", "staging")) {
				t.Errorf("tags = %#v", got)
			}
			if got := get(t, rs, "aws_s3_bucket.logs", "bucket"); !got.RawEquals(cty.StringVal("acme-logs")) {
				t.Errorf("bucket = %#v", got)
			}
			r := rs["aws_s3_bucket.logs"]
			for path, want := range map[string]string{"tags": "override.tf:3", "tags.Env": "override.tf:3", "bucket": "main.tf:2"} {
				if got := at(r.Ranges[path]); got != want {
					t.Errorf("range of %s = %s, want %s", path, got, want)
				}
			}
			if at(r.DeclRange) != "main.tf:1" {
				t.Errorf("DeclRange = %s, want main.tf:1", at(r.DeclRange))
			}
			if b := m.resources["aws_s3_bucket.logs"]; b.lazy != nil {
				t.Error("an overridden block is read again from its file")
			}
		},
	}, {
		name: "override files merge in lexical order, after every primary file",
		files: map[string]string{
			"a_override.tf":  `resource "aws_s3_bucket" "logs" { tags = { Env = "a" } }`,
			"override.tf":    `resource "aws_s3_bucket" "logs" { tags = { Env = "b" } }`,
			"main.tf":        bucketMain,
			"z.tf":           `resource "aws_s3_bucket" "other" { bucket = "other" }`,
			"z_override.tf":  `resource "aws_s3_bucket" "other" { bucket = "other-z" }`,
			"notoverride.tf": `resource "aws_s3_bucket" "third" { bucket = "third" }`,
		},
		check: func(t *testing.T, m *Module, rs map[string]*Resource) {
			if got := get(t, rs, "aws_s3_bucket.logs", "tags"); !got.RawEquals(tags("Env", "b")) {
				t.Errorf("tags = %#v, want the last override file's", got)
			}
			if got := get(t, rs, "aws_s3_bucket.other", "bucket"); !got.RawEquals(cty.StringVal("other-z")) {
				t.Errorf("bucket = %#v", got)
			}
			if got := get(t, rs, "aws_s3_bucket.third", "bucket"); !got.RawEquals(cty.StringVal("third")) {
				t.Errorf("notoverride.tf is a primary file: bucket = %#v", got)
			}
			if m.resources["aws_s3_bucket.third"].lazy == nil {
				t.Error("a block no override names is kept in memory")
			}
		},
	}, {
		name: "any block of a type replaces all of the type, dynamic or not",
		files: map[string]string{
			"main.tf": `
variable "ports" {
  default = [22, 80]
}

resource "aws_security_group" "web" {
  name = "web"
  ingress {
    from_port = 1
    to_port   = 1
    protocol  = "tcp"
  }
  ingress {
    from_port = 2
    to_port   = 2
    protocol  = "tcp"
  }
}

resource "aws_security_group" "dyn" {
  name = "dyn"
  dynamic "ingress" {
    for_each = var.ports
    content {
      from_port = ingress.value
      to_port   = ingress.value
      protocol  = "tcp"
    }
  }
}
`,
			"override.tf": `
resource "aws_security_group" "web" {
  dynamic "ingress" {
    for_each = [443]
    content {
      from_port = ingress.value
      to_port   = ingress.value
      protocol  = "tcp"
    }
  }
}

resource "aws_security_group" "dyn" {
  ingress {
    from_port = 8080
    to_port   = 8080
    protocol  = "tcp"
  }
}
`,
		},
		check: func(t *testing.T, m *Module, rs map[string]*Resource) {
			for addr, want := range map[string]int64{"aws_security_group.web": 443, "aws_security_group.dyn": 8080} {
				ingress := get(t, rs, addr, "ingress")
				if ingress.LengthInt() != 1 {
					t.Errorf("%s has %d ingress blocks, want 1: %#v", addr, ingress.LengthInt(), ingress)
					continue
				}
				for it := ingress.ElementIterator(); it.Next(); {
					_, e := it.Element()
					if !e.GetAttr("from_port").RawEquals(cty.NumberIntVal(want)) {
						t.Errorf("%s ingress = %#v", addr, e)
					}
				}
				if got := get(t, rs, addr, "name"); got.IsNull() {
					t.Errorf("%s lost its name", addr)
				}
			}
		},
	}, {
		name: "lifecycle merges argument by argument; count and provider are replaced",
		files: map[string]string{
			"main.tf": `
provider "aws" {
  alias = "west"
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  lifecycle {
    prevent_destroy = true
    ignore_changes  = [tags]
  }
}

resource "aws_s3_bucket" "b" {
  count  = 1
  bucket = "b-${count.index}"
}
`,
			"override.tf": `
resource "aws_vpc" "main" {
  provider = aws.west
  lifecycle {
    ignore_changes = [enable_dns_support]
  }
}

resource "aws_s3_bucket" "b" {
  count = 2
}
`,
		},
		check: func(t *testing.T, m *Module, rs map[string]*Resource) {
			r := rs["aws_vpc.main"]
			if r == nil {
				t.Fatal("no aws_vpc.main")
			}
			if !r.PreventDestroy || !slices.Equal(r.IgnoreChanges, []string{"enable_dns_support"}) {
				t.Errorf("PreventDestroy = %v, IgnoreChanges = %v; want true, [enable_dns_support]", r.PreventDestroy, r.IgnoreChanges)
			}
			if r.Provider != (ProviderRef{Name: "aws", Alias: "west"}) {
				t.Errorf("Provider = %v", r.Provider)
			}
			if _, ok := rs[`aws_s3_bucket.b[1]`]; !ok {
				t.Error("count = 2 from the override did not make aws_s3_bucket.b[1]")
			}
		},
	}, {
		name: "local values are replaced one by one",
		files: map[string]string{
			"main.tf": `
locals {
  env    = "prod"
  prefix = "acme"
  name   = "${local.prefix}-${local.env}"
}

resource "aws_s3_bucket" "b" {
  bucket = local.name
}
`,
			"override.tf": `
locals {
  env = "dev"
}
`,
		},
		check: func(t *testing.T, m *Module, rs map[string]*Resource) {
			if got := get(t, rs, "aws_s3_bucket.b", "bucket"); !got.RawEquals(cty.StringVal("acme-dev")) {
				t.Errorf("bucket = %#v, want acme-dev", got)
			}
			if got := at(m.locals["env"].DeclRange); got != "override.tf:3" {
				t.Errorf("local.env declared at %s", got)
			}
		},
	}, {
		name: "a variable's default and type; its validation stays the primary's",
		files: map[string]string{
			"main.tf": `
variable "name" {
  type    = string
  default = "base"
  validation {
    condition     = length(var.name) > 2
    error_message = "Too short."
  }
}

variable "size" {
  type    = string
  default = "3"
}

resource "aws_s3_bucket" "b" {
  bucket = var.name
  tags   = { size = jsonencode(var.size) }
}
`,
			"override.tf": `
variable "name" {
  default = "overridden"
  validation {
    condition     = false
    error_message = "Never checked."
  }
}

variable "size" {
  type = number
}
`,
		},
		check: func(t *testing.T, m *Module, rs map[string]*Resource) {
			if got := get(t, rs, "aws_s3_bucket.b", "bucket"); !got.RawEquals(cty.StringVal("overridden")) {
				t.Errorf("bucket = %#v", got)
			}
			// The new type converts the primary's default: 3, not "3".
			if got := get(t, rs, "aws_s3_bucket.b", "tags"); !got.RawEquals(tags("size", "3")) {
				t.Errorf("tags = %#v", got)
			}
			if v := m.variables["name"]; len(v.Validations) != 1 || at(v.Validations[0].DeclRange) != "main.tf:5" {
				t.Errorf("validations = %v", v.Validations)
			}
		},
	}, {
		name: "module call arguments",
		files: map[string]string{
			"main.tf": `
module "net" {
  source = "./a"
  cidr   = "10.0.0.0/16"
}
`,
			"a/main.tf": "variable \"cidr\" {}\nresource \"aws_vpc\" \"a\" { cidr_block = var.cidr }\n",
			"b/main.tf": "variable \"cidr\" {}\nresource \"aws_vpc\" \"b\" { cidr_block = var.cidr }\n",
			"override.tf": `
module "net" {
  source = "./b"
  count  = 2
}
`,
		},
		check: func(t *testing.T, m *Module, rs map[string]*Resource) {
			if got := keys(rs); !slices.Equal(got, []string{"module.net[0].aws_vpc.b", "module.net[1].aws_vpc.b"}) {
				t.Errorf("resources %q, want module.net[0] and [1]'s aws_vpc.b", got)
			}
			if got := get(t, rs, "module.net[1].aws_vpc.b", "cidr_block"); got.AsString() != "10.0.0.0/16" {
				t.Errorf("cidr_block = %#v", got)
			}
		},
	}, {
		name: "provider configurations by name and alias; a default one may be new",
		files: map[string]string{
			"main.tf": `
provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = { Owner = "base" }
  }
}

provider "aws" {
  alias  = "west"
  region = "us-west-1"
}
`,
			"override.tf": `
provider "aws" {
  region = "eu-west-1"
}

provider "aws" {
  alias  = "west"
  region = "us-west-2"
}

provider "google" {
}
`,
		},
		check: func(t *testing.T, m *Module, rs map[string]*Resource) {
			ev, diags := NewEvaluator(m, testSchemas(), VarOptions{})
			ps, d := ev.Providers(context.Background())
			if diags = append(diags, d...); diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			got := map[string]string{}
			for _, p := range ps {
				region := ""
				if p.Config.Type().IsObjectType() && p.Config.Type().HasAttribute("region") {
					region = p.Config.GetAttr("region").AsString()
					if dt := p.Config.GetAttr("default_tags"); p.Ref.Alias == "" && dt.LengthInt() != 1 {
						t.Errorf("default_tags = %#v, want the primary's", dt)
					}
				}
				got[p.Ref.String()] = region
			}
			want := map[string]string{"aws": "eu-west-1", "aws.west": "us-west-2"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("providers (-want +got):\n%s", diff)
			}
			// The test schemas have no google provider: it is only declared.
			if p := m.providers[len(m.providers)-1]; p.Ref.Name != "google" || at(p.DeclRange) != "override.tf:11" {
				t.Errorf("last provider %s at %s, want google at override.tf:11", p.Ref, at(p.DeclRange))
			}
		},
	}, {
		name: "backend replaced whole, required_providers per name",
		files: map[string]string{
			"main.tf": `
terraform {
  required_providers {
    cloud = { source = "hashicorp/aws" }
    other = { source = "acme/other" }
  }
  backend "s3" {
    bucket = "state"
    key    = "a.tfstate"
  }
}
`,
			"override.tf": `
terraform {
  required_providers {
    cloud = { source = "hashicorp/google" }
  }
  backend "local" {
    path = "x.tfstate"
  }
}
`,
		},
		check: func(t *testing.T, m *Module, rs map[string]*Resource) {
			if m.Backend == nil || m.Backend.Type != "local" || m.Backend.Config["path"] != "x.tfstate" || m.Backend.Config["bucket"] != "" {
				t.Errorf("Backend = %+v", m.Backend)
			}
			if m.ProviderType("cloud") != "google" || m.ProviderType("other") != "other" {
				t.Errorf("provider types: cloud %s, other %s", m.ProviderType("cloud"), m.ProviderType("other"))
			}
		},
	}, {
		name: "a JSON override of a native block",
		files: map[string]string{
			"main.tf": bucketMain,
			"override.tf.json": `{
  "resource": {
    "aws_s3_bucket": {
      "logs": {
        "tags": { "Env": "json" },
        "lifecycle": { "ignore_changes": ["bucket"] }
      }
    }
  }
}`,
		},
		check: func(t *testing.T, m *Module, rs map[string]*Resource) {
			if got := get(t, rs, "aws_s3_bucket.logs", "tags"); !got.RawEquals(tags("Env", "json")) {
				t.Errorf("tags = %#v", got)
			}
			r := rs["aws_s3_bucket.logs"]
			if got := at(r.Ranges["tags"]); got != "override.tf.json:5" {
				t.Errorf("range of tags = %s", got)
			}
			if !slices.Equal(r.IgnoreChanges, []string{"bucket"}) {
				t.Errorf("IgnoreChanges = %v", r.IgnoreChanges)
			}
		},
	}, {
		name: "a native override of a JSON block",
		files: map[string]string{
			"main.tf.json": `{
  "variable": { "env": { "default": "prod" } },
  "resource": {
    "aws_s3_bucket": {
      "logs": { "bucket": "acme-${var.env}", "tags": { "Env": "json" } }
    }
  }
}`,
			"main_override.tf": `
variable "env" {
  default = "dev"
}

resource "aws_s3_bucket" "logs" {
  tags = { Env = var.env }
}
`,
		},
		check: func(t *testing.T, m *Module, rs map[string]*Resource) {
			if got := get(t, rs, "aws_s3_bucket.logs", "bucket"); !got.RawEquals(cty.StringVal("acme-dev")) {
				t.Errorf("bucket = %#v", got)
			}
			if got := get(t, rs, "aws_s3_bucket.logs", "tags"); !got.RawEquals(tags("Env", "dev")) {
				t.Errorf("tags = %#v", got)
			}
			if got := at(rs["aws_s3_bucket.logs"].Ranges["tags"]); got != "main_override.tf:7" {
				t.Errorf("range of tags = %s", got)
			}
		},
	}, {
		name: "a data source's arguments",
		files: map[string]string{
			"main.tf": `
data "aws_region" "current" {
  name = "us-east-1"
}
`,
			"override.tf": `
data "aws_region" "current" {
  name = "eu-west-3"
}
`,
		},
		check: func(t *testing.T, m *Module, rs map[string]*Resource) {
			attrs, diags := m.data["aws_region.current"].Body.JustAttributes()
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if v, _ := attrs["name"].Expr.Value(nil); !v.RawEquals(cty.StringVal("eu-west-3")) || at(attrs["name"].Range) != "override.tf:3" {
				t.Errorf("name = %#v at %s", v, at(attrs["name"].Range))
			}
		},
	}, {
		name: "a required attribute may come from the override alone",
		files: map[string]string{
			"main.tf":     `resource "aws_vpc" "main" {}`,
			"override.tf": `resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }`,
		},
		check: func(t *testing.T, m *Module, rs map[string]*Resource) {
			if got := get(t, rs, "aws_vpc.main", "cidr_block"); !got.RawEquals(cty.StringVal("10.0.0.0/16")) {
				t.Errorf("cidr_block = %#v", got)
			}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, rs := loadOverridden(t, tt.files)
			tt.check(t, m, rs)
		})
	}
}

// An override file in a Git tree: ranges name it by its repository path,
// and Files gives its source for diagnostic snippets.
func TestOverrideFromGitTree(t *testing.T) {
	fsys := fstest.MapFS{
		"main.tf":     {Data: []byte(bucketMain)},
		"override.tf": {Data: []byte("resource \"aws_s3_bucket\" \"logs\" {\n  tags = { Env = \"git\" }\n}\n")},
	}
	m, diags := LoadFS(fsys, "envs/prod")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	rs, diags := evaluateModule(t, m, VarOptions{}, nil, &fakeResolver{ResolveFn: withID})
	if diags.HasErrors() || len(rs) != 1 {
		t.Fatalf("%d resources: %s", len(rs), diags.Error())
	}
	if got := rs[0].Ranges["tags"]; got.Filename != "envs/prod/override.tf" || got.Start.Line != 2 {
		t.Errorf("range of tags = %s", got)
	}
	if f := m.Files()["envs/prod/override.tf"]; f == nil || !strings.Contains(string(f.Bytes), `Env = "git"`) {
		t.Error("Files() lacks the override file")
	}
}
