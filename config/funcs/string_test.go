package funcs

import (
	"testing"

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
