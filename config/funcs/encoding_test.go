package funcs

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestEncodingFunctions(t *testing.T) {
	tests := []funcTest{
		{expr: `jsonencode({a="<b>", n=1, l=[true,null]})`, want: str(`{"a":"\u003cb\u003e","l":[true,null],"n":1}`)},
		{expr: `jsondecode("{\"a\":[1,true,null]}")`, want: cty.ObjectVal(map[string]cty.Value{
			"a": cty.TupleVal([]cty.Value{num(1), cty.True, cty.NullVal(cty.DynamicPseudoType)}),
		})},
		{expr: `jsondecode("{")`, wantErr: "EOF"},
		{expr: `base64encode("hi")`, want: str("aGk=")},
		{expr: `base64decode("aGk=")`, want: str("hi")},
		// Terraform says `failed to decode base64 data "!!"`; driftctl
		// gives the decoder's reason instead of the input.
		{expr: `base64decode("!!")`, wantErr: "failed to decode base64 data"},
		{expr: `base64decode("/w==")`, wantErr: "the result of decoding the provided string is not valid UTF-8"},
		{expr: `base64gzip("hello world hello world hello world")`, want: str("H4sIAAAAAAAA/8pIzcnJVyjPL8pJUcDBBgAAAP//AQAA//+7/kIPIwAAAA==")},
		{expr: `urlencode("a b&c=d/é~")`, want: str("a+b%26c%3Dd%2F%C3%A9~")},
		{expr: `yamlencode({a = 1, b = "x", l = [true, null], m = {z = "multi\nline"}})`, want: str("\"a\": 1\n\"b\": \"x\"\n\"l\":\n- true\n- null\n\"m\":\n  \"z\": |-\n    multi\n    line\n")},
		{expr: `yamlencode(["a", 2])`, want: str("- \"a\"\n- 2\n")},
		{expr: `yamlencode(1.5)`, want: str("1.5\n...\n")},
		{expr: `yamlencode({})`, want: str("{}\n")},
		{expr: `yamldecode("a: 1\nb: [x, true, ~]\nc: {d: 2.5}")`, want: cty.ObjectVal(map[string]cty.Value{
			"a": num(1),
			"b": cty.TupleVal([]cty.Value{str("x"), cty.True, cty.NullVal(cty.DynamicPseudoType)}),
			"c": cty.ObjectVal(map[string]cty.Value{"d": cty.NumberFloatVal(2.5)}),
		})},
		{expr: `yamldecode("hello")`, want: str("hello")},
		{expr: `yamldecode("a: 1\n---\nb: 2")`, wantErr: "on line 1, column 1: unexpected extra content after value"},
		{expr: `yamldecode("a: [")`, wantErr: "on line 1, column 1: did not find expected node content"},
		{expr: `yamldecode("")`, wantErr: "on line 1, column 1: missing start of document"},
		{expr: `textencodebase64("Hello World", "UTF-16LE")`, want: str("SABlAGwAbABvACAAVwBvAHIAbABkAA==")},
		{expr: `textencodebase64("héllo", "latin1")`, want: str("aOlsbG8=")},
		{expr: `textencodebase64("日本", "Shift_JIS")`, want: str("k/qWew==")},
		{expr: `textencodebase64("x", "no-such")`, wantErr: `"no-such" is not a supported IANA encoding name or alias in this Terraform version`},
		{expr: `textencodebase64("日本", "ISO-8859-1")`, wantErr: "the given string contains characters that cannot be represented in ISO_8859-1:1987"},
		{expr: `textdecodebase64("SABlAGwAbABvACAAVwBvAHIAbABkAA==", "UTF-16LE")`, want: str("Hello World")},
		{expr: `textdecodebase64("aOlsbG8=", "ISO-8859-1")`, want: str("héllo")},
		{expr: `textdecodebase64("k/qWew==", "shift_jis")`, want: str("日本")},
		{expr: `textdecodebase64("gA==", "shift_jis")`, want: str("\u0080")},
		{expr: `textdecodebase64("aGk", "UTF-8")`, wantErr: "the given value is has an invalid base64 symbol at offset 0"},
		{expr: `textdecodebase64("/w==", "UTF-8")`, wantErr: "the given string contains symbols that are not defined for UTF-8"},
		{expr: `textdecodebase64("x", "bogus")`, wantErr: `"bogus" is not a supported IANA encoding name or alias in this Terraform version`},
		{expr: `csvdecode("a,b\n1,2\n")`, want: cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"a": str("1"), "b": str("2")})})},
	}
	runFuncTests(t, tests)
}
