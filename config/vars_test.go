package config

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

func TestVariablePrecedence(t *testing.T) {
	const dir = "testdata/valid-files/vars"
	varFile := VarArg{File: true, Value: dir + "/extra.tfvars.txt"}
	env := []string{"TF_VAR_a=env", "TF_VAR_b=env", "TF_VAR_n=5", "PATH=/bin", "TF_VAR_zzz=ignored"}
	base := map[string]cty.Value{
		"a":   cty.StringVal("env"),
		"b":   cty.StringVal("tfvars"),
		"c":   cty.StringVal("tfvars.json"),
		"d":   cty.StringVal("auto-a"),
		"e":   cty.StringVal("auto-b"),
		"f":   cty.StringVal("file"),
		"g":   cty.StringVal("file"),
		"h":   cty.StringVal("default"),
		"n":   cty.NumberIntVal(5),
		"l":   cty.ListValEmpty(cty.String),
		"o":   cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("d"), "size": cty.NumberIntVal(10)}),
		"nul": cty.StringVal("fallback"),
	}
	with := func(over map[string]cty.Value) map[string]cty.Value {
		out := map[string]cty.Value{}
		for k, v := range base {
			out[k] = v
		}
		for k, v := range over {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name string
		args []VarArg
		want map[string]cty.Value
	}{
		{
			name: "var-file then var: the -var wins",
			args: []VarArg{varFile, {Value: "g=cli"}},
			want: with(map[string]cty.Value{"g": cty.StringVal("cli")}),
		},
		{
			name: "var then var-file: the file wins",
			args: []VarArg{{Value: "g=cli"}, varFile},
			want: base,
		},
		{
			name: "-var beats every file and the environment",
			args: []VarArg{varFile, {Value: "a=cli"}, {Value: "c=cli=with=equals"}},
			want: with(map[string]cty.Value{"a": cty.StringVal("cli"), "c": cty.StringVal("cli=with=equals")}),
		},
		{
			name: "complex types parse as HCL, optional attributes get defaults",
			args: []VarArg{varFile, {Value: `l=["x", "y"]`}, {Value: `o={ name = "n" }`}, {Value: "n=7"}},
			want: with(map[string]cty.Value{
				"l": cty.ListVal([]cty.Value{cty.StringVal("x"), cty.StringVal("y")}),
				"o": cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("n"), "size": cty.NumberIntVal(10)}),
				"n": cty.NumberIntVal(7),
			}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, diags := Load(dir)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			ev, diags := NewEvaluator(m, testSchemas(), VarOptions{Args: tt.args, Environ: env})
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			// The undeclared variable in b.auto.tfvars.json is a warning.
			if len(diags) != 1 || diags[0].Severity != hcl.DiagWarning || !strings.Contains(diags[0].Detail, `"undeclared"`) {
				t.Errorf("diagnostics = %v, want one warning about \"undeclared\"", diags)
			}
			for name, want := range tt.want {
				if got := ev.vars[name]; !got.RawEquals(want) {
					t.Errorf("var.%s = %#v, want %#v", name, got, want)
				}
			}
		})
	}
}

func TestVariableErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []VarArg
		env     []string
		summary string
	}{
		{"undeclared -var", []VarArg{{Value: "nope=1"}}, nil, "Value for undeclared variable"},
		{"-var without equals", []VarArg{{Value: "x"}}, nil, "Invalid -var option"},
		{"wrong type", []VarArg{{Value: "n=abc"}}, nil, "Invalid value for input variable"},
		{"wrong type from env", nil, []string{"TF_VAR_n=abc"}, "Invalid value for input variable"},
		{"bad HCL", []VarArg{{Value: "l=[1,"}}, nil, "Missing expression"},
		{"missing var file", []VarArg{{File: true, Value: "testdata/nope.tfvars"}}, nil, "Failed to read file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"v.tf": `
variable "x" { default = "" }
variable "n" {
  type    = number
  default = 1
}
variable "l" {
  type    = list(number)
  default = []
}
`})
			m, diags := Load(dir)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			_, diags = NewEvaluator(m, testSchemas(), VarOptions{Args: tt.args, Environ: tt.env})
			if !diags.HasErrors() || diags[0].Summary != tt.summary {
				t.Errorf("diagnostics = %v, want an error %q", diags, tt.summary)
			}
		})
	}
}
