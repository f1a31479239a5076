package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
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
			"name_prefix":           {Type: cty.String, Optional: true, Computed: true, ForceNew: true, NotGenerated: true},
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
			// accept whatever is attached. Both are deprecated in v5 and
			// manage the attachments exclusively: generated
			// configuration leaves them out.
			"managed_policy_arns": {Type: cty.Set(cty.String), Optional: true, Computed: true, NotGenerated: true},
			"inline_policy": {Optional: true, Computed: true, NotGenerated: true, Nested: &providers.NestedBlock{
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

// applyIAMRole creates, updates or deletes an aws_iam_role.
//
// Delete first removes the role from its instance profiles, detaches its
// managed policies and deletes its inline policies: IAM refuses to delete
// a role that has any (DeleteConflict). Terraform detaches managed policies
// only with force_detach_policies or managed_policy_arns; remediation
// deletes a role only when the person running it allowed deletions
// (--allow-delete) of that role, so what hangs on the role goes with it.
// The managed policies themselves are left alone.
func applyIAMRole(ctx context.Context, p *Provider, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	return applier{
		create: createIAMRole,
		updatable: []string{"assume_role_policy", "description", "max_session_duration", "permissions_boundary",
			"tags", "managed_policy_arns", "inline_policy"},
		update: updateIAMRole,
		delete: deleteIAMRole,
	}.apply(ctx, p, req)
}

func createIAMRole(ctx context.Context, p *Provider, c *applyChange) (string, error) {
	name, err := terraformName(c.wantString("name"), c.wantString("name_prefix"))
	if err != nil {
		return "", err
	}
	in := &iam.CreateRoleInput{
		RoleName:                 aws.String(name),
		Path:                     aws.String(c.wantString("path")),
		AssumeRolePolicyDocument: aws.String(c.wantString("assume_role_policy")),
		MaxSessionDuration:       aws.Int32(c.wantInt32("max_session_duration")),
		Tags:                     iamTagList(p.tagMap(c.Desired)),
	}
	if d := c.wantString("description"); d != "" {
		in.Description = aws.String(d)
	}
	if b := c.wantString("permissions_boundary"); b != "" {
		in.PermissionsBoundary = aws.String(b)
	}
	if _, err := p.iam.CreateRole(ctx, in); err != nil {
		return "", fmt.Errorf("creating IAM role %s: %w", name, err)
	}
	for _, ip := range blocks(c.Desired, "inline_policy") {
		if err := putRolePolicy(ctx, p, name, ip); err != nil {
			return "", err
		}
	}
	for _, arn := range stringElems(attr(c.Desired, "managed_policy_arns")) {
		if err := attachRolePolicy(ctx, p, name, arn); err != nil {
			return "", err
		}
	}
	return name, nil
}

func updateIAMRole(ctx context.Context, p *Provider, c *applyChange) (string, error) {
	name := c.ID
	if c.has("assume_role_policy") {
		_, err := p.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{
			RoleName: aws.String(name), PolicyDocument: aws.String(c.wantString("assume_role_policy")),
		})
		if err != nil {
			return "", fmt.Errorf("updating the trust policy of IAM role %s: %w", name, err)
		}
	}
	if c.has("description") || c.has("max_session_duration") {
		// UpdateRole sets both; the one that does not change keeps its
		// live value (moto, unlike IAM, clears an omitted description).
		in := &iam.UpdateRoleInput{RoleName: aws.String(name), Description: aws.String(c.liveString("description"))}
		if c.has("description") {
			in.Description = aws.String(c.wantString("description"))
		}
		if c.has("max_session_duration") {
			in.MaxSessionDuration = aws.Int32(c.wantInt32("max_session_duration"))
		} else if v := attr(c.Live, "max_session_duration"); !v.IsNull() {
			i, _ := v.AsBigFloat().Int64()
			in.MaxSessionDuration = aws.Int32(int32(i))
		}
		if _, err := p.iam.UpdateRole(ctx, in); err != nil {
			return "", fmt.Errorf("updating IAM role %s: %w", name, err)
		}
	}
	if c.has("permissions_boundary") {
		if b := c.wantString("permissions_boundary"); b != "" {
			_, err := p.iam.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String(name), PermissionsBoundary: aws.String(b)})
			if err != nil {
				return "", fmt.Errorf("setting the permissions boundary of IAM role %s: %w", name, err)
			}
		} else if _, err := p.iam.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(name)}); err != nil {
			return "", fmt.Errorf("deleting the permissions boundary of IAM role %s: %w", name, err)
		}
	}
	if c.has("tags") {
		err := updateIAMTags(ctx, p, c, func(ctx context.Context, tags []iamtypes.Tag) error {
			if _, err := p.iam.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(name), Tags: tags}); err != nil {
				return fmt.Errorf("tagging IAM role %s: %w", name, err)
			}
			return nil
		}, func(ctx context.Context, keys []string) error {
			if _, err := p.iam.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String(name), TagKeys: keys}); err != nil {
				return fmt.Errorf("untagging IAM role %s: %w", name, err)
			}
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	if c.has("managed_policy_arns") {
		want, live := stringElems(attr(c.Desired, "managed_policy_arns")), stringElems(attr(c.Live, "managed_policy_arns"))
		for _, arn := range elemsNotIn(live, want) {
			if err := detachRolePolicy(ctx, p, name, arn); err != nil {
				return "", err
			}
		}
		for _, arn := range elemsNotIn(want, live) {
			if err := attachRolePolicy(ctx, p, name, arn); err != nil {
				return "", err
			}
		}
	}
	if c.has("inline_policy") {
		want := blocks(c.Desired, "inline_policy")
		keep := map[string]bool{}
		for _, ip := range want {
			keep[attrString(ip, "name")] = true
		}
		for _, ip := range blocks(c.Live, "inline_policy") {
			if n := attrString(ip, "name"); !keep[n] {
				if err := deleteRolePolicy(ctx, p, name, n); err != nil {
					return "", err
				}
			}
		}
		for _, ip := range want {
			if err := putRolePolicy(ctx, p, name, ip); err != nil {
				return "", err
			}
		}
	}
	return name, nil
}

