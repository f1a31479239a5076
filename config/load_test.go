package config

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

func TestLoadJSON(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf.json": `{
  "//": "comments are ignored",
  "variable": {
    "azs": { "type": "list(string)", "default": ["a", "b"] }
  },
  "locals": { "prefix": "10.0" },
  "provider": { "aws": { "region": "eu-west-1" } },
  "resource": {
    "aws_subnet": {
      "s": {
        "count": "${length(var.azs)}",
        "vpc_id": "vpc-1",
        "availability_zone": "${var.azs[count.index]}",
        "cidr_block": "${local.prefix}.${count.index}.0/24",
        "lifecycle": { "ignore_changes": ["tags"] }
      }
    }
  }
}`})
	rs, diags := evaluate(t, dir, VarOptions{}, nil, &fakeResolver{ResolveFn: withID})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if len(rs) != 2 {
		t.Fatalf("got %d resources, want 2", len(rs))
	}
	r := rs[1]
	if r.Address != "aws_subnet.s[1]" || !r.Config.GetAttr("availability_zone").RawEquals(cty.StringVal("b")) ||
		!r.Config.GetAttr("cidr_block").RawEquals(cty.StringVal("10.0.1.0/24")) {
		t.Errorf("got %s = %#v", r.Address, r.Config)
	}
	if len(r.IgnoreChanges) != 1 || r.IgnoreChanges[0] != "tags" {
		t.Errorf("IgnoreChanges = %v", r.IgnoreChanges)
	}
	if rng := r.Ranges["cidr_block"]; rng.Start.Line != 14 {
		t.Errorf("range of cidr_block = %s, want line 14", rng)
	}
}

// TestDiagnosticSnippets checks that Files() lets the CLI print the source
// line of a diagnostic.
func TestDiagnosticSnippets(t *testing.T) {
	m, diags := Load("testdata/invalid-files/unsupported-argument")
	ev, d := NewEvaluator(m, testSchemas(), VarOptions{})
	diags = append(diags, d...)
	_, d = ev.Resources(context.Background(), nil, nil)
	diags = append(diags, d...)
	if !diags.HasErrors() {
		t.Fatal("want errors")
	}
	var buf bytes.Buffer
	w := hcl.NewDiagnosticTextWriter(&buf, m.Files(), 100, false)
	if err := w.WriteDiagnostics(diags); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"on testdata/invalid-files/unsupported-argument/main.tf line 3", `cidr_blocks = ["10.0.0.0/16"]`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestLoadMissingDir(t *testing.T) {
	m, diags := Load("testdata/does-not-exist")
	if m == nil || !diags.HasErrors() || !strings.Contains(diags[0].Detail, "does-not-exist") {
		t.Errorf("Load of a missing directory = %v, %v", m, diags)
	}
}
