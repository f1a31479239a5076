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

// iamUserType is aws_iam_user. Its ID is the user name.
func iamUserType() *resourceType {
	return &resourceType{schema: iamUserSchema(), read: readIAMUsers, apply: applyIAMUser}
}

func iamUserSchema() *providers.Schema {
	return &providers.Schema{
		Type: "aws_iam_user",
		Attributes: map[string]*providers.Attribute{
			"id":                   {Type: cty.String, Computed: true},
			"arn":                  {Type: cty.String, Computed: true},
			"unique_id":            {Type: cty.String, Computed: true},
			"name":                 {Type: cty.String, Required: true},
			"path":                 {Type: cty.String, Optional: true, Default: cty.StringVal("/")},
			"permissions_boundary": {Type: cty.String, Optional: true},
			// force_destroy only tells Terraform to delete access keys,
			// login profile and MFA devices with the user.
			"force_destroy": {Type: cty.Bool, Optional: true, TerraformOnly: true, Default: cty.False},
			"tags":          {Type: cty.Map(cty.String), Optional: true},
		},
		Identity: identityOf("name"),
		Global:   true,
		Tags:     true,
	}
}

func readIAMUsers(ctx context.Context, p *Provider, req *readRequest) ([]*providers.Live, error) {
	auth, err := p.accountAuthorization(ctx)
	if err != nil {
		return nil, err
	}
	schema := iamUserSchema()
	want := newIDSet(req.ids)
	var live []*providers.Live
	for _, u := range auth.users {
		name := aws.ToString(u.UserName)
		if !want.has(name) {
			continue
		}
		attrs := objectOf(schema.Attributes, map[string]cty.Value{
			"id":                   cty.StringVal(name),
			"arn":                  str(u.Arn),
			"unique_id":            str(u.UserId),
			"name":                 cty.StringVal(name),
			"path":                 str(u.Path),
			"permissions_boundary": permissionsBoundary(u.PermissionsBoundary),
			"tags":                 iamTags(u.Tags),
		})
		live = append(live, &providers.Live{ID: name, Attrs: attrs})
	}
	return live, nil
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
