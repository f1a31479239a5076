package funcs

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestSensitiveFunctions(t *testing.T) {
	tests := []funcTest{
		{expr: `nonsensitive(sensitive("a"))`, want: str("a")},
		// Terraform printed (sensitive value).
		{expr: `upper(sensitive("x"))`, want: str("X").Mark(SensitiveMark)},
		{expr: `issensitive(sensitive(1))`, want: cty.True},
		{expr: `issensitive("a")`, want: cty.False},
		{expr: `can(sensitive(1))`, want: cty.True},
		// Not Terraform's: driftctl reads no ephemeral values.
		{expr: `ephemeralasnull("a")`, want: str("a")},
	}
	runFuncTests(t, tests)
}
