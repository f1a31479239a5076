package aws

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// The cases and expected documents come from terraform-provider-aws v5's
// internal/service/iam/policy_document_data_source_test.go (as in
// github.com/ljluestc/terraform-provider-aws; v5 drops empty "Sid"s), with
// ${data.aws_partition.current.partition} written as "aws" and references to
// other documents as doc.NAME.

// evalPolicyDocuments evaluates HCL bodies of aws_iam_policy_document in
// order; each may refer to the json of earlier ones as doc.NAME.
func evalPolicyDocuments(t *testing.T, docs [][2]string) (map[string]cty.Value, error) {
	t.Helper()
	ds := iamPolicyDocumentData()
	spec := ds.schema.DecoderSpec()
	out := map[string]cty.Value{}
	for _, d := range docs {
		f, diags := hclsyntax.ParseConfig([]byte(d[1]), d[0]+".tf", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", d[0], diags)
		}
		jsons := map[string]cty.Value{}
		for name, v := range out {
			jsons[name] = v.GetAttr("json")
		}
		ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"doc": cty.ObjectVal(jsons)}}
		if len(jsons) == 0 {
			ctx.Variables["doc"] = cty.EmptyObjectVal
		}
		config, diags := hcldec.Decode(f.Body, spec, ctx)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", d[0], diags)
		}
		v, err := ds.read(context.Background(), nil, config)
		if err != nil {
			return nil, err
		}
		if !v.Type().Equals(ds.schema.ImpliedType()) {
			t.Fatalf("%s: value type %s is not the schema's", d[0], v.Type().GoString())
		}
		out[d[0]] = v
	}
	return out, nil
}

const policyDocBasic = `
policy_id = "policy_id"
statement {
  sid = "1"
  actions = ["s3:ListAllMyBuckets", "s3:GetBucketLocation"]
  resources = ["arn:aws:s3:::*"]
}
statement {
  actions = ["s3:ListBucket"]
  resources = ["arn:aws:s3:::foo"]
  condition {
    test     = "StringLike"
    variable = "s3:prefix"
    values   = ["home/", "", "home/&{aws:username}/"]
  }
  not_principals {
    type        = "AWS"
    identifiers = ["arn:blahblah:example"]
  }
}
statement {
  actions = ["s3:*"]
  resources = ["arn:aws:s3:::foo/home/&{aws:username}", "arn:aws:s3:::foo/home/&{aws:username}/*"]
  principals {
    type        = "AWS"
    identifiers = ["arn:blahblah:example"]
  }
}
statement {
  effect        = "Deny"
  not_actions   = ["s3:*"]
  not_resources = ["arn:aws:s3:::*"]
}
statement {
  effect  = "Allow"
  actions = ["kinesis:*"]
  principals {
    type        = "AWS"
    identifiers = ["*"]
  }
}
statement {
  effect  = "Allow"
  actions = ["firehose:*"]
  principals {
    type        = "*"
    identifiers = ["*"]
  }
}
`

const policyDocBasicJSON = `{
  "Version": "2012-10-17",
  "Id": "policy_id",
  "Statement": [
    {
      "Sid": "1",
      "Effect": "Allow",
      "Action": [
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation"
      ],
      "Resource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::foo",
      "NotPrincipal": {
        "AWS": "arn:blahblah:example"
      },
      "Condition": {
        "StringLike": {
          "s3:prefix": [
            "home/",
            "",
            "home/${aws:username}/"
          ]
        }
      }
    },
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": [
        "arn:aws:s3:::foo/home/${aws:username}/*",
        "arn:aws:s3:::foo/home/${aws:username}"
      ],
      "Principal": {
        "AWS": "arn:blahblah:example"
      }
    },
    {
      "Effect": "Deny",
      "NotAction": "s3:*",
      "NotResource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "kinesis:*",
      "Principal": {
        "AWS": "*"
      }
    },
    {
      "Effect": "Allow",
      "Action": "firehose:*",
      "Principal": "*"
    }
  ]
}`

