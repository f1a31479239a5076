package genconfig

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/providers"
)

// thingSchema has an attribute of each kind Body treats differently.
func thingSchema() *providers.Schema {
	rule := map[string]*providers.Attribute{
		"from_port":   {Type: cty.Number, Required: true},
		"cidr_blocks": {Type: cty.List(cty.String), Optional: true},
		"self":        {Type: cty.Bool, Optional: true, Default: cty.False},
	}
	return &providers.Schema{
		Type: "test_thing",
		Tags: true,
		Attributes: map[string]*providers.Attribute{
			"id":            {Type: cty.String, Computed: true},
			"arn":           {Type: cty.String, Computed: true},
			"name":          {Type: cty.String, Required: true},
			"description":   {Type: cty.String, Optional: true, Default: cty.StringVal("Managed by Terraform")},
			"path":          {Type: cty.String, Optional: true, Default: cty.StringVal("/")},
			"note":          {Type: cty.String, Optional: true},
			"size":          {Type: cty.Number, Optional: true, Computed: true},
			"dns":           {Type: cty.Bool, Optional: true, Computed: true},
			"zone":          {Type: cty.String, Optional: true, Computed: true},
			"mode":          {Type: cty.String, Optional: true, Computed: true, CloudDefault: cty.StringVal("standard")},
			"zone_id":       {Type: cty.String, Optional: true, Computed: true, NotGenerated: true},
			"force_destroy": {Type: cty.Bool, Optional: true, TerraformOnly: true, Default: cty.False},
			"password":      {Type: cty.String, Optional: true, Sensitive: true},
			"tags":          {Type: cty.Map(cty.String), Optional: true},
			"policy":        {Type: cty.String, Optional: true, Comparer: providers.ComparerFunc(sameJSON)},
			"ingress":       {Optional: true, Computed: true, Nested: &providers.NestedBlock{Nesting: providers.NestingSet, Attributes: rule}},
			"options": {Optional: true, Computed: true, Nested: &providers.NestedBlock{Nesting: providers.NestingList, MaxItems: 1, Attributes: map[string]*providers.Attribute{
				"enabled": {Type: cty.Bool, Optional: true, Computed: true},
			}}},
			// A map of labelled blocks, a single block and a nested
			// attribute (protocol 6), as provider plugins' schemas have.
			"listener": {Optional: true, Nested: &providers.NestedBlock{Nesting: providers.NestingMap, Attributes: map[string]*providers.Attribute{
				"port": {Type: cty.Number, Required: true},
			}}},
			"logging": {Optional: true, Nested: &providers.NestedBlock{Nesting: providers.NestingSingle, Attributes: map[string]*providers.Attribute{
				"bucket": {Type: cty.String, Optional: true},
			}}},
			"rule": {Optional: true, Nested: &providers.NestedBlock{Nesting: providers.NestingList, AttributeOnly: true, Attributes: map[string]*providers.Attribute{
				"action": {Type: cty.String, Required: true},
			}}},
		},
	}
}

// sameJSON is a Comparer of JSON documents: equal once decoded.
func sameJSON(want, got cty.Value) (bool, error) {
	var w, g any
	if err := json.Unmarshal([]byte(want.AsString()), &w); err != nil {
		return false, err
	}
	if err := json.Unmarshal([]byte(got.AsString()), &g); err != nil {
		return false, err
	}
	return reflect.DeepEqual(w, g), nil
}

// thing is a live value of thingSchema: attributes not given are null.
func thing(t *testing.T, attrs map[string]cty.Value) cty.Value {
	t.Helper()
	s := thingSchema()
	m := map[string]cty.Value{}
	for name, a := range s.Attributes {
		m[name] = cty.NullVal(a.ImpliedType())
		if v, ok := attrs[name]; ok {
			m[name] = v
		}
	}
	v := cty.ObjectVal(m)
	if !v.Type().Equals(s.ImpliedType()) {
		t.Fatalf("test value does not conform to the schema: %#v", v.Type())
	}
	return v
}

func rules(rs ...cty.Value) cty.Value { return cty.SetVal(rs) }

func rule(port int64, cidrs ...string) cty.Value {
	list := cty.ListValEmpty(cty.String)
	if len(cidrs) > 0 {
		var vs []cty.Value
		for _, c := range cidrs {
			vs = append(vs, cty.StringVal(c))
		}
		list = cty.ListVal(vs)
	}
	return cty.ObjectVal(map[string]cty.Value{"from_port": cty.NumberIntVal(port), "cidr_blocks": list, "self": cty.False})
}

