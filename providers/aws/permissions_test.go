package aws

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// The committed policy is the generated one: a change to the operations
// table shows in deploy/iam/driftctl-readonly.json (go test -update).
func TestReadOnlyPolicyCommitted(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "..", "deploy", "iam", "driftctl-readonly.json")
	got := ReadOnlyPolicy()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not the generated policy; run go test ./providers/aws -run TestReadOnlyPolicyCommitted -update\ngot:\n%s", path, got)
	}
}

// The read-only policy allows exactly the scan's actions: every operation
// a scan calls (TestOperationsCoverCalls ties the table to the code) and
// nothing that changes the cloud.
func TestPolicies(t *testing.T) {
	t.Parallel()
	actions := func(doc []byte) map[string][]string {
		var d struct {
			Version   string
			Statement []struct {
				Sid, Effect, Resource string
				Action                []string
			}
		}
		if err := json.Unmarshal(doc, &d); err != nil {
			t.Fatal(err)
		}
		if d.Version != "2012-10-17" {
			t.Errorf("Version = %q", d.Version)
		}
		m := map[string][]string{}
		for _, s := range d.Statement {
			if s.Effect != "Allow" || s.Resource != "*" {
				t.Errorf("statement %s: %s on %s", s.Sid, s.Effect, s.Resource)
			}
			m[s.Sid] = s.Action
		}
		return m
	}
	read := actions(ReadOnlyPolicy())
	if len(read) != 1 {
		t.Fatalf("read-only policy statements: %v", read)
	}
	for _, want := range []string{"ec2:DescribeVpcs", "s3:ListAllMyBuckets", "s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock", "iam:GetAccountAuthorizationDetails", "sts:GetCallerIdentity"} {
		if !slices.Contains(read["DriftctlScan"], want) {
			t.Errorf("the read-only policy lacks %s", want)
		}
	}
	for _, op := range operations {
		for _, a := range op.actions {
			if got := slices.Contains(read["DriftctlScan"], a); got != (op.use == useScan) && !sharedAction(a, useScan) {
				t.Errorf("%s (for %s:%s): in the read-only policy = %v", a, op.service, op.name, got)
			}
		}
	}
	rem := actions(RemediationPolicy())
	if !slices.Equal(rem["DriftctlScan"], read["DriftctlScan"]) || !slices.Contains(rem["DriftctlRemediate"], "ec2:CreateVpc") ||
		!slices.Contains(rem["DriftctlRemediate"], "s3:PutBucketTagging") || slices.Contains(rem["DriftctlRemediate"], "sts:AssumeRole") {
		t.Errorf("remediation policy: %v", rem)
	}
}

// sharedAction reports whether an action is also needed by an operation
// of the use.
func sharedAction(action string, u use) bool {
	for _, op := range operations {
		if op.use == u && slices.Contains(op.actions, action) {
			return true
		}
	}
	return false
}