func TestIAMPolicyDocument(t *testing.T) {
	tests := []struct {
		name string
		docs [][2]string // name, body; the last is checked
		want string
		// equivalent compares as JSON values (Terraform's own test uses
		// CheckResourceAttrEquivalentJSON for these).
		equivalent bool
		wantErr    string
	}{
		{name: "basic", docs: [][2]string{{"test", policyDocBasic}}, want: policyDocBasicJSON},
		{
			name: "single condition value",
			docs: [][2]string{{"test", `
statement {
  effect = "Deny"
  principals {
    type        = "AWS"
    identifiers = ["*"]
  }
  actions   = ["elasticfilesystem:*"]
  resources = ["*"]
  condition {
    test     = "Bool"
    variable = "aws:SecureTransport"
    values   = ["false"]
  }
}`}},
			want: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Deny",
      "Action": "elasticfilesystem:*",
      "Resource": "*",
      "Principal": {
        "AWS": "*"
      },
      "Condition": {
        "Bool": {
          "aws:SecureTransport": "false"
        }
      }
    }
  ]
}`,
		},
		{
			name: "source documents",
			docs: [][2]string{
				{"test", strings.Replace(policyDocBasic, `identifiers = ["arn:blahblah:example"]
  }
}
statement {
  effect        = "Deny"`, `identifiers = ["arn:blahblah:example", "arn:blahblahblah:example"]
  }
}
statement {
  effect        = "Deny"`, 1)},
				{"test_source", `
source_policy_documents = [doc.test]
statement {
  sid       = "SourceJSONTest1"
  actions   = ["*"]
  resources = ["*"]
}`},
			},
			want: strings.Replace(strings.Replace(policyDocBasicJSON, `      "Principal": {
        "AWS": "arn:blahblah:example"
      }`, `      "Principal": {
        "AWS": [
          "arn:blahblahblah:example",
          "arn:blahblah:example"
        ]
      }`, 1), `      "Principal": "*"
    }
  ]`, `      "Principal": "*"
    },
    {
      "Sid": "SourceJSONTest1",
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]`, 1),
		},
		{
			name: "source list",
			docs: [][2]string{
				{"policy_a", `
statement {
  sid     = ""
  effect  = "Allow"
  actions = ["foo:ActionOne"]
}
statement {
  sid     = "validSidOne"
  effect  = "Allow"
  actions = ["bar:ActionOne"]
}`},
				{"policy_b", `
statement {
  sid     = "validSidTwo"
  effect  = "Deny"
  actions = ["foo:ActionTwo"]
}`},
				{"policy_c", `
statement {
  sid     = ""
  effect  = "Allow"
  actions = ["bar:ActionTwo"]
}`},
				{"test_source_list", `
version = "2012-10-17"
source_policy_documents = [doc.policy_a, doc.policy_b, doc.policy_c]`},
			},
			want: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "foo:ActionOne"
    },
    {
      "Sid": "validSidOne",
      "Effect": "Allow",
      "Action": "bar:ActionOne"
    },
    {
      "Sid": "validSidTwo",
      "Effect": "Deny",
      "Action": "foo:ActionTwo"
    },
    {
      "Effect": "Allow",
      "Action": "bar:ActionTwo"
    }
  ]
}`,
		},
		{
			name: "source statement replaced by same Sid",
			docs: [][2]string{
				{"test_source", `
statement {
  sid       = "SourceJSONTestConflicting"
  actions   = ["iam:*"]
  resources = ["*"]
}`},
				{"test_source_conflicting", `
source_policy_documents = [doc.test_source]
statement {
  sid       = "SourceJSONTestConflicting"
  actions   = ["*"]
  resources = ["*"]
}`},
			},
			want: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "SourceJSONTestConflicting",
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}`,
		},
		{
			name: "override",
			docs: [][2]string{
				{"override", `
statement {
  sid       = "SidToOverwrite"
  actions   = ["s3:*"]
  resources = ["*"]
}`},
				{"test_override", `
override_policy_documents = [doc.override]
statement {
  actions   = ["ec2:*"]
  resources = ["*"]
}
statement {
  sid       = "SidToOverwrite"
  actions   = ["s3:*"]
  resources = ["arn:aws:s3:::somebucket", "arn:aws:s3:::somebucket/*"]
}`},
			},
			want: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "ec2:*",
      "Resource": "*"
    },
    {
      "Sid": "SidToOverwrite",
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": "*"
    }
  ]
}`,
		},
		{
			name: "no statement: source and override",
			docs: [][2]string{
				{"source", `
statement {
  sid       = "OverridePlaceholder"
  actions   = ["ec2:DescribeAccountAttributes"]
  resources = ["*"]
}`},
				{"override", `
statement {
  sid       = "OverridePlaceholder"
  actions   = ["s3:GetObject"]
  resources = ["*"]
}`},
				{"yak_politik", `
source_policy_documents   = [doc.source]
override_policy_documents = [doc.override]`},
			},
			want: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "OverridePlaceholder",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "*"
    }
  ]
}`,
		},
		{
			name: "duplicate blank Sids",
			docs: [][2]string{{"test", `
