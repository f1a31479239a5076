package aws

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// Remediation of the four IAM types, following terraform-provider-aws v5's
// create, update and delete of each.

// iamTagList converts tags to IAM tags, sorted by key.
func iamTagList(m map[string]string) []iamtypes.Tag {
	if len(m) == 0 {
		return nil
	}
	tags := make([]iamtypes.Tag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		tags = append(tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return tags
}

// updateIAMTags sets and removes tags with the type's tag and untag calls.
func updateIAMTags(ctx context.Context, p *Provider, c *applyChange, tag func(context.Context, []iamtypes.Tag) error, untag func(context.Context, []string) error) error {
	set, remove := p.tagDiff(c)
	if len(remove) > 0 {
		if err := untag(ctx, remove); err != nil {
			return err
		}
	}
	if len(set) > 0 {
		return tag(ctx, iamTagList(set))
	}
	return nil
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

// applyIAMPolicy creates, updates or deletes an aws_iam_policy. Its ID is
// the policy ARN. A new document becomes a new default version; IAM keeps
// at most five versions, so when there are five the oldest non-default
// one is deleted first (v5's policyPruneVersions). Delete deletes the
// non-default versions, then the policy; a policy still attached fails
// with DeleteConflict (the attachments are resources of their own).
func applyIAMPolicy(ctx context.Context, p *Provider, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	return applier{
		create: func(ctx context.Context, p *Provider, c *applyChange) (string, error) {
			name, err := terraformName(c.wantString("name"), c.wantString("name_prefix"))
			if err != nil {
				return "", err
			}
			// v5 always sends the description, "" when left out.
			out, err := p.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{
				PolicyName:     aws.String(name),
				Path:           aws.String(c.wantString("path")),
				Description:    aws.String(c.wantString("description")),
				PolicyDocument: aws.String(c.wantString("policy")),
				Tags:           iamTagList(p.tagMap(c.Desired)),
			})
			if err != nil {
				return "", fmt.Errorf("creating IAM policy %s: %w", name, err)
			}
			return aws.ToString(out.Policy.Arn), nil
		},
		updatable: []string{"policy", "tags"},
		update: func(ctx context.Context, p *Provider, c *applyChange) (string, error) {
			arn := c.ID
			if c.has("policy") {
				if err := pruneIAMPolicyVersions(ctx, p, arn); err != nil {
					return "", err
				}
				_, err := p.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{
					PolicyArn: aws.String(arn), PolicyDocument: aws.String(c.wantString("policy")), SetAsDefault: true,
				})
				if err != nil {
					return "", fmt.Errorf("creating a version of IAM policy %s: %w", arn, err)
				}
			}
			if c.has("tags") {
				err := updateIAMTags(ctx, p, c, func(ctx context.Context, tags []iamtypes.Tag) error {
					if _, err := p.iam.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(arn), Tags: tags}); err != nil {
						return fmt.Errorf("tagging IAM policy %s: %w", arn, err)
					}
					return nil
				}, func(ctx context.Context, keys []string) error {
					if _, err := p.iam.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: aws.String(arn), TagKeys: keys}); err != nil {
						return fmt.Errorf("untagging IAM policy %s: %w", arn, err)
					}
					return nil
				})
				if err != nil {
					return "", err
				}
			}
			return arn, nil
		},
		delete: func(ctx context.Context, p *Provider, c *applyChange) error {
			arn := c.ID
			versions, err := iamPolicyVersions(ctx, p, arn)
			if err != nil {
				return err
			}
			for _, v := range versions {
				if !v.IsDefaultVersion {
					if err := deleteIAMPolicyVersion(ctx, p, arn, aws.ToString(v.VersionId)); err != nil {
						return err
					}
				}
			}
			if _, err := p.iam.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)}); err != nil {
				return fmt.Errorf("deleting IAM policy %s: %w", arn, err)
			}
			return nil
		},
	}.apply(ctx, p, req)
}

// iamPolicyMaxVersions is how many versions IAM keeps of a managed policy
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html).
const iamPolicyMaxVersions = 5

// pruneIAMPolicyVersions deletes the oldest non-default version when the
// policy has as many versions as IAM allows, so that one more fits.
func pruneIAMPolicyVersions(ctx context.Context, p *Provider, arn string) error {
	versions, err := iamPolicyVersions(ctx, p, arn)
	if err != nil || len(versions) < iamPolicyMaxVersions {
		return err
	}
	var old []iamtypes.PolicyVersion
	for _, v := range versions {
		if !v.IsDefaultVersion {
			old = append(old, v)
		}
	}
	if len(old) == 0 {
		return nil
	}
	// Oldest by creation, then by version number ("v3" before "v12"), as
	// versions made within one second share a CreateDate.
	sort.Slice(old, func(i, j int) bool {
		ti, tj := aws.ToTime(old[i].CreateDate), aws.ToTime(old[j].CreateDate)
		if !ti.Equal(tj) {
			return ti.Before(tj)
		}
		return versionNumber(old[i].VersionId) < versionNumber(old[j].VersionId)
	})
	return deleteIAMPolicyVersion(ctx, p, arn, aws.ToString(old[0].VersionId))
}

