package aws

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"

	awspolicy "github.com/hashicorp/awspolicyequivalence"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// policyComparer compares IAM policy documents (role trust policies,
// managed policies, bucket policies) as terraform-provider-aws does with
// verify.SuppressEquivalentPolicyDiffs: statement order, whitespace, key
// order and one-element lists versus scalars are not differences.
var policyComparer = providers.ComparerFunc(func(want, got cty.Value) (bool, error) {
	return policiesEquivalent(want.AsString(), got.AsString()), nil
})

// policiesEquivalent reports whether two policy documents mean the same.
// When awspolicyequivalence cannot read one of them (not a policy), the
// documents are equal only as JSON values.
func policiesEquivalent(a, b string) bool {
	if a == b {
		return true
	}
	if eq, err := awspolicy.PoliciesAreEquivalent(a, b); err == nil {
		return eq
	}
	var va, vb any
	if json.Unmarshal([]byte(a), &va) != nil || json.Unmarshal([]byte(b), &vb) != nil {
		return false
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return bytes.Equal(ja, jb)
}

// decodePolicyDocument returns the JSON of a policy document as IAM
// returns it. IAM URL-encodes documents (RFC 3986) in GetRole,
// GetPolicyVersion and GetAccountAuthorizationDetails; terraform-provider-aws
// decodes them with url.QueryUnescape. moto returns AssumeRolePolicyDocument
// in GetAccountAuthorizationDetails unencoded, and a JSON document starts
// with "{" where an encoded one starts with "%7B", so a document that is
// already JSON is kept as it is (unescaping it would turn "+" into spaces).
func decodePolicyDocument(doc string) (string, error) {
	if strings.HasPrefix(strings.TrimSpace(doc), "{") {
		return doc, nil
	}
	return url.QueryUnescape(doc)
}
