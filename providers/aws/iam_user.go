package aws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
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
