package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// iamRoleType is aws_iam_role. Its ID is the role name. Service-linked
// roles and other roles AWS makes itself are CloudManaged.
func iamRoleType() *resourceType {
	return &resourceType{schema: iamRoleSchema(), read: readIAMRoles, apply: applyIAMRole}
}

func iamRoleSchema() *providers.Schema {
	return &providers.Schema{
		Type: "aws_iam_role",
		Attributes: map[string]*providers.Attribute{
			"id":                    {Type: cty.String, Computed: true},
			"arn":                   {Type: cty.String, Computed: true},
			"unique_id":             {Type: cty.String, Computed: true},
			"create_date":           {Type: cty.String, Computed: true},
			"name":                  {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"name_prefix":           {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"assume_role_policy":    {Type: cty.String, Required: true, Comparer: policyComparer},
			"description":           {Type: cty.String, Optional: true},
			"path":                  {Type: cty.String, Optional: true, ForceNew: true, Default: cty.StringVal("/")},
			"max_session_duration":  {Type: cty.Number, Optional: true, Default: cty.NumberIntVal(3600)},
			"permissions_boundary":  {Type: cty.String, Optional: true},
			"force_detach_policies": {Type: cty.Bool, Optional: true, TerraformOnly: true, Default: cty.False},
			"tags":                  {Type: cty.Map(cty.String), Optional: true},
			// inline_policy and managed_policy_arns are Optional+Computed:
			// left out of configuration (the usual case, with
			// aws_iam_role_policy and aws_iam_role_policy_attachment) they
			// accept whatever is attached.
			"managed_policy_arns": {Type: cty.Set(cty.String), Optional: true, Computed: true},
			"inline_policy": {Optional: true, Computed: true, Nested: &providers.NestedBlock{
				Nesting: providers.NestingSet,
				Attributes: map[string]*providers.Attribute{
					"name":   {Type: cty.String, Optional: true},
					"policy": {Type: cty.String, Optional: true, Comparer: policyComparer},
				},
			}},
		},
		Identity: identityOf("name"),
		Global:   true,
		Tags:     true,
	}
}

func readIAMRoles(ctx context.Context, p *Provider, req *readRequest) ([]*providers.Live, error) {
	auth, err := p.accountAuthorization(ctx)
	if err != nil {
		return nil, err
	}
	info, err := auth.roleDetails(ctx, p.iam)
	if err != nil {
		return nil, err
	}
	schema := iamRoleSchema()
	inline := schema.Attributes["inline_policy"]
	want := newIDSet(req.ids)
	var live []*providers.Live
	for _, r := range auth.roles {
		name := aws.ToString(r.RoleName)
		if !want.has(name) {
			continue
		}
		trust, err := decodePolicyDocument(aws.ToString(r.AssumeRolePolicyDocument))
		if err != nil {
			return nil, fmt.Errorf("decoding the trust policy of IAM role %s: %w", name, err)
		}
		var managed []string
		for _, ap := range r.AttachedManagedPolicies {
			managed = append(managed, aws.ToString(ap.PolicyArn))
		}
		var inlines []cty.Value
		for _, ip := range r.RolePolicyList {
			doc, err := decodePolicyDocument(aws.ToString(ip.PolicyDocument))
			if err != nil {
				return nil, fmt.Errorf("decoding inline policy %s of IAM role %s: %w", aws.ToString(ip.PolicyName), name, err)
			}
			inlines = append(inlines, objectOf(inline.Nested.Attributes, map[string]cty.Value{
				"name":   str(ip.PolicyName),
				"policy": cty.StringVal(doc),
			}))
		}
		inlineVal := emptyBlocks(inline)
		if len(inlines) > 0 {
			inlineVal = cty.SetVal(inlines)
		}
		// A role created after GetAccountAuthorizationDetails and before
		// ListRoles is simply missing from info: its description and
		// duration then read as unset.
		extra := info[name]
		maxSession := cty.NumberIntVal(3600)
		if extra.MaxSessionDuration != nil {
			maxSession = num(extra.MaxSessionDuration)
		}
		attrs := objectOf(schema.Attributes, map[string]cty.Value{
			"id":                   cty.StringVal(name),
			"arn":                  str(r.Arn),
			"unique_id":            str(r.RoleId),
			"create_date":          rfc3339(r.CreateDate),
			"name":                 cty.StringVal(name),
			"name_prefix":          namePrefix(name),
			"assume_role_policy":   cty.StringVal(trust),
			"description":          str(extra.Description),
			"path":                 str(r.Path),
			"max_session_duration": maxSession,
			"permissions_boundary": permissionsBoundary(r.PermissionsBoundary),
			"tags":                 iamTags(r.Tags),
			"managed_policy_arns":  stringSet(managed),
			"inline_policy":        inlineVal,
		})
		live = append(live, &providers.Live{ID: name, Attrs: attrs, CloudManaged: isAWSCreatedRole(aws.ToString(r.Path))})
	}
	return live, nil
}