func TestGenerate(t *testing.T) {
	t.Parallel()
	options := func(enabled bool) cty.Value {
		return cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"enabled": cty.BoolVal(enabled)})})
	}
	tests := []struct {
		name      string
		resources []Resource
		taken     map[string]bool
		want      string
		notes     []string
	}{
		{
			name: "configurable attributes only, defaults and empty values left out",
			resources: []Resource{{Type: "test_thing", ID: "t-1", Provider: "test", Live: thing(t, map[string]cty.Value{
				"id": cty.StringVal("t-1"), "arn": cty.StringVal("arn:t-1"), "name": cty.StringVal("one"),
				"description": cty.StringVal("Managed by Terraform"), "path": cty.StringVal("/"), "note": cty.StringVal(""),
				"size": cty.Zero, "dns": cty.False, "zone": cty.StringVal("z1"), "zone_id": cty.StringVal("z1-id"), "mode": cty.StringVal("standard"),
				"force_destroy": cty.False, "tags": cty.MapValEmpty(cty.String), "ingress": cty.SetValEmpty(rule(0).Type()),
				"options": options(false),
			})}},
			want: `
import {
  to = test_thing.t-1
  id = "t-1"
}

resource "test_thing" "t-1" {
  name = "one"
  zone = "z1"
}
`,
		},
		{
			name: "values that differ from defaults, optional+computed values, blocks, tags but the default ones",
			resources: []Resource{{Type: "test_thing", ID: "t-2", Provider: "test", DefaultTags: map[string]string{"Team": "core", "Env": "prod"}, Live: thing(t, map[string]cty.Value{
				"name": cty.StringVal("two"), "description": cty.StringVal(""), "path": cty.StringVal("/svc/"), "note": cty.StringVal("hi ${x}"),
				"size": cty.NumberIntVal(3), "dns": cty.True, "mode": cty.StringVal("fast"),
				"tags":    cty.MapVal(map[string]cty.Value{"Name": cty.StringVal("web server"), "Team": cty.StringVal("core"), "Env": cty.StringVal("dev")}),
				"ingress": rules(rule(0, "10.0.0.0/8"), rule(443)),
				"options": options(true),
			})}},
			want: `
import {
  to = test_thing.web_server
  id = "t-2"
}

resource "test_thing" "web_server" {
  description = ""
  dns         = true
  mode        = "fast"
  name        = "two"
  note        = "hi $${x}"
  path        = "/svc/"
  size        = 3
  tags = {
    Env  = "dev"
    Name = "web server"
  }
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
    from_port   = 0
  }
  ingress {
    from_port = 443
  }
  options {
    enabled = true
  }
}
`,
		},
		{
			name: "a policy as jsonencode, a sensitive attribute as a comment",
			resources: []Resource{{Type: "test_thing", ID: "t-3", Provider: "test", Live: thing(t, map[string]cty.Value{
				"name": cty.StringVal("three"), "password": cty.StringVal("hunter2"),
				"policy": cty.StringVal(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`),
			})}},
			want: `
import {
  to = test_thing.t-3
  id = "t-3"
}

resource "test_thing" "t-3" {
  name = "three"
  # password: sensitive, not written: set it yourself
  policy = jsonencode({
    Statement = [{
      Action   = "s3:GetObject"
      Effect   = "Allow"
      Resource = "*"
    }]
    Version = "2012-10-17"
  })
}
`,
			notes: []string{"test_thing.t-3: password is sensitive: its value is not written; set it yourself"},
		},
		{
			name: "values holding a secret of the configuration: left out, and not in the name",
			resources: []Resource{{Type: "test_thing", ID: "t-5", Provider: "test", Secret: func(s string) bool { return strings.Contains(s, "hunter2") },
				Live: thing(t, map[string]cty.Value{
					"name": cty.StringVal("five"), "note": cty.StringVal("pw=hunter2"),
					"tags": cty.MapVal(map[string]cty.Value{"Name": cty.StringVal("hunter2")}),
				})}},
			want: `
import {
  to = test_thing.t-5
  id = "t-5"
}

resource "test_thing" "t-5" {
  name = "five"
  # note: sensitive, not written: set it yourself
  # tags: sensitive, not written: set it yourself
}
`,
			notes: []string{
				"test_thing.t-5: note is sensitive: its value is not written; set it yourself",
				"test_thing.t-5: tags is sensitive: its value is not written; set it yourself",
			},
		},
		{
			name: "labelled blocks, a single block, a nested attribute",
			resources: []Resource{{Type: "test_thing", ID: "t-4", Provider: "test", Live: thing(t, map[string]cty.Value{
				"name":     cty.StringVal("four"),
				"listener": cty.MapVal(map[string]cty.Value{"http": cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(80)})}),
				"logging":  cty.ObjectVal(map[string]cty.Value{"bucket": cty.StringVal("logs")}),
				"rule":     cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"action": cty.StringVal("allow")})}),
			})}},
			want: `
import {
  to = test_thing.t-4
  id = "t-4"
}

resource "test_thing" "t-4" {
  name = "four"
  rule = [{
    action = "allow"
  }]
  listener "http" {
    port = 80
  }
  logging {
    bucket = "logs"
  }
}
`,
		},
		{
			name:  "names: sanitized, unique, none of the declared ones; an aliased provider",
			taken: map[string]bool{"test_thing.app": true},
			resources: []Resource{
				{Type: "test_thing", ID: "t-b", Provider: "test.west", Live: thing(t, map[string]cty.Value{"name": cty.StringVal("b"), "tags": cty.MapVal(map[string]cty.Value{"Name": cty.StringVal("app")})})},
				{Type: "test_thing", ID: "t-a", Provider: "test", Live: thing(t, map[string]cty.Value{"name": cty.StringVal("a"), "tags": cty.MapVal(map[string]cty.Value{"Name": cty.StringVal("app")})})},
				{Type: "test_thing", ID: "10.0.0.0/16", Provider: "test", Live: thing(t, map[string]cty.Value{"name": cty.StringVal("c")})},
				{Type: "test_thing", ID: "role/arn:aws:test::123456789012:thing/path/web", Provider: "test", Live: thing(t, map[string]cty.Value{"name": cty.StringVal("d")})},
			},
			want: `
import {
  to = test_thing._10_0_0_0_16
  id = "10.0.0.0/16"
}

resource "test_thing" "_10_0_0_0_16" {
  name = "c"
}

import {
  to = test_thing.app_2
  id = "t-a"
}

resource "test_thing" "app_2" {
  name = "a"
  tags = {
    Name = "app"
  }
}

import {
  to       = test_thing.app_3
  id       = "t-b"
  provider = test.west
}

resource "test_thing" "app_3" {
  provider = test.west
  name     = "b"
  tags = {
    Name = "app"
  }
}

import {
  to = test_thing.role_web
  id = "role/arn:aws:test::123456789012:thing/path/web"
}

resource "test_thing" "role_web" {
  name = "d"
}
`,
		},
	}
	schemaOf := func(typ string) (*providers.Schema, bool) { return thingSchema(), typ == "test_thing" }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Generate(tt.resources, schemaOf, tt.taken)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(Header+tt.want, string(got.HCL)); diff != "" {
				t.Errorf("generated (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.notes, got.Notes); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
			if strings.Contains(string(got.HCL), "hunter2") || strings.Contains(strings.Join(got.Notes, "\n"), "hunter2") {
				t.Error("a sensitive value was written")
			}
			if _, diags := hclsyntax.ParseConfig(got.HCL, "generated.tf", hcl.InitialPos); diags.HasErrors() {
				t.Errorf("the generated file does not parse: %v", diags)
			}
			// The same resources in another order: the same file.
			rev := make([]Resource, len(tt.resources))
			for i, r := range tt.resources {
				rev[len(rev)-1-i] = r
			}
			again, err := Generate(rev, schemaOf, tt.taken)
			if err != nil {
				t.Fatal(err)
			}
			if string(again.HCL) != string(got.HCL) {
				t.Error("the names or order depend on the order of the resources")
			}
		})
	}
}

func TestGenerateErrors(t *testing.T) {
	t.Parallel()
	schemaOf := func(typ string) (*providers.Schema, bool) { return thingSchema(), typ == "test_thing" }
	tests := []struct {
		name     string
		resource Resource
		want     string
	}{
		{"unknown type", Resource{Type: "test_other", ID: "o-1"}, "generating test_other o-1: no schema for the type"},
		{"no live value", Resource{Type: "test_thing", ID: "t-1"}, "generating test_thing.t-1 (t-1): its live attributes were not kept by the scan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Generate([]Resource{tt.resource}, schemaOf, nil)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestIdentifier(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"web", "web"},
		{"web server (prod)", "web_server_prod"},
		{"vpc-0abc", "vpc-0abc"},
		{"10.0.0.0/16", "_10_0_0_0_16"},
		{"-x-", "_-x"},
		{"  ", "this"},
		{"données", "donn_es"},
		{"prod-api-task/arn:aws:iam::aws:policy/ReadOnlyAccess", "prod-api-task_arn_aws_iam_aws_policy_ReadOnlyAccess"},
	}
	for _, tt := range tests {
		got := Identifier(tt.in)
		if got != tt.want {
			t.Errorf("Identifier(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !hclsyntax.ValidIdentifier(got) {
			t.Errorf("Identifier(%q) = %q is not a valid identifier", tt.in, got)
		}
	}
}

func TestUnmanagedTargets(t *testing.T) {
	t.Parallel()
	live := thing(t, map[string]cty.Value{"name": cty.StringVal("a")})
	unmanaged := func(id string) drift.Result {
		r := drift.Result{Type: "test_thing", ID: id, Provider: "test", Status: drift.Unmanaged}
		r.SetValues(cty.NilVal, live)
		return r
	}
	rep := &drift.Report{Results: []drift.Result{
		{Address: "test_thing.app", Type: "test_thing", ID: "t-0", Status: drift.InSync},
		{Address: "test_thing.web[0]", Type: "test_thing", ID: "t-9", Status: drift.InSync},
		unmanaged("t-1"), unmanaged("t-2"),
	}}
	tests := []struct {
		name    string
		targets []string
		want    []string
		err     string
	}{
		{name: "all", want: []string{"t-1", "t-2"}},
		{name: "one", targets: []string{"test_thing/t-2"}, want: []string{"t-2"}},
		{name: "a managed one", targets: []string{"test_thing/t-0"}, err: "--target test_thing/t-0: not an unmanaged resource of the scan (the report lists them)"},
		{name: "no such resource", targets: []string{"test_thing/t-1", "test_thing/nope"}, err: "--target test_thing/nope: not an unmanaged resource of the scan (the report lists them)"},
		{name: "malformed", targets: []string{"t-1"}, err: `--target "t-1": expected TYPE/ID, such as aws_vpc/vpc-0abc`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var targets []Target
			for _, s := range tt.targets {
				tg, err := ParseTarget(s)
				if err != nil {
					if err.Error() != tt.err {
						t.Fatalf("error = %v, want %q", err, tt.err)
					}
					return
				}
				targets = append(targets, tg)
			}
			got, _, err := Unmanaged(rep, nil, targets)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range got {
				ids = append(ids, r.ID)
				if !r.Live.RawEquals(live) {
					t.Errorf("%s: live value not kept", r.ID)
				}
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Errorf("resources (-want +got):\n%s", diff)
			}
		})
	}
	if diff := cmp.Diff(map[string]bool{"test_thing.app": true, "test_thing.web": true}, Declared(rep)); diff != "" {
		t.Errorf("Declared (-want +got):\n%s", diff)
	}
}

// TestUnmanagedSecrets: the configuration's sensitive values that a scan
// records for a type reach Generate, which leaves out what holds one; a
// resource whose ID holds one is not generated at all.
func TestUnmanagedSecrets(t *testing.T) {
	t.Parallel()
	rs := drift.NewResults(2)
	for _, id := range []string{"t-1", "t-hunter2"} {
		r := drift.Result{Type: "test_thing", ID: id, Provider: "test", Status: drift.Unmanaged}
		r.SetValues(cty.NilVal, thing(t, map[string]cty.Value{"name": cty.StringVal("a"), "note": cty.StringVal("hunter2")}))
		rs.Add(r, []string{"hunter2"})
	}
	resources, notes, err := Unmanaged(&drift.Report{Results: rs.Sorted()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(resources) != 1 || resources[0].ID != "t-1" {
		t.Fatalf("resources = %+v, want t-1 alone", resources)
	}
	if diff := cmp.Diff([]string{"test_thing (sensitive): its ID holds a sensitive value: not generated"}, notes); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	gen, err := Generate(resources, func(string) (*providers.Schema, bool) { return thingSchema(), true }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(gen.HCL), "hunter2") || !strings.Contains(string(gen.HCL), "# note: sensitive, not written") {
		t.Errorf("the note's secret is not left out:\n%s", gen.HCL)
	}
}