statement {
  sid       = ""
  effect    = "Allow"
  actions   = ["ec2:DescribeAccountAttributes"]
  resources = ["*"]
}
statement {
  sid       = ""
  effect    = "Allow"
  actions   = ["s3:GetObject"]
  resources = ["*"]
}`}},
			want: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "ec2:DescribeAccountAttributes",
      "Resource": "*"
    },
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "*"
    }
  ]
}`,
		},
		{
			name: "version 2008-10-17",
			docs: [][2]string{{"test", `
version = "2008-10-17"
statement {
  actions   = ["ec2:*"]
  resources = ["*"]
}`}},
			want: `{
  "Version": "2008-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "ec2:*",
      "Resource": "*"
    }
  ]
}`,
		},
		{name: "empty source document", docs: [][2]string{{"test", `source_policy_documents = [""]`}}, want: "{\n  \"Version\": \"2012-10-17\"\n}"},
		{
			name: "condition with a bool value in a source document",
			docs: [][2]string{{"test", `
source_policy_documents = [<<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "RestrictAccessToSpecialTag",
      "Effect": "Deny",
      "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
      "Resource": "arn:aws:ec2:*:*:vpc/*",
      "Condition": {
        "Null": {"aws:ResourceTag/SpecialTag": false},
        "StringLike": {
          "aws:ResourceAccount": ["123456"],
          "aws:PrincipalArn": "arn:aws:iam::*:role/AWSAFTExecution"
        }
      }
    }
  ]
}
EOF
]`}},
			equivalent: true,
			want: `{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "RestrictAccessToSpecialTag",
    "Effect": "Deny",
    "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
    "Resource": "arn:aws:ec2:*:*:vpc/*",
    "Condition": {
      "Null": {"aws:ResourceTag/SpecialTag": "false"},
      "StringLike": {"aws:ResourceAccount": "123456", "aws:PrincipalArn": "arn:aws:iam::*:role/AWSAFTExecution"}
    }
  }]
}`,
		},
		{
			name: "duplicate Sid",
			docs: [][2]string{{"test", `
statement {
  sid       = "1"
  actions   = ["ec2:DescribeAccountAttributes"]
  resources = ["*"]
}
statement {
  sid       = "1"
  actions   = ["s3:GetObject"]
  resources = ["*"]
}`}},
			wantErr: "duplicate Sid",
		},
		{
			name: "duplicate Sid across source documents",
			docs: [][2]string{
				{"a", `
statement {
  sid     = "conflictSid"
  actions = ["bar:ActionOne"]
}`},
				{"c", `
statement {
  sid     = "conflictSid"
  actions = ["bar:ActionTwo"]
}`},
				{"test", `source_policy_documents = [doc.a, doc.c]`},
			},
			wantErr: "duplicate Sid",
		},
		{
			name: "policy variable in version 2008-10-17",
			docs: [][2]string{{"test", `
version = "2008-10-17"
statement {
  actions   = ["*"]
  resources = ["arn:aws:s3:::foo/home/&{aws:username}"]
}`}},
			wantErr: "found &{ sequence in (arn:aws:s3:::foo/home/&{aws:username}), which is not supported in document version 2008-10-17",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := evalPolicyDocuments(t, tt.docs)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			v := out[tt.docs[len(tt.docs)-1][0]]
			got := v.GetAttr("json").AsString()
			if tt.equivalent {
				var g, w any
				if err := json.Unmarshal([]byte(got), &g); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal([]byte(tt.want), &w); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(g, w) {
					t.Errorf("json =\n%s\nwant the equivalent of\n%s", got, tt.want)
				}
			} else if got != tt.want {
				t.Errorf("json =\n%s\nwant\n%s", got, tt.want)
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, []byte(got)); err != nil {
				t.Fatal(err)
			}
			if m := v.GetAttr("minified_json").AsString(); m != compact.String() {
				t.Errorf("minified_json = %s, want %s", m, compact.String())
			}
			if id := v.GetAttr("id"); id.IsNull() || id.AsString() == "" {
				t.Errorf("id is empty")
			}
			if ver := v.GetAttr("version"); ver.IsNull() {
				t.Errorf("version is null, want the default applied")
			}
		})
	}
}

func TestIAMPolicyDocumentUnknown(t *testing.T) {
	// ReadData, for every data source, defers a read whose configuration
	// is not known; no AWS call is made, so a provider needs no client.
	p := &Provider{f: NewFactory()}
	ds := p.f.data["aws_iam_policy_document"]
	config := cty.ObjectVal(map[string]cty.Value{"policy_id": cty.UnknownVal(cty.String)})
	v, err := p.ReadData(context.Background(), "aws_iam_policy_document", config)
	if err != nil {
		t.Fatal(err)
	}
	if v.GetAttr("json").IsKnown() || !v.Type().Equals(ds.schema.ImpliedType()) {
		t.Errorf("value = %#v, want json unknown", v)
	}
}
