package funcs

import "testing"

// TestNumberFunctions checks the numeric functions, which Table takes from
// cty's stdlib.
func TestNumberFunctions(t *testing.T) {
	tests := []funcTest{
		{expr: `abs(-3)`, want: num(3)},
		{expr: `ceil(1.2)`, want: num(2)},
		{expr: `floor(-1.2)`, want: num(-2)},
		{expr: `log(8, 2)`, want: num(3)},
		{expr: `pow(2, 10)`, want: num(1024)},
		{expr: `signum(-7)`, want: num(-1)},
		{expr: `max(1, 5, 3)`, want: num(5)},
		{expr: `min(4, 2)`, want: num(2)},
		{expr: `parseint("ff", 16)`, want: num(255)},
		{expr: `parseint("z", 10)`, wantErr: `cannot parse "z" as a base 10 integer`},
		{expr: `parseint("10", 1)`, wantErr: "base must be a whole number between 2 and 62 inclusive"},
	}
	runFuncTests(t, tests)
}
