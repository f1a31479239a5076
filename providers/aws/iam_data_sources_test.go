package aws

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// TestDataIAMRole reads aws_iam_role by name against moto.
func TestDataIAMRole(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	p := testProvider(t, srv.URL(), "us-east-1")
	if _, err := p.iam.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("app"), Path: aws.String("/svc/"), AssumeRolePolicyDocument: aws.String(testTrustPolicy),
		Description: aws.String("the app"), MaxSessionDuration: aws.Int32(7200),
		Tags: []iamtypes.Tag{{Key: aws.String("Team"), Value: aws.String("web")}},
	}); err != nil {
		t.Fatal(err)
	}
	v, err := p.ReadData(ctx, "aws_iam_role", decodeData(t, p, "aws_iam_role", `name = "app"`))
	if err != nil {
		t.Fatal(err)
	}
	if !v.Type().Equals(p.f.schema.DataSources["aws_iam_role"].ImpliedType()) {
		t.Errorf("type %s is not the schema's", v.Type().GoString())
	}
	want := map[string]cty.Value{
		"id":                   cty.StringVal("app"),
		"name":                 cty.StringVal("app"),
		"arn":                  cty.StringVal("arn:aws:iam::" + motoAccount + ":role/svc/app"),
		"path":                 cty.StringVal("/svc/"),
		"description":          cty.StringVal("the app"),
		"max_session_duration": cty.NumberIntVal(7200),
		"permissions_boundary": cty.StringVal(""),
		"tags":                 cty.MapVal(map[string]cty.Value{"Team": cty.StringVal("web")}),
	}
	for k, w := range want {
		if got := v.GetAttr(k); !got.RawEquals(w) {
			t.Errorf("%s = %#v, want %#v", k, got, w)
		}
	}
	if !policiesEquivalent(v.GetAttr("assume_role_policy").AsString(), testTrustPolicy) {
		t.Errorf("assume_role_policy = %s", v.GetAttr("assume_role_policy").AsString())
	}
	for _, a := range []string{"unique_id", "create_date"} {
		if v.GetAttr(a).AsString() == "" {
			t.Errorf("%s is empty", a)
		}
	}

	t.Run("missing", func(t *testing.T) {
		_, err := p.ReadData(ctx, "aws_iam_role", decodeData(t, p, "aws_iam_role", `name = "nobody"`))
		if err == nil || !strings.Contains(err.Error(), "iam:GetRole") || !strings.Contains(err.Error(), "NoSuchEntity") {
			t.Errorf("err = %v, want NoSuchEntity from iam:GetRole", err)
		}
	})
}

// TestDataIAMPolicy reads aws_iam_policy by ARN, by name and by name under
// a path prefix against moto; AWS-managed policies are found too.
func TestDataIAMPolicy(t *testing.T) {
	srv := startIAMMoto(t)
	ctx := context.Background()
	p := testProvider(t, srv.URL(), "us-east-1")
	doc := testPolicy
	create := func(name, path string) string {
		out, err := p.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{
			PolicyName: aws.String(name), Path: aws.String(path), PolicyDocument: aws.String(doc),
			Description: aws.String(name + " access"),
			Tags:        []iamtypes.Tag{{Key: aws.String("Team"), Value: aws.String("data")}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Policy.Arn)
	}
	reader := create("reader", "/team/")
	create("shared", "/a/")
	sharedB := create("shared", "/b/")
	tests := []struct {
		name, hcl string
		wantARN   string
		wantCount int // of a SingularMatchError; -1 for one match
	}{
		{"arn", `arn = "` + reader + `"`, reader, -1},
		{"name", `name = "reader"`, reader, -1},
		{"name and path_prefix", "name = \"shared\"\npath_prefix = \"/b/\"", sharedB, -1},
		{"aws managed", `arn = "` + readOnlyARN + `"`, readOnlyARN, -1},
		{"aws managed by name", `name = "ReadOnlyAccess"`, readOnlyARN, -1},
		{"no match", `name = "nothing"`, "", 0},
		{"several", `name = "shared"`, "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := p.ReadData(ctx, "aws_iam_policy", decodeData(t, p, "aws_iam_policy", tt.hcl))
			if tt.wantCount >= 0 {
				var me *SingularMatchError
				if !errors.As(err, &me) || me.Count != tt.wantCount || me.Kind != "IAM Policy" {
					t.Fatalf("err = %v, want %d matches", err, tt.wantCount)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !v.Type().Equals(p.f.schema.DataSources["aws_iam_policy"].ImpliedType()) {
				t.Errorf("type %s is not the schema's", v.Type().GoString())
			}
			if got := v.GetAttr("arn"); !got.RawEquals(cty.StringVal(tt.wantARN)) {
				t.Errorf("arn = %#v, want %q", got, tt.wantARN)
			}
			if got := v.GetAttr("id"); !got.RawEquals(cty.StringVal(tt.wantARN)) {
				t.Errorf("id = %#v, want the ARN", got)
			}
			if v.GetAttr("policy").AsString() == "" || v.GetAttr("policy_id").AsString() == "" {
				t.Errorf("policy %#v, policy_id %#v", v.GetAttr("policy"), v.GetAttr("policy_id"))
			}
			if tt.wantARN != reader {
				return
			}
			want := map[string]cty.Value{
				"name":             cty.StringVal("reader"),
				"path":             cty.StringVal("/team/"),
				"description":      cty.StringVal("reader access"),
				"attachment_count": cty.NumberIntVal(0),
				"tags":             cty.MapVal(map[string]cty.Value{"Team": cty.StringVal("data")}),
			}
			for k, w := range want {
				if got := v.GetAttr(k); !got.RawEquals(w) {
					t.Errorf("%s = %#v, want %#v", k, got, w)
				}
			}
			if !policiesEquivalent(v.GetAttr("policy").AsString(), doc) {
				t.Errorf("policy = %s", v.GetAttr("policy").AsString())
			}
		})
	}
}
