package config

import (
	"context"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// functionSchemas is testSchemas with an "aws" provider function.
type functionSchemas struct{ fakeSchemas }

func (functionSchemas) ProviderFunctions(typ string) map[string]function.Function {
	if typ != "aws" {
		return nil
	}
	return map[string]function.Function{"shout": function.New(&function.Spec{
		Params: []function.Parameter{{Name: "s", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.StringVal(strings.ToUpper(args[0].AsString())), nil
		},
	})}
}

// TestProviderFunctions: a provider's functions are called as
// provider::LOCAL_NAME::NAME under each local name the module gives it;
// another provider's are an error naming the call.
func TestProviderFunctions(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": `
terraform {
  required_providers {
    cloud = { source = "hashicorp/aws" }
  }
}
resource "aws_vpc" "a" {
  cidr_block = "10.0.0.0/16"
  tags = {
    A = provider::aws::shout("a")
    B = provider::cloud::shout("b")
  }
}
`})
	m, diags := Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	ev, diags := NewEvaluator(m, functionSchemas{testSchemas()}, VarOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	res, diags := ev.Resources(context.Background(), nil, nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	tags := res[0].Config.GetAttr("tags")
	if !tags.RawEquals(cty.MapVal(map[string]cty.Value{"A": cty.StringVal("A"), "B": cty.StringVal("B")})) {
		t.Errorf("tags = %#v", tags)
	}

	writeFiles(t, dir, map[string]string{"main.tf": `
resource "aws_vpc" "a" {
  cidr_block = provider::google::region_from_zone("x")
}
`})
	m, _ = Load(dir)
	ev, _ = NewEvaluator(m, functionSchemas{testSchemas()}, VarOptions{})
	if _, diags := ev.Resources(context.Background(), nil, nil); !diags.HasErrors() || !strings.Contains(diags.Error(), "provider::google::") {
		t.Errorf("another provider's function: %v", diags)
	}
}
