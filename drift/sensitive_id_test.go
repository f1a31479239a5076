package drift

import "testing"

// TestSensitiveID: an ID that is or holds a sensitive value is shown as
// SensitiveID (and taken out of the reason), the real one stays for the
// cloud; other IDs are untouched.
func TestSensitiveID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id, reason string
		secrets    []string
		want       string
	}{
		{id: "acme-hidden", secrets: []string{"acme-hidden"}, want: SensitiveID},
		{id: "arn:aws:s3:::acme-hidden", secrets: []string{"x", "acme-hidden"}, want: SensitiveID},
		{id: "acme-hidden", reason: "aws_s3_bucket.a matched the same live resource (acme-hidden) first", secrets: []string{"acme-hidden"}, want: SensitiveID},
		{id: "vpc-123", secrets: []string{"acme-hidden"}, want: "vpc-123"},
		{id: "vpc-123", secrets: []string{""}, want: "vpc-123"},
		{id: "", secrets: []string{"acme-hidden"}, want: ""},
	}
	for _, tt := range tests {
		res := Result{ID: tt.id, Reason: tt.reason, secrets: tt.secrets}
		res.redactID(tt.secrets)
		if res.ID != tt.want || res.IDSensitive != (tt.want == SensitiveID) {
			t.Errorf("%q with %q: ID %q (sensitive %v), want %q", tt.id, tt.secrets, res.ID, res.IDSensitive, tt.want)
		}
		if res.LiveID() != tt.id {
			t.Errorf("%q: LiveID %q", tt.id, res.LiveID())
		}
		if res.IDSensitive && (res.Reason != "" && res.Reason == tt.reason) {
			t.Errorf("the reason still holds the ID: %s", res.Reason)
		}
		if got := res.ShownID(tt.id); got != tt.want && tt.id != "" {
			t.Errorf("ShownID(%q) = %q, want %q", tt.id, got, tt.want)
		}
	}
}
