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
		{expr: `csvdecode("a,b\n1,2\n")`, want: cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"a": str("1"), "b": str("2")})})},
	}
	runFuncTests(t, tests)
}
