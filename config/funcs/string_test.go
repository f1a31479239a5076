package funcs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

func TestStringFunctions(t *testing.T) {
	tests := []funcTest{
		{expr: `replace("hello world", "/o(.)/", "0$1")`, want: str("hell0 w0rld")},
		{expr: `replace("a.b.c", ".", "-")`, want: str("a-b-c")},
		{expr: "replace(\"abc\", \"/(/\", \"x\")", wantErr: "error parsing regexp: missing closing ): `(`"},
		{expr: `startswith("hello", "he")`, want: cty.True},
		{expr: `endswith("hello", "he")`, want: cty.False},
		{expr: `strcontains("hello", "ll")`, want: cty.True},
		{expr: `title("hello world")`, want: str("Hello World")},
		{expr: `strrev("abc")`, want: str("cba")},
		{expr: `upper("abc")`, want: str("ABC")},
		{expr: `lower("ABC")`, want: str("abc")},
		{expr: `formatlist("%s-%d", ["a","b"], [1,2])`, want: strList("a-1", "b-2")},
		{expr: `format("%05.1f|%q", 3.14159, "x")`, want: str(`003.1|"x"`)},
		{expr: `format("%d", "x")`, wantErr: `unsupported value for "%d" at 0: a number is required`},
		{expr: `split(",", "a,,b")`, want: strList("a", "", "b")},
		{expr: `join("-", ["a", "b"])`, want: str("a-b")},
		{expr: `substr("hello", 1, -1)`, want: str("ello")},
		{expr: `trim("?!hello?!", "!?")`, want: str("hello")},
		{expr: `trimprefix("helloworld", "hello")`, want: str("world")},
		{expr: `trimspace("  a b \n")`, want: str("a b")},
		{expr: `chomp("a\n\n")`, want: str("a")},
		{expr: `indent(2, "a\nb")`, want: str("a\n  b")},
		{expr: `regex("^a(b)", "abc")`, want: strTuple("b")},
		{expr: `regex("z", "abc")`, wantErr: "pattern did not match any part of the given string"},
		{expr: `regexall("[0-9]", "a1b2")`, want: strList("1", "2")},
	}
	runFuncTests(t, tests)
}

