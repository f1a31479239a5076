package aws

import (
	"encoding/json"
)

// ReadOnlyPolicy is the least-privilege IAM policy document for driftctl
// scan (and serve): the read actions of every operation a scan calls, made
// from the same table that validates AWS's answers. It is committed as
// deploy/iam/driftctl-readonly.json and printed by driftctl iam-policy.
func ReadOnlyPolicy() []byte {
	return grantDocument(grantStatement{Sid: "DriftctlScan", Actions: actionsFor(useScan)})
}

// RemediationPolicy is the IAM policy document for driftctl remediate:
// the scan's read actions (remediation scans before and after), and the
// actions of the changes it makes. assume_role's sts:AssumeRole is the
// permission of the identity that assumes, not of this one, and is in
// neither policy.
func RemediationPolicy() []byte {
	return grantDocument(
		grantStatement{Sid: "DriftctlScan", Actions: actionsFor(useScan)},
		grantStatement{Sid: "DriftctlRemediate", Actions: actionsFor(useRemediate)},
	)
}

type grantStatement struct {
	Sid      string
	Effect   string
	Actions  []string `json:"Action"`
	Resource string
}

// grantDocument is an IAM policy allowing the statements' actions on every
// resource (the reads list whole accounts; no resource-level scoping
// applies to Describe and List calls), indented, with a final newline.
func grantDocument(stmts ...grantStatement) []byte {
	for i := range stmts {
		stmts[i].Effect, stmts[i].Resource = "Allow", "*"
	}
	doc := struct {
		Version   string
		Statement []grantStatement
	}{"2012-10-17", stmts}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err) // static types: cannot happen
	}
	return append(b, '\n')
}