// versionNumber is N of a policy version ID "vN".
func versionNumber(id *string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(aws.ToString(id), "v"))
	return n
}

func iamPolicyVersions(ctx context.Context, p *Provider, arn string) ([]iamtypes.PolicyVersion, error) {
	var versions []iamtypes.PolicyVersion
	pages := iam.NewListPolicyVersionsPaginator(p.iam, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing versions of IAM policy %s: %w", arn, err)
		}
		versions = append(versions, page.Versions...)
	}
	return versions, nil
}

func deleteIAMPolicyVersion(ctx context.Context, p *Provider, arn, version string) error {
	if _, err := p.iam.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(version)}); err != nil {
		return fmt.Errorf("deleting version %s of IAM policy %s: %w", version, arn, err)
	}
	return nil
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

// applyIAMUser creates, updates or deletes an aws_iam_user. v5 renames a
// user and changes its path in place (UpdateUser), so neither is ForceNew;
// the ID after a rename is the new name. Delete removes the user from its
// groups first, as v5 always does; access keys, login profiles and MFA
// devices are deleted by Terraform only with force_destroy, and here never:
// IAM then refuses the deletion (DeleteConflict), and that error is
// returned.
func applyIAMUser(ctx context.Context, p *Provider, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	return applier{
		create: func(ctx context.Context, p *Provider, c *applyChange) (string, error) {
			name := c.wantString("name")
			in := &iam.CreateUserInput{UserName: aws.String(name), Path: aws.String(c.wantString("path")), Tags: iamTagList(p.tagMap(c.Desired))}
			if b := c.wantString("permissions_boundary"); b != "" {
				in.PermissionsBoundary = aws.String(b)
			}
			if _, err := p.iam.CreateUser(ctx, in); err != nil {
				return "", fmt.Errorf("creating IAM user %s: %w", name, err)
			}
			return name, nil
		},
		updatable: []string{"name", "path", "permissions_boundary", "tags"},
		update:    updateIAMUser,
		delete: func(ctx context.Context, p *Provider, c *applyChange) error {
			name := c.ID
			groups := iam.NewListGroupsForUserPaginator(p.iam, &iam.ListGroupsForUserInput{UserName: aws.String(name)})
			for groups.HasMorePages() {
				page, err := groups.NextPage(ctx)
				if err != nil {
					return fmt.Errorf("listing groups of IAM user %s: %w", name, err)
				}
				for _, g := range page.Groups {
					if _, err := p.iam.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: aws.String(name), GroupName: g.GroupName}); err != nil {
						return fmt.Errorf("removing IAM user %s from group %s: %w", name, aws.ToString(g.GroupName), err)
					}
				}
			}
			if _, err := p.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(name)}); err != nil {
				return fmt.Errorf("deleting IAM user %s: %w", name, err)
			}
			return nil
		},
	}.apply(ctx, p, req)
}

func updateIAMUser(ctx context.Context, p *Provider, c *applyChange) (string, error) {
	name := c.ID
	if c.has("name") || c.has("path") {
		in := &iam.UpdateUserInput{UserName: aws.String(name)}
		if c.has("name") {
			in.NewUserName = aws.String(c.wantString("name"))
		}
		if c.has("path") {
			in.NewPath = aws.String(c.wantString("path"))
		}
		if _, err := p.iam.UpdateUser(ctx, in); err != nil {
			return "", fmt.Errorf("updating IAM user %s: %w", name, err)
		}
		if c.has("name") {
			name = c.wantString("name")
		}
	}
	if c.has("permissions_boundary") {
		if b := c.wantString("permissions_boundary"); b != "" {
			_, err := p.iam.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String(name), PermissionsBoundary: aws.String(b)})
			if err != nil {
				return "", fmt.Errorf("setting the permissions boundary of IAM user %s: %w", name, err)
			}
		} else if _, err := p.iam.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String(name)}); err != nil {
			return "", fmt.Errorf("deleting the permissions boundary of IAM user %s: %w", name, err)
		}
	}
	if c.has("tags") {
		err := updateIAMTags(ctx, p, c, func(ctx context.Context, tags []iamtypes.Tag) error {
			if _, err := p.iam.TagUser(ctx, &iam.TagUserInput{UserName: aws.String(name), Tags: tags}); err != nil {
				return fmt.Errorf("tagging IAM user %s: %w", name, err)
			}
			return nil
		}, func(ctx context.Context, keys []string) error {
			if _, err := p.iam.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String(name), TagKeys: keys}); err != nil {
				return fmt.Errorf("untagging IAM user %s: %w", name, err)
			}
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	return name, nil
}
