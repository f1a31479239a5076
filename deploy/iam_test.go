package deploy_test

import (
	"strings"
	"testing"
)

// The README's Security model gives the read-only IAM policy in full: it
// must be the committed one (which providers/aws tests against the
// operations the code calls), so that a reader who copies it gets exactly
// what driftctl needs.
func TestREADMEGivesTheReadOnlyPolicy(t *testing.T) {
	t.Parallel()
	policy := strings.TrimSpace(readFile(t, "iam/driftctl-readonly.json"))
	readme := readFile(t, "../README.md")
	if !strings.Contains(readme, "```json\n"+policy+"\n```") {
		t.Errorf("README.md does not hold deploy/iam/driftctl-readonly.json as a json block; copy it into the Security model section")
	}
}
