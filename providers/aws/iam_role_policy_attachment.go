package aws

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// iamRolePolicyAttachmentType is aws_iam_role_policy_attachment: one
// managed policy (customer or AWS-managed) attached to one role. Its live ID
// is "ROLE/POLICY_ARN", the import format; Terraform's own state ID is
// random ("ROLE-2024..."), so the engine matches attachments by identity,
// and a read always returns every attachment (the requested IDs cannot be
// told apart from it). Attachments to roles AWS makes itself are
// CloudManaged.
func iamRolePolicyAttachmentType() *resourceType {
	return &resourceType{schema: iamRolePolicyAttachmentSchema(), read: readIAMRolePolicyAttachments, apply: applyIAMRolePolicyAttachment}
}

func iamRolePolicyAttachmentSchema() *providers.Schema {
	return &providers.Schema{
		Type: "aws_iam_role_policy_attachment",
		Attributes: map[string]*providers.Attribute{
			"id":         {Type: cty.String, Computed: true},
			"role":       {Type: cty.String, Required: true, ForceNew: true},
			"policy_arn": {Type: cty.String, Required: true, ForceNew: true},
		},
		Identity: func(v cty.Value) string {
			role, ok1 := knownString(v, "role")
			arn, ok2 := knownString(v, "policy_arn")
			if !ok1 || !ok2 {
				return ""
			}
			return role + "/" + arn
		},
		Global: true,
	}
}

func readIAMRolePolicyAttachments(ctx context.Context, p *Provider, _ *readRequest) ([]*providers.Live, error) {
	auth, err := p.accountAuthorization(ctx)
	if err != nil {
		return nil, err
	}
	schema := iamRolePolicyAttachmentSchema()
	var live []*providers.Live
	for _, r := range auth.roles {
		role := aws.ToString(r.RoleName)
		for _, ap := range r.AttachedManagedPolicies {
			arn := aws.ToString(ap.PolicyArn)
			id := role + "/" + arn
			attrs := objectOf(schema.Attributes, map[string]cty.Value{
				"id":         cty.StringVal(id),
				"role":       cty.StringVal(role),
				"policy_arn": cty.StringVal(arn),
			})
			live = append(live, &providers.Live{ID: id, Attrs: attrs, CloudManaged: isAWSCreatedRole(aws.ToString(r.Path))})
		}
	}
	return live, nil
}

// applyIAMRolePolicyAttachment attaches or detaches a managed policy. Both
// attributes are ForceNew: there is nothing to update in place. Its ID is
// "ROLE/POLICY_ARN", as the read names it.
func applyIAMRolePolicyAttachment(ctx context.Context, p *Provider, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	return applier{
		create: func(ctx context.Context, p *Provider, c *applyChange) (string, error) {
			role, arn := c.wantString("role"), c.wantString("policy_arn")
			return role + "/" + arn, attachRolePolicy(ctx, p, role, arn)
		},
		delete: func(ctx context.Context, p *Provider, c *applyChange) error {
			role, arn := c.liveString("role"), c.liveString("policy_arn")
			if role == "" || arn == "" {
				// A role name has no "/"; a policy ARN may.
				var ok bool
				if role, arn, ok = strings.Cut(c.ID, "/"); !ok {
					return fmt.Errorf("IAM role policy attachment ID %q is not ROLE/POLICY_ARN", c.ID)
				}
			}
			return detachRolePolicy(ctx, p, role, arn)
		},
	}.apply(ctx, p, req)
}
