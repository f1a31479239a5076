package aws

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// The aws_iam_role and aws_iam_policy data sources. They call IAM for the
// one role or policy they name, as terraform-provider-aws does, rather than
// the resource readers' account-wide GetAccountAuthorizationDetails
// (iam.go): that listing leaves out AWS-managed policies, which
// aws_iam_policy is mostly used to find, and needs a ListRoles besides for
// a role's description and max_session_duration.

// roleLastUsedType is one element of aws_iam_role's role_last_used.
var roleLastUsedType = cty.Object(map[string]cty.Type{"last_used_date": cty.String, "region": cty.String})

// iamRoleData is the aws_iam_role data source: iam:GetRole by name, as
// terraform-provider-aws v5's dataSourceRoleRead.
func iamRoleData() *dataSource {
	computed := &providers.Attribute{Type: cty.String, Computed: true}
	schema := &providers.Schema{
		Type: "aws_iam_role",
		Attributes: map[string]*providers.Attribute{
			"id":                   computed,
			"name":                 {Type: cty.String, Required: true},
			"arn":                  computed,
			"assume_role_policy":   computed,
			"create_date":          computed,
			"description":          computed,
			"max_session_duration": {Type: cty.Number, Computed: true},
			"path":                 computed,
			"permissions_boundary": computed,
			"role_last_used":       {Type: cty.List(roleLastUsedType), Computed: true},
			"tags":                 {Type: cty.Map(cty.String), Optional: true, Computed: true},
			"unique_id":            computed,
		},
	}
	return &dataSource{
		schema: schema,
		read: func(ctx context.Context, p *Provider, config cty.Value) (cty.Value, error) {
			name := attrString(config, "name")
			out, err := p.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
			if err != nil {
				return cty.NilVal, fmt.Errorf("reading IAM Role (%s): %w", name, err)
			}
			r := out.Role
			trust, err := decodePolicyDocument(aws.ToString(r.AssumeRolePolicyDocument))
			if err != nil {
				return cty.NilVal, fmt.Errorf("parsing the assume role policy of IAM Role (%s): %w", name, err)
			}
			// flattenRoleLastUsed: no element without RoleLastUsed, and
			// last_used_date only when IAM gives one ("" in the state
			// otherwise, as the SDK stores a missing key).
			lastUsed := cty.ListValEmpty(roleLastUsedType)
			if u := r.RoleLastUsed; u != nil {
				date := cty.StringVal("")
				if u.LastUsedDate != nil {
					date = cty.StringVal(u.LastUsedDate.Format(time.RFC3339))
				}
				lastUsed = cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"last_used_date": date, "region": str(u.Region)})})
			}
			return objectOf(schema.Attributes, map[string]cty.Value{
				"id":                   cty.StringVal(name),
				"name":                 str(r.RoleName),
				"arn":                  str(r.Arn),
				"assume_role_policy":   cty.StringVal(trust),
				"create_date":          rfc3339(r.CreateDate),
				"description":          str(r.Description),
				"max_session_duration": num(r.MaxSessionDuration),
				"path":                 str(r.Path),
				"permissions_boundary": permissionsBoundary(r.PermissionsBoundary),
				"role_last_used":       lastUsed,
				"tags":                 dataTags(p, iamTagMap(r.Tags)),
				"unique_id":            str(r.RoleId),
			}), nil
		},
	}
}

// iamPolicyData is the aws_iam_policy data source, as
// terraform-provider-aws v5's dataSourcePolicyRead: without arn, the one
// policy (AWS-managed or the account's) that ListPolicies finds with name
// under path_prefix; then iam:GetPolicy for its attributes and
// iam:GetPolicyVersion for its default version's document.
func iamPolicyData() *dataSource {
	computed := &providers.Attribute{Type: cty.String, Computed: true}
	optComp := &providers.Attribute{Type: cty.String, Optional: true, Computed: true}
	schema := &providers.Schema{
		Type: "aws_iam_policy",
		Attributes: map[string]*providers.Attribute{
			"id":               computed,
			"arn":              optComp,
			"name":             optComp,
			"path_prefix":      {Type: cty.String, Optional: true},
			"attachment_count": {Type: cty.Number, Computed: true},
			"description":      computed,
			"path":             computed,
			"policy":           computed,
			"policy_id":        computed,
			"tags":             {Type: cty.Map(cty.String), Optional: true, Computed: true},
		},
	}
	return &dataSource{
		schema: schema,
		read: func(ctx context.Context, p *Provider, config cty.Value) (cty.Value, error) {
			arn, name, prefix := attrString(config, "arn"), attrString(config, "name"), attrString(config, "path_prefix")
			if arn != "" && (name != "" || prefix != "") {
				return cty.NilVal, fmt.Errorf("arn conflicts with name and path_prefix")
			}
			if arn == "" {
				found, err := findPolicyByName(ctx, p, name, prefix)
				if err != nil {
					return cty.NilVal, err
				}
				arn = found
			}
			out, err := p.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
			if err != nil {
				return cty.NilVal, fmt.Errorf("reading IAM Policy (%s): %w", arn, err)
			}
			pol := out.Policy
			ver, err := p.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: pol.Arn, VersionId: pol.DefaultVersionId})
			if err != nil {
				return cty.NilVal, fmt.Errorf("reading IAM Policy (%s) default version: %w", arn, err)
			}
			doc, err := decodePolicyDocument(aws.ToString(ver.PolicyVersion.Document))
			if err != nil {
				return cty.NilVal, fmt.Errorf("parsing IAM Policy (%s) document: %w", arn, err)
			}
			vals := map[string]cty.Value{
				"id":               str(pol.Arn),
				"arn":              str(pol.Arn),
				"name":             str(pol.PolicyName),
				"attachment_count": num(pol.AttachmentCount),
				"description":      str(pol.Description),
				"path":             str(pol.Path),
				"policy":           cty.StringVal(doc),
				"policy_id":        str(pol.PolicyId),
				"tags":             dataTags(p, iamTagMap(pol.Tags)),
			}
			if prefix != "" {
				vals["path_prefix"] = cty.StringVal(prefix)
			}
			return objectOf(schema.Attributes, vals), nil
		},
	}
}

// findPolicyByName is the ARN of the one policy that ListPolicies (every
// scope) returns under pathPrefix with that name (any name when ""), as the
// provider's findPolicyByTwoPartKey.
func findPolicyByName(ctx context.Context, p *Provider, name, pathPrefix string) (string, error) {
	in := &iam.ListPoliciesInput{MaxItems: aws.Int32(iamPageSize)}
	if pathPrefix != "" {
		in.PathPrefix = aws.String(pathPrefix)
	}
	var matches []string
	pages := iam.NewListPoliciesPaginator(p.iam, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("listing IAM policies: %w", err)
		}
		for _, pol := range page.Policies {
			if name == "" || aws.ToString(pol.PolicyName) == name {
				matches = append(matches, aws.ToString(pol.Arn))
			}
		}
	}
	// "IAM Policys", sic: the provider's message.
	return one("IAM Policy", matches)
}

// iamTagMap is the map of IAM tags.
func iamTagMap(tags []iamtypes.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}
