package funcs

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// TestConversionFunctions checks the type conversions and try and can,
// which Table takes from cty's stdlib and hcl's tryfunc.
func TestConversionFunctions(t *testing.T) {
	tests := []funcTest{
		{expr: `tostring(5)`, want: str("5")},
		{expr: `tostring([1])`, wantErr: "cannot convert tuple to string"},
		{expr: `tonumber("12")`, want: num(12)},
		{expr: `tonumber(null)`, want: cty.NullVal(cty.Number)},
		{expr: `tonumber("x")`, wantErr: `cannot convert "x" to number; given string must be a decimal representation of a number`},
		{expr: `tobool("true")`, want: cty.True},
		{expr: `tobool(1)`, wantErr: "cannot convert number to bool"},
		{expr: `tolist(["a", "b"])`, want: strList("a", "b")},
		{expr: `toset(["b", "a", "b"])`, want: cty.SetVal(strVals([]string{"a", "b"}))},
		{expr: `tomap({a = 1, b = "x"})`, want: cty.MapVal(map[string]cty.Value{"a": str("1"), "b": str("x")})},
		// Terraform's console refuses local.nope before evaluating; the
		// try that driftctl sees is that of an expression that fails.
		{expr: `try(local.nope, "fallback")`, want: str("fallback")},
		{expr: `try(tonumber("x"), "fallback")`, want: str("fallback")},
		{expr: `try(["a"][1], "fallback")`, want: str("fallback")},
		{expr: `can(regex("^a", "abc"))`, want: cty.True},
		{expr: `can(regex("^z", "abc"))`, want: cty.False},
	}
	runFuncTests(t, tests)
}
