package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitdrift/driftctl/drift"
)

// TestDecodeJSONRoundTrip: what JSON writes, DecodeJSON reads back.
func TestDecodeJSONRoundTrip(t *testing.T) {
	t.Parallel()
	in := &drift.Report{Stack: "prod", Commit: &drift.Commit{SHA: "abc"}, Results: []drift.Result{
		{Address: "aws_s3_bucket.b", Type: "aws_s3_bucket", ID: "b", Provider: "aws", Region: "eu-west-1", Status: drift.Drifted},
		{Type: "aws_s3_bucket", ID: "stray", Provider: "aws", Account: "123456789012", Region: "eu-west-1", Status: drift.Unmanaged},
		{Address: "aws_s3_bucket.s", Type: "aws_s3_bucket", ID: drift.SensitiveID, IDSensitive: true, Status: drift.Ignored, Reason: ".driftignore:1: aws_s3_bucket.s"},
	}}
	var b bytes.Buffer
	if err := JSON(&b, in); err != nil {
		t.Fatal(err)
	}
	out, err := DecodeJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, out, cmpopts.IgnoreUnexported(drift.Result{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestDecodeJSONErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"not JSON":         "console output",
		"no version":       `{"resources": []}`,
		"another version":  `{"schema_version": 2, "resources": []}`,
		"unknown status":   `{"schema_version": 1, "resources": [{"type": "aws_vpc", "id": "v", "status": "deleted"}]}`,
		"resource no type": `{"schema_version": 1, "resources": [{"id": "v", "status": "drifted"}]}`,
	}
	for name, doc := range tests {
		if _, err := DecodeJSON(strings.NewReader(doc)); err == nil || !strings.Contains(err.Error(), "decoding the JSON report") {
			t.Errorf("%s: error %v", name, err)
		}
	}
}
