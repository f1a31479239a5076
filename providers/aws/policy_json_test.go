package aws

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestPolicyComparer(t *testing.T) {
	const live = `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Effect":"Deny","Principal":{"AWS":"*"},"Action":["s3:DeleteObject","s3:PutObject"],"Resource":["arn:aws:s3:::b/*"]}]}`
	tests := []struct {
		name string
		want string
		eq   bool
	}{
		{"identical", live, true},
		{"reformatted by hand", `{
  "Statement": [
    {
      "Action": ["s3:GetObject"],
      "Effect": "Allow",
      "Principal": "*",
      "Resource": "arn:aws:s3:::b/*",
      "Sid": "Read"
    },
    {
      "Action": ["s3:PutObject", "s3:DeleteObject"],
      "Effect": "Deny",
      "Principal": {"AWS": "*"},
      "Resource": "arn:aws:s3:::b/*"
    }
  ],
  "Version": "2012-10-17"
}`, true},
		{"statements reordered", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},"Action":["s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::b/*"},{"Sid":"Read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, true},
		{"other action", `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}]}`, false},
		{"other resource", `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::c/*"},{"Effect":"Deny","Principal":{"AWS":"*"},"Action":["s3:DeleteObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*"}]}`, false},
		{"not a policy, same JSON", `{"a": [1, 2]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := policyComparer.Equivalent(cty.StringVal(tt.want), cty.StringVal(live))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.eq {
				t.Errorf("Equivalent = %v, want %v", got, tt.eq)
			}
		})
	}
	// Documents awspolicyequivalence cannot read compare as JSON values.
	if !policiesEquivalent(`{"a": [1, 2]}`, `{"a":[1,2]}`) {
		t.Error("equal JSON that is not a policy should be equivalent")
	}
}

func TestPolicyAttributesUseComparer(t *testing.T) {
	f := NewFactory()
	for typ, attr := range map[string]string{
		"aws_s3_bucket_policy": "policy",
		"aws_s3_bucket":        "policy",
		"aws_iam_policy":       "policy",
		"aws_iam_role":         "assume_role_policy",
	} {
		if f.Schema().Resources[typ].Attributes[attr].Comparer == nil {
			t.Errorf("%s.%s has no comparer", typ, attr)
		}
	}
}
