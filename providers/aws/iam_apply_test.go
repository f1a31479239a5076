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

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

const (
	otherTrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	otherPolicy      = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
)

func TestIAMApply(t *testing.T) {
	srv := startIAMMoto(t)
	c := iam.NewFromConfig(srv.Config("us-east-1"))
	ctx := context.Background()
	p := testProvider(t, srv.URL(), "us-east-1")
	const (
		roleT   = "aws_iam_role"
		policyT = "aws_iam_policy"
		attachT = "aws_iam_role_policy_attachment"
		userT   = "aws_iam_user"
	)
	policyARN := func(name string) string { return "arn:aws:iam::" + motoAccount + ":policy/" + name }
	role := func(name string) func(t *testing.T) {
		return func(t *testing.T) {
			must(t)(c.CreateRole(ctx, &iam.CreateRoleInput{
				RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(testTrustPolicy), Description: aws.String("the app"),
				Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}},
			}))
		}
	}
	roleConfig := func(name string, extra map[string]cty.Value) cty.Value {
		attrs := map[string]cty.Value{
			"name": cty.StringVal(name), "assume_role_policy": cty.StringVal(testTrustPolicy),
			"description": cty.StringVal("the app"), "tags": strMap("env", "prod"),
		}
		for k, v := range extra {
			attrs[k] = v
		}
		return configOf(t, p, roleT, attrs)
	}
	policy := func(name string) func(t *testing.T) {
		return func(t *testing.T) {
			must(t)(c.CreatePolicy(ctx, &iam.CreatePolicyInput{
				PolicyName: aws.String(name), PolicyDocument: aws.String(testPolicy),
				Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("core")}},
			}))
		}
	}
	policyConfig := func(name string) cty.Value {
		return configOf(t, p, policyT, map[string]cty.Value{"name": cty.StringVal(name), "policy": cty.StringVal(testPolicy), "tags": strMap("team", "core")})
	}
	user := func(name string) func(t *testing.T) {
		return func(t *testing.T) {
			must(t)(c.CreateUser(ctx, &iam.CreateUserInput{
				UserName: aws.String(name), Path: aws.String("/people/"),
				Tags: []iamtypes.Tag{{Key: aws.String("role"), Value: aws.String("admin")}},
			}))
		}
	}
	userConfig := func(name string) cty.Value {
		return configOf(t, p, userT, map[string]cty.Value{"name": cty.StringVal(name), "path": cty.StringVal("/people/"), "tags": strMap("role", "admin")})
	}

	tests := []applyCase{
		{
			name: "role/create", typ: roleT, kind: providers.Create, wantID: "made-role",
			desired: roleConfig("made-role", map[string]cty.Value{
				"path": cty.StringVal("/app/"), "max_session_duration": cty.NumberIntVal(7200),
				"permissions_boundary": cty.StringVal(readOnlyARN),
				"inline_policy":        cty.SetVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("inline"), "policy": cty.StringVal(testPolicy)})}),
				"managed_policy_arns":  cty.SetVal([]cty.Value{cty.StringVal(readOnlyARN)}),
			}),
		},
		{
			name: "role/create from a prefix with defaults", typ: roleT, kind: providers.Create,
			desired: configOf(t, p, roleT, map[string]cty.Value{"name_prefix": cty.StringVal("app-"), "assume_role_policy": cty.StringVal(testTrustPolicy)}),
		},
		{
			name: "role/update description changed by hand", typ: roleT, kind: providers.Update, id: "described", wantID: "described",
			prepare: func(t *testing.T) {
				role("described")(t)
				must(t)(c.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("described"), Description: aws.String("changed")}))
			},
			desired: roleConfig("described", nil),
		},
		{
			name: "role/update trust policy, duration, boundary and tags", typ: roleT, kind: providers.Update, id: "trusting",
			prepare: func(t *testing.T) {
				role("trusting")(t)
				must(t)(c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("trusting"), PermissionsBoundary: aws.String(readOnlyARN)}))
				must(t)(c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("trusting"), Tags: []iamtypes.Tag{{Key: aws.String("owner"), Value: aws.String("bob")}}}))
			},
			desired: roleConfig("trusting", map[string]cty.Value{
				"assume_role_policy": cty.StringVal(otherTrustPolicy), "max_session_duration": cty.NumberIntVal(7200),
				"tags": strMap("env", "prod", "team", "core"),
			}),
		},
		{
			name: "role/update managed and inline policies", typ: roleT, kind: providers.Update, id: "trusting",
			prepare: func(t *testing.T) {
				must(t)(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("trusting"), PolicyName: aws.String("by-hand"), PolicyDocument: aws.String(otherPolicy)}))
			},
			desired: roleConfig("trusting", map[string]cty.Value{
				"assume_role_policy": cty.StringVal(otherTrustPolicy), "max_session_duration": cty.NumberIntVal(7200),
				"tags":                cty.MapVal(map[string]cty.Value{"env": cty.StringVal("prod"), "team": cty.StringVal("core")}),
				"managed_policy_arns": cty.SetVal([]cty.Value{cty.StringVal(readOnlyARN)}),
				"inline_policy":       cty.SetVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("wanted"), "policy": cty.StringVal(testPolicy)})}),
			}),
		},
		{name: "role/delete with policies", typ: roleT, kind: providers.Delete, id: "made-role"},
		{
			name: "policy/create", typ: policyT, kind: providers.Create, wantID: policyARN("made-policy"),
			desired: configOf(t, p, policyT, map[string]cty.Value{
				"name": cty.StringVal("made-policy"), "description": cty.StringVal("made"), "policy": cty.StringVal(testPolicy), "tags": strMap("team", "core"),
			}),
		},
		{
			name: "policy/update document changed by hand", typ: policyT, kind: providers.Update, id: policyARN("edited"), wantID: policyARN("edited"),
			prepare: func(t *testing.T) {
				policy("edited")(t)
				must(t)(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(policyARN("edited")), PolicyDocument: aws.String(otherPolicy), SetAsDefault: true}))
			},
			desired: policyConfig("edited"),
		},
		{
			name: "policy/update tags changed by hand", typ: policyT, kind: providers.Update, id: policyARN("edited"),
			prepare: func(t *testing.T) {
				must(t)(c.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(policyARN("edited")), Tags: []iamtypes.Tag{{Key: aws.String("owner"), Value: aws.String("bob")}}}))
				must(t)(c.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: aws.String(policyARN("edited")), TagKeys: []string{"team"}}))
			},
			desired: policyConfig("edited"),
		},
		{name: "policy/delete with versions", typ: policyT, kind: providers.Delete, id: policyARN("edited")},
		{
			name: "attachment/create", typ: attachT, kind: providers.Create, wantID: "described/" + readOnlyARN,
			desired: configOf(t, p, attachT, map[string]cty.Value{"role": cty.StringVal("described"), "policy_arn": cty.StringVal(readOnlyARN)}),
		},
		{name: "attachment/delete", typ: attachT, kind: providers.Delete, id: "described/" + readOnlyARN},
		{
			name: "user/create", typ: userT, kind: providers.Create, wantID: "carol",
			desired: configOf(t, p, userT, map[string]cty.Value{"name": cty.StringVal("carol"), "tags": strMap("team", "core")}),
		},
		{
			name: "user/update tag added by hand", typ: userT, kind: providers.Update, id: "alice", wantID: "alice",
			prepare: func(t *testing.T) {
				user("alice")(t)
				must(t)(c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: []iamtypes.Tag{{Key: aws.String("owner"), Value: aws.String("bob")}}}))
			},
			desired: userConfig("alice"),
		},
		{
			name: "user/update renamed and moved by hand", typ: userT, kind: providers.Update, id: "alice2", wantID: "alice",
			prepare: func(t *testing.T) {
				must(t)(c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("alice"), NewUserName: aws.String("alice2"), NewPath: aws.String("/moved/")}))
			},
			desired: userConfig("alice"),
		},
		{name: "user/delete", typ: userT, kind: providers.Delete, id: "carol"},
	}
	runApplyCases(t, p, tests)
}

