package funcs

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestDatetimeFunctions(t *testing.T) {
	tests := []funcTest{
		{expr: `timecmp("2024-01-01T00:00:00Z", "2024-01-01T01:00:00+01:00")`, want: cty.Zero},
		{expr: `timecmp("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z")`, want: num(-1)},
		{expr: `timecmp("2024-01-02T00:00:00Z", "2024-01-01T00:00:00Z")`, want: num(1)},
		// Terraform's reason is "missing required time introducer 'T'",
		// from its own RFC 3339 parser; driftctl's is Go's.
		{expr: `timecmp("2024-01-01", "2024-01-01T00:00:00Z")`, wantErr: "not a valid RFC3339 timestamp: "},
		{expr: `formatdate("YYYY-MM-DD hh:mm", "2024-03-05T07:08:09Z")`, want: str("2024-03-05 07:08")},
		{expr: `formatdate("YYYY", "nope")`, wantErr: `not a valid RFC3339 timestamp: cannot use "nope" as year`},
		{expr: `timeadd("2024-01-01T00:00:00Z", "90m")`, want: str("2024-01-01T01:30:00Z")},
		{expr: `timeadd("2024-01-01T00:00:00Z", "1x")`, wantErr: `time: unknown unit "x" in duration "1x"`},
	}
	runFuncTests(t, tests)
}
