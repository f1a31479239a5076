package config

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// TestFunctions checks the table config evaluates with: config/funcs'
// (whose family tests check the functions against Terraform) reading the
// module's files, with config's sensitive mark and its redaction of
// errors. Confinement, nesting and limits have their own tests
// (files_test.go, nesting_test.go, limits_test.go, redact_test.go).
func TestFunctions(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"hello.txt": "hello\n",
		"greet.tpl": "Hi %{ for n in names }${upper(n)} %{ endfor }from ${region}",
	})
	str := cty.StringVal
	tests := []struct {
		expr    string
		want    cty.Value
		wantErr string
	}{
		{expr: `file("hello.txt")`, want: str("hello\n")},
		{expr: `filemd5("hello.txt")`, want: str("b1946ac92492d2347c6235b4d2611184")},
		{expr: `tostring(fileexists("hello.txt"))`, want: str("true")},
		{expr: `templatefile("greet.tpl", { names = ["a", "b"], region = "eu" })`, want: str("Hi A B from eu")},
		{expr: `upper(sensitive("x"))`, want: str("X").Mark(sensitiveMark)},
		{expr: `issensitive(sensitive(1))`, want: cty.True},
		{expr: `tonumber(sensitive("hunter2"))`, wantErr: `cannot convert "(sensitive value)" to number`},
		{expr: `core::upper("a")`, want: str("A")},
		{expr: `yamlencode({})`, want: str("{}\n")},
		{expr: `fileset(".", "*.t*")`, want: cty.SetVal([]cty.Value{str("greet.tpl"), str("hello.txt")})},
		{expr: `fileset("..", "*")`, wantErr: "it is outside the stack's repository"},
	}
	funcs := Functions(dir)
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			expr, diags := hclsyntax.ParseExpression([]byte(tt.expr), "test.tf", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			got, diags := expr.Value(&hcl.EvalContext{Functions: funcs})
			if tt.wantErr != "" {
				if !diags.HasErrors() || !strings.Contains(diags.Error(), tt.wantErr) || strings.Contains(diags.Error(), "hunter2") {
					t.Errorf("got %#v, %v; want error containing %q", got, diags, tt.wantErr)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if !got.RawEquals(tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}