func TestIAMApplyNotSupported(t *testing.T) {
	srv := startIAMMoto(t)
	seedIAM(t, srv)
	p := testProvider(t, srv.URL(), "us-east-1")
	ctx := context.Background()
	tests := []struct {
		name, typ, id string
		changed       []string
		desired       map[string]cty.Value
	}{
		{"role path", "aws_iam_role", "app", []string{"path"}, map[string]cty.Value{"name": cty.StringVal("app"), "assume_role_policy": cty.StringVal(testTrustPolicy), "path": cty.StringVal("/other/")}},
		{"role name", "aws_iam_role", "app", []string{"name"}, map[string]cty.Value{"name": cty.StringVal("app2"), "assume_role_policy": cty.StringVal(testTrustPolicy)}},
		{"policy description", "aws_iam_policy", testPolicyARN, []string{"description"}, map[string]cty.Value{"name": cty.StringVal("app-policy"), "policy": cty.StringVal(testPolicy), "description": cty.StringVal("other")}},
		{"policy path", "aws_iam_policy", testPolicyARN, []string{"path"}, map[string]cty.Value{"name": cty.StringVal("app-policy"), "policy": cty.StringVal(testPolicy), "path": cty.StringVal("/x/")}},
		{"attachment policy", "aws_iam_role_policy_attachment", "app/" + testPolicyARN, []string{"policy_arn"}, map[string]cty.Value{"role": cty.StringVal("app"), "policy_arn": cty.StringVal(readOnlyARN)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live := liveByID(t, readFresh(t, p, tt.typ, tt.id), tt.id)
			_, err := p.Apply(ctx, providers.ApplyRequest{
				Type: tt.typ, Kind: providers.Update, ID: tt.id, Live: live.Attrs,
				Desired: configOf(t, p, tt.typ, tt.desired), Changed: tt.changed,
			})
			if !errors.Is(err, providers.ErrNotSupported) {
				t.Fatalf("err = %v, want providers.ErrNotSupported", err)
			}
		})
	}
}

