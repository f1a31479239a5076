package remediate

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

const savedPlan = `{
  "format_version": 1,
  "stack": "prod",
  "commit": "abc123",
  "created_at": "2026-12-01T10:00:00Z",
  "options": {"allow_delete": false, "targets": null},
  "changes": [
    {"address": "aws_vpc.main", "type": "aws_vpc", "id": "vpc-1", "provider": "aws", "region": "us-east-1", "action": "~",
     "attributes": [{"path": "tags.Owner", "from": "alice", "to": null, "sensitive": false, "force_new": false}],
     "live_fingerprint": "aa", "desired_fingerprint": "bb"},
    {"address": "aws_s3_bucket_policy.p", "type": "aws_s3_bucket_policy", "id": "", "provider": "aws", "region": "us-east-1", "action": "+",
     "attributes": null, "references": ["aws_s3_bucket.b"], "live_fingerprint": "", "desired_fingerprint": "cc"}
  ],
  "skipped": [{"address": "aws_s3_bucket/tmp", "reason": "unmanaged: left alone without --allow-delete"}]
}`

// FuzzDecodePlan: whatever bytes a --plan file holds, decoding gives an
// error or a plan that prints and saves, and reads back the same.
func FuzzDecodePlan(f *testing.F) {
	f.Add([]byte(savedPlan))
	f.Add([]byte(`{"format_version": 1}`))
	f.Add([]byte(`{"format_version": 1, "changes": [{"address": "a.b", "type": "a", "action": "-/+", "attributes": [{"path": "x", "from": {"k": [1, 2]}, "to": "(sensitive)", "sensitive": true}]}]}`))
	f.Add([]byte(`{"format_version": 2}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodePlan(data)
		if err != nil {
			if p != nil {
				t.Fatalf("an error (%v) and a plan", err)
			}
			return
		}
		if err := WriteConsole(io.Discard, p, true); err != nil {
			t.Fatalf("printing a decoded plan: %v", err)
		}
		_ = p.Summary()
		var saved bytes.Buffer
		if err := WriteJSON(&saved, p); err != nil {
			t.Fatalf("saving a decoded plan: %v", err)
		}
		again, err := DecodePlan(saved.Bytes())
		if err != nil {
			t.Fatalf("a saved plan does not read back: %v\n%s", err, saved.String())
		}
		var resaved bytes.Buffer
		if err := WriteJSON(&resaved, again); err != nil {
			t.Fatal(err)
		}
		if saved.String() != resaved.String() {
			t.Fatalf("the plan changed through a save and a read:\n%s\n---\n%s", saved.String(), resaved.String())
		}
	})
}

func TestDecodePlanRefusesWhatNoDriftctlSaves(t *testing.T) {
	t.Parallel()
	for name, text := range map[string]string{
		"another version": `{"format_version": 2}`,
		"unknown action":  `{"format_version": 1, "changes": [{"address": "a.b", "type": "a", "action": "rm -rf"}]}`,
		"no address":      `{"format_version": 1, "changes": [{"type": "a", "action": "+"}]}`,
		"not JSON":        `format_version = 1`,
	} {
		if _, err := DecodePlan([]byte(text)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	p, err := DecodePlan([]byte(savedPlan))
	if err != nil || len(p.Changes) != 2 || !strings.Contains(p.Summary(), "1 to add, 1 to change") {
		t.Errorf("a saved plan: %v, %+v", err, p)
	}
}