// TestTemplateString checks templatestring against terraform v1.11 console
// in a module whose locals are those of the test's context.
func TestTemplateString(t *testing.T) {
	t.Parallel()
	dir := testDir(t)
	if err := os.WriteFile(filepath.Join(dir, "ts.tpl"), []byte("${templatestring(t, {})}"), 0o644); err != nil {
		t.Fatal(err)
	}
	locals := cty.ObjectVal(map[string]cty.Value{
		"tpl":     str("Hello, ${name}!"),
		"loop":    str("%{ for n in names }${upper(n)} %{ endfor }"),
		"tpls":    cty.ObjectVal(map[string]cty.Value{"a": str("A=${x}")}),
		"num":     num(5),
		"single":  str("${v}"),
		"filetpl": str(`${file("main.tf")}`),
		"tfile":   str(`${templatefile("x.tpl", {})}`),
		"rec":     str("${templatestring(t, {})}"),
		"bad":     str("${"),
		"nul":     str("${null}"),
		"list":    cty.TupleVal([]cty.Value{str("${a}")}),
		"up":      str("${upper(x)}-${core::lower(x)}"),
		"sens":    str("S=${x}").Mark(SensitiveMark),
		"obj":     str("${a.b}"),
		"unknown": cty.UnknownVal(cty.String),
	})
	tests := []funcTest{
		{expr: `templatestring(local.tpl, { name = "Alex" })`, want: str("Hello, Alex!")},
		{expr: `templatestring(local.tpl, tomap({ name = "m" }))`, want: str("Hello, m!")},
		{expr: `templatestring(local.loop, { names = ["a", "b"] })`, want: str("A B ")},
		{expr: `templatestring(local.tpls["a"], { x = 1 })`, want: str("A=1")},
		{expr: `templatestring(local.tpls.a, { x = true })`, want: str("A=true")},
		{expr: `templatestring(local.list[0], { a = "z" })`, want: str("z")},
		{expr: `templatestring(local.single, { v = 5 })`, want: str("5")},
		{expr: `templatestring(local.obj, { a = { b = "c" } })`, want: str("c")},
		{expr: `templatestring(local.up, { x = "Ab" })`, want: str("AB-ab")},
		{expr: `templatestring(local.sens, { x = 1 })`, want: str("S=1").Mark(SensitiveMark)},
		{expr: `templatestring(local.tpl, { name = sensitive("x") })`, want: str("Hello, x!").Mark(SensitiveMark)},
		// Not printed by the console: unknown until the template is known.
		{expr: `templatestring(local.unknown, {})`, want: cty.UnknownVal(cty.String)},
		{expr: `templatestring(local.single, { v = [1] })`, wantErr: "invalid template result: string required"},
		{expr: `templatestring("Hello $${name}", { name = "x" })`, wantErr: "invalid template expression: templatestring is only for rendering templates retrieved dynamically from elsewhere, and so does not support providing a literal template; consider using a template string expression instead"},
		{expr: `templatestring("$${local.tpl}", {})`, wantErr: "and so does not support providing a literal template"},
		{expr: `templatestring("Hello ${local.num}", {})`, wantErr: "invalid template expression: templatestring is only for rendering templates retrieved dynamically from elsewhere; to render an inline template, consider using a plain template string expression"},
		{expr: `templatestring("${local.tpl}", {})`, wantErr: "invalid template expression: templatestring is only for rendering templates retrieved dynamically from elsewhere; to treat the inner expression as template syntax, write the reference expression directly without any template interpolation syntax"},
		{expr: `templatestring("Hello", {})`, wantErr: "and so does not support providing a literal template"},
		{expr: `templatestring(lower(local.tpl), {})`, wantErr: "invalid template expression: must be a direct reference to a single string from elsewhere, containing valid Terraform template syntax"},
		{expr: `templatestring(local.num, {})`, wantErr: "invalid template value: a string is required"},
		{expr: `templatestring(local.list[*], {})`, wantErr: "invalid template value: a string is required"},
		{expr: `templatestring(local.tpl, "x")`, wantErr: "invalid vars value: must be a map"},
		{expr: `templatestring(local.tpl, {})`, wantErr: `vars map does not contain key "name", referenced at <templatestring argument>:1,10-14`},
		{expr: `templatestring(local.tpl, { "not valid" = 1, name = "x" })`, wantErr: `invalid template variable name "not valid": must start with a letter, followed by zero or more letters, digits, and underscores`},
		{expr: `templatestring(local.filetpl, {})`, wantErr: `<templatestring argument>:1,3-8: Error in function call; Call to function "file" failed: cannot use filesystem access functions like file in templatestring templates; consider passing the function result as a template variable instead`},
		{expr: `templatestring(local.tfile, {})`, wantErr: `Call to function "templatefile" failed: cannot recursively call templatefile from inside another template function`},
		{expr: `templatestring(local.rec, { t = "x" })`, wantErr: `<templatestring argument>:1,3-18: Error in function call; Call to function "templatestring" failed: cannot recursively call templatestring from inside another template function`},
		{expr: `templatefile("ts.tpl", { t = "x" })`, wantErr: `ts.tpl:1,3-18: Error in function call; Call to function "templatestring" failed: cannot recursively call templatestring from inside another template function`},
		{expr: `templatestring(local.bad, {})`, wantErr: "invalid template: <templatestring argument>:1,3-3: Missing expression; Expected the start of an expression, but found the end of the file"},
		{expr: `templatestring(local.nul, {})`, wantErr: "<templatestring argument>:1,1-8: Template result is null; The result of the template is null, which is not a valid result for a templatestring call"},
		{expr: `templatestring(local.single, { v = null })`, wantErr: "Template result is null"},
		{expr: `templatestring(local.tpl, { name = null })`, wantErr: "<templatestring argument>:1,10-14: Invalid template interpolation value; The expression result is null. Cannot include a null value in a string template"},
	}
	funcs := Table(dirFiles{dir}, Options{})
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			expr, diags := hclsyntax.ParseExpression([]byte(tt.expr), "test.tf", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			got, diags := expr.Value(&hcl.EvalContext{Functions: funcs, Variables: map[string]cty.Value{"local": locals}})
			if tt.wantErr != "" {
				if !diags.HasErrors() || !strings.Contains(diags.Error(), tt.wantErr) {
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