// TestIAMApplyPolicyVersionLimit: a policy that has IAM's five versions gets
// its new default version once the oldest non-default one is deleted.
func TestIAMApplyPolicyVersionLimit(t *testing.T) {
	srv := startIAMMoto(t)
	c := iam.NewFromConfig(srv.Config("us-east-1"))
	ctx := context.Background()
	must(t)(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("app-policy"), PolicyDocument: aws.String(testPolicy)}))
	for i := 0; i < 4; i++ { // v2..v5, v1 stays the default
		must(t)(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(testPolicyARN), PolicyDocument: aws.String(otherPolicy)}))
	}
	p := testProvider(t, srv.URL(), "us-east-1")
	live := liveByID(t, mustRead(t, p, "aws_iam_policy", testPolicyARN), testPolicyARN)
	desired := configOf(t, p, "aws_iam_policy", map[string]cty.Value{"name": cty.StringVal("app-policy"), "policy": cty.StringVal(otherPolicy)})
	changed := driftedAttrs(t, p, desired, live)
	if len(changed) != 1 || changed[0] != "policy" {
		t.Fatalf("changed = %v, want [policy]", changed)
	}
	if _, err := p.Apply(ctx, providers.ApplyRequest{Type: "aws_iam_policy", Kind: providers.Update, ID: testPolicyARN, Live: live.Attrs, Desired: desired, Changed: changed}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(testPolicyARN)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range out.Versions {
		id := aws.ToString(v.VersionId)
		if v.IsDefaultVersion {
			id += "*"
		}
		got = append(got, id)
	}
	if want := "v1 v3 v4 v5 v6*"; strings.Join(got, " ") != want {
		t.Errorf("versions = %v, want %s (v2, the oldest non-default, deleted; v6 the default)", got, want)
	}
	l := liveByID(t, mustRead(t, p, "aws_iam_policy", testPolicyARN), testPolicyARN)
	if diffs := driftedAttrs(t, p, desired, l); len(diffs) > 0 {
		t.Errorf("after the update, %v still differ", diffs)
	}
}

func TestIAMApplyFailureNamesOperation(t *testing.T) {
	srv := startIAMMoto(t)
	seedIAM(t, srv)
	proxy := srv.StartProxy(t)
	proxy.Inject(emulator.Fault{Service: "iam", Operation: "UpdateAssumeRolePolicy", Status: 403, Code: "AccessDenied"})
	p := testProvider(t, proxy.URL(), "us-east-1")
	live := liveByID(t, mustRead(t, p, "aws_iam_role", "bare"), "bare")
	desired := configOf(t, p, "aws_iam_role", map[string]cty.Value{"name": cty.StringVal("bare"), "assume_role_policy": cty.StringVal(otherTrustPolicy)})
	_, err := p.Apply(context.Background(), providers.ApplyRequest{Type: "aws_iam_role", Kind: providers.Update, ID: "bare", Live: live.Attrs, Desired: desired, Changed: driftedAttrs(t, p, desired, live)})
	if err == nil || !strings.Contains(err.Error(), "iam:UpdateAssumeRolePolicy") {
		t.Fatalf("err = %v, want one naming iam:UpdateAssumeRolePolicy", err)
	}
}