func deleteIAMRole(ctx context.Context, p *Provider, c *applyChange) error {
	name := c.ID
	profiles := iam.NewListInstanceProfilesForRolePaginator(p.iam, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String(name)})
	for profiles.HasMorePages() {
		page, err := profiles.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing instance profiles of IAM role %s: %w", name, err)
		}
		for _, ip := range page.InstanceProfiles {
			_, err := p.iam.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{RoleName: aws.String(name), InstanceProfileName: ip.InstanceProfileName})
			if err != nil {
				return fmt.Errorf("removing IAM role %s from instance profile %s: %w", name, aws.ToString(ip.InstanceProfileName), err)
			}
		}
	}
	attached := iam.NewListAttachedRolePoliciesPaginator(p.iam, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing policies attached to IAM role %s: %w", name, err)
		}
		for _, ap := range page.AttachedPolicies {
			if err := detachRolePolicy(ctx, p, name, aws.ToString(ap.PolicyArn)); err != nil {
				return err
			}
		}
	}
	inline := iam.NewListRolePoliciesPaginator(p.iam, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	for inline.HasMorePages() {
		page, err := inline.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing inline policies of IAM role %s: %w", name, err)
		}
		for _, pn := range page.PolicyNames {
			if err := deleteRolePolicy(ctx, p, name, pn); err != nil {
				return err
			}
		}
	}
	if _, err := p.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)}); err != nil {
		return fmt.Errorf("deleting IAM role %s: %w", name, err)
	}
	return nil
}

// putRolePolicy puts one inline_policy block; blocks without a name or a
// policy (v5 allows an empty inline_policy {} to mean "none") are skipped.
func putRolePolicy(ctx context.Context, p *Provider, role string, block cty.Value) error {
	name, doc := attrString(block, "name"), attrString(block, "policy")
	if name == "" || doc == "" {
		return nil
	}
	_, err := p.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
	if err != nil {
		return fmt.Errorf("putting inline policy %s of IAM role %s: %w", name, role, err)
	}
	return nil
}

func deleteRolePolicy(ctx context.Context, p *Provider, role, name string) error {
	if _, err := p.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name)}); err != nil {
		return fmt.Errorf("deleting inline policy %s of IAM role %s: %w", name, role, err)
	}
	return nil
}

func attachRolePolicy(ctx context.Context, p *Provider, role, arn string) error {
	if _, err := p.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(arn)}); err != nil {
		return fmt.Errorf("attaching policy %s to IAM role %s: %w", arn, role, err)
	}
	return nil
}

func detachRolePolicy(ctx context.Context, p *Provider, role, arn string) error {
	if _, err := p.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(arn)}); err != nil {
		return fmt.Errorf("detaching policy %s from IAM role %s: %w", arn, role, err)
	}
	return nil
}

// elemsNotIn returns the elements of a that are not in b.
func elemsNotIn(a, b []string) []string {
	in := map[string]bool{}
	for _, s := range b {
		in[s] = true
	}
	var out []string
	for _, s := range a {
		if !in[s] {
			out = append(out, s)
		}
	}
	return out
}
