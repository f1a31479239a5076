package aws

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

const (
	testTrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	testPolicy      = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`
	testPolicyARN   = "arn:aws:iam::123456789012:policy/app-policy"
	readOnlyARN     = "arn:aws:iam::aws:policy/ReadOnlyAccess"
)

// seedIAM makes the IAM fixture of the IAM tests through the SDK.
func seedIAM(t *testing.T, srv *emulator.Server) {
	t.Helper()
	ctx := context.Background()
	c := iam.NewFromConfig(srv.Config("us-east-1"))
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{
		PolicyName: aws.String("app-policy"), PolicyDocument: aws.String(testPolicy), Description: aws.String("app access"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("core")}},
	}))
	must(c.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("app"), Path: aws.String("/app/"), AssumeRolePolicyDocument: aws.String(testTrustPolicy),
		Description: aws.String("the app"), MaxSessionDuration: aws.Int32(7200), PermissionsBoundary: aws.String(testPolicyARN),
		Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}},
	}))
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(testPolicyARN)}))
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(readOnlyARN)}))
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("inline"), PolicyDocument: aws.String(testPolicy)}))
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bare"), AssumeRolePolicyDocument: aws.String(testTrustPolicy)}))
	must(c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com")}))
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("AWSServiceRoleForAutoScaling"), PolicyArn: aws.String(readOnlyARN)}))
	// moto (5.x) ignores a user's PermissionsBoundary, so users are read
	// without one here; roles carry the boundary of these tests.
	must(c.CreateUser(ctx, &iam.CreateUserInput{
		UserName: aws.String("alice"), Path: aws.String("/people/"),
		Tags: []iamtypes.Tag{{Key: aws.String("role"), Value: aws.String("admin")}},
	}))
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))
}

// startIAMMoto starts moto with the AWS-managed policies loaded, so that
// they can be attached (moto leaves them out unless told).
func startIAMMoto(t *testing.T) *emulator.Server {
	t.Setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
	return emulator.Start(t)
}

func TestIAMRead(t *testing.T) {
	srv := startIAMMoto(t)
	seedIAM(t, srv)
	p := testProvider(t, srv.URL(), "us-east-1")

	type check struct {
		id   string
		attr string
		want cty.Value
	}
	tests := []struct {
		name         string
		typ          string
		ids          []string
		want         []string
		cloudManaged []string
		checks       []check
	}{
		{
			name: "roles", typ: "aws_iam_role",
			want:         []string{"app", "bare", "AWSServiceRoleForAutoScaling"},
			cloudManaged: []string{"AWSServiceRoleForAutoScaling"},
			checks: []check{
				{"app", "assume_role_policy", cty.StringVal(testTrustPolicy)},
				{"app", "description", cty.StringVal("the app")},
				{"app", "path", cty.StringVal("/app/")},
				{"app", "max_session_duration", cty.NumberIntVal(7200)},
				{"app", "permissions_boundary", cty.StringVal(testPolicyARN)},
				{"app", "tags", cty.MapVal(map[string]cty.Value{"env": cty.StringVal("prod")})},
				{"app", "arn", cty.StringVal("arn:aws:iam::123456789012:role/app/app")},
				{"app", "managed_policy_arns", cty.SetVal([]cty.Value{cty.StringVal(testPolicyARN), cty.StringVal(readOnlyARN)})},
				{"app", "inline_policy", cty.SetVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("inline"), "policy": cty.StringVal(testPolicy)})})},
				{"bare", "description", cty.StringVal("")},
				{"bare", "max_session_duration", cty.NumberIntVal(3600)},
				{"bare", "tags", cty.NullVal(cty.Map(cty.String))},
				{"bare", "permissions_boundary", cty.StringVal("")},
				{"bare", "managed_policy_arns", cty.SetValEmpty(cty.String)},
			},
		},
		{
			name: "roles by ID", typ: "aws_iam_role", ids: []string{"bare"},
			want: []string{"bare"},
		},
		{
			// Only customer managed policies: ReadOnlyAccess is not listed.
			name: "policies", typ: "aws_iam_policy",
			want: []string{testPolicyARN},
			checks: []check{
				{testPolicyARN, "name", cty.StringVal("app-policy")},
				{testPolicyARN, "policy", cty.StringVal(testPolicy)},
				{testPolicyARN, "description", cty.StringVal("app access")},
				{testPolicyARN, "path", cty.StringVal("/")},
				{testPolicyARN, "tags", cty.MapVal(map[string]cty.Value{"team": cty.StringVal("core")})},
				{testPolicyARN, "attachment_count", cty.NumberIntVal(1)},
			},
		},
		{
			name: "policies by name", typ: "aws_iam_policy", ids: []string{"app-policy"},
			want: []string{testPolicyARN},
		},
		{
			name: "attachments", typ: "aws_iam_role_policy_attachment",
			want: []string{
				"app/" + testPolicyARN, "app/" + readOnlyARN,
				"AWSServiceRoleForAutoScaling/" + readOnlyARN,
			},
			cloudManaged: []string{"AWSServiceRoleForAutoScaling/" + readOnlyARN},
			checks: []check{
				{"app/" + readOnlyARN, "role", cty.StringVal("app")},
				{"app/" + readOnlyARN, "policy_arn", cty.StringVal(readOnlyARN)},
			},
		},
		{
			name: "users", typ: "aws_iam_user",
			want: []string{"alice", "bob"},
			checks: []check{
				{"alice", "path", cty.StringVal("/people/")},
				{"alice", "permissions_boundary", cty.StringVal("")},
				{"alice", "tags", cty.MapVal(map[string]cty.Value{"role": cty.StringVal("admin")})},
				{"alice", "arn", cty.StringVal("arn:aws:iam::123456789012:user/people/alice")},
				{"bob", "path", cty.StringVal("/")},
				{"bob", "tags", cty.NullVal(cty.Map(cty.String))},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := p.Read(context.Background(), providers.ReadRequest{Type: tt.typ, IDs: tt.ids})
			if err != nil {
				t.Fatal(err)
			}
			if got := liveIDs(resp.Resources); !sameStrings(got, tt.want) {
				t.Fatalf("IDs = %q, want %q", got, tt.want)
			}
			schema := p.f.schema.Resources[tt.typ]
			if !schema.Global {
				t.Errorf("%s is not global", tt.typ)
			}
			managed := map[string]bool{}
			for _, id := range tt.cloudManaged {
				managed[id] = true
			}
			for _, l := range resp.Resources {
				if !l.Attrs.Type().Equals(schema.ImpliedType()) {
					t.Errorf("%s: attrs type %s, want %s", l.ID, l.Attrs.Type().FriendlyName(), schema.ImpliedType().FriendlyName())
				}
				if l.Region != "global" {
					t.Errorf("%s: region %q", l.ID, l.Region)
				}
				if l.CloudManaged != managed[l.ID] {
					t.Errorf("%s: CloudManaged = %v", l.ID, l.CloudManaged)
				}
				if schema.Identity(l.Attrs) == "" {
					t.Errorf("%s: no identity", l.ID)
				}
				for _, computed := range []string{"arn", "unique_id", "create_date", "policy_id"} {
					if _, ok := schema.Attributes[computed]; !ok {
						continue
					}
					if v := l.Attrs.GetAttr(computed); v.IsNull() || v.AsString() == "" {
						t.Errorf("%s: %s is empty", l.ID, computed)
					}
				}
			}
			for _, c := range tt.checks {
				got := liveByID(t, resp.Resources, c.id).Attrs.GetAttr(c.attr)
				if !got.Equals(c.want).True() {
					t.Errorf("%s %s = %#v, want %#v", c.id, c.attr, got, c.want)
				}
			}
		})
	}
}

func TestIAMReadsOnePage(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	c := iam.NewFromConfig(srv.Config("us-east-1"))
	const roles = 150 // more than IAM's default page of 100
	for i := range roles {
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("role-%03d", i)), AssumeRolePolicyDocument: aws.String(testTrustPolicy)})
		if err != nil {
			t.Fatal(err)
		}
	}
	proxy := srv.StartProxy(t)
	p := testProvider(t, proxy.URL(), "us-east-1")
	for _, typ := range []string{"aws_iam_role", "aws_iam_role_policy_attachment", "aws_iam_user", "aws_iam_policy"} {
		mustRead(t, p, typ)
	}
	if got := len(mustRead(t, p, "aws_iam_role")); got != roles {
		t.Errorf("%d roles, want %d", got, roles)
	}
	if got := proxy.Calls("iam", "GetAccountAuthorizationDetails"); got != 1 {
		t.Errorf("GetAccountAuthorizationDetails calls = %d, want 1", got)
	}
	if got := proxy.Calls("iam", "ListRoles"); got != 1 {
		t.Errorf("ListRoles calls = %d, want 1", got)
	}
	for _, op := range []string{"GetRole", "ListRoleTags", "ListAttachedRolePolicies"} {
		if got := proxy.Calls("iam", op); got != 0 {
			t.Errorf("%s calls = %d, want none", op, got)
		}
	}
}

func TestIAMReadFailure(t *testing.T) {
	srv := emulator.Start(t)
	tests := []struct {
		typ   string
		fault emulator.Fault
		op    string
	}{
		{"aws_iam_user", emulator.Fault{Service: "iam", Operation: "GetAccountAuthorizationDetails", Status: 403, Code: "AccessDenied"}, "iam:GetAccountAuthorizationDetails"},
		{"aws_iam_role", emulator.Fault{Service: "iam", Operation: "ListRoles", Status: 403, Code: "AccessDenied"}, "iam:ListRoles"},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			proxy := srv.StartProxy(t)
			proxy.Inject(tt.fault)
			p := testProvider(t, proxy.URL(), "us-east-1")
			_, err := p.Read(context.Background(), providers.ReadRequest{Type: tt.typ})
			var re *providers.ReadError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want a *providers.ReadError", err)
			}
			if re.Operation != tt.op || re.Region != "global" || re.Type != tt.typ {
				t.Errorf("ReadError = %+v, want operation %s", re, tt.op)
			}
		})
	}
}

func TestDecodePolicyDocument(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		// As IAM returns documents (RFC 3986 encoding).
		{"url-encoded", "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Aa%2Bb%2F%2A%22%7D%5D%7D",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::a+b/*"}]}`},
		// As moto returns trust policies: already JSON; "+" must stay.
		{"already JSON", `{"Statement":[{"Resource":"arn:aws:s3:::a+b"}]}`, `{"Statement":[{"Resource":"arn:aws:s3:::a+b"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodePolicyDocument(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("decodePolicyDocument = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestAWSManagedClassification(t *testing.T) {
	for arn, want := range map[string]bool{
		readOnlyARN: true,
		"arn:aws-cn:iam::aws:policy/service-role/AmazonECSServiceRolePolicy": true,
		testPolicyARN: false,
	} {
		if got := isAWSManagedPolicy(arn); got != want {
			t.Errorf("isAWSManagedPolicy(%s) = %v", arn, got)
		}
	}
	for path, want := range map[string]bool{
		"/aws-service-role/autoscaling.amazonaws.com/": true,
		"/aws-reserved/sso.amazonaws.com/eu-west-1/":   true,
		"/service-role/": false,
		"/":              false,
	} {
		if got := isAWSCreatedRole(path); got != want {
			t.Errorf("isAWSCreatedRole(%s) = %v", path, got)
		}
	}
}

// sameStrings reports whether a and b hold the same strings in any order.
func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	count := map[string]int{}
	for _, s := range a {
		count[s]++
	}
	for _, s := range b {
		count[s]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}
