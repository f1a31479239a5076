package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// iamPolicyType is aws_iam_policy: customer managed policies only.
// AWS-managed policies (arn:aws:iam::aws:policy/...) are never listed: no
// configuration manages them and they would be noise. Its Terraform ID is
// the policy ARN; its identity is the name, unique in an account.
func iamPolicyType() *resourceType {
	return &resourceType{schema: iamPolicySchema(), read: readIAMPolicies, apply: applyIAMPolicy}
}

func iamPolicySchema() *providers.Schema {
	return &providers.Schema{
		Type: "aws_iam_policy",
		Attributes: map[string]*providers.Attribute{
			"id":               {Type: cty.String, Computed: true},
			"arn":              {Type: cty.String, Computed: true},
			"policy_id":        {Type: cty.String, Computed: true},
			"attachment_count": {Type: cty.Number, Computed: true},
			"name":             {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"name_prefix":      {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"path":             {Type: cty.String, Optional: true, ForceNew: true, Default: cty.StringVal("/")},
			// description has no default in terraform-provider-aws; an
			// unset one is created as "" and read back as "".
			"description": {Type: cty.String, Optional: true, ForceNew: true},
			"policy":      {Type: cty.String, Required: true, Comparer: policyComparer},
			"tags":        {Type: cty.Map(cty.String), Optional: true},
		},
		Identity: identityOf("name"),
		Global:   true,
		Tags:     true,
	}
}

func readIAMPolicies(ctx context.Context, p *Provider, req *readRequest) ([]*providers.Live, error) {
	auth, err := p.accountAuthorization(ctx)
	if err != nil {
		return nil, err
	}
	tags, err := auth.managedPolicyTags(ctx, p.iam)
	if err != nil {
		return nil, err
	}
	schema := iamPolicySchema()
	want := newIDSet(req.ids)
	var live []*providers.Live
	for _, pol := range auth.policies {
		arn, name := aws.ToString(pol.Arn), aws.ToString(pol.PolicyName)
		if isAWSManagedPolicy(arn) || !want.has(arn, name) {
			continue
		}
		doc, err := defaultVersionDocument(pol)
		if err != nil {
			return nil, err
		}
		attrs := objectOf(schema.Attributes, map[string]cty.Value{
			"id":               cty.StringVal(arn),
			"arn":              cty.StringVal(arn),
			"policy_id":        str(pol.PolicyId),
			"attachment_count": num(pol.AttachmentCount),
			"name":             cty.StringVal(name),
			"name_prefix":      namePrefix(name),
			"path":             str(pol.Path),
			"description":      str(pol.Description),
			"policy":           cty.StringVal(doc),
			"tags":             tagsValue(tags[arn]),
		})
		live = append(live, &providers.Live{ID: arn, Attrs: attrs})
	}
	return live, nil
}

// defaultVersionDocument is the decoded document of the policy's default
// version, the one IAM enforces.
func defaultVersionDocument(pol iamtypes.ManagedPolicyDetail) (string, error) {
	for _, v := range pol.PolicyVersionList {
		if !v.IsDefaultVersion {
			continue
		}
		doc, err := decodePolicyDocument(aws.ToString(v.Document))
		if err != nil {
			return "", fmt.Errorf("decoding IAM policy %s: %w", aws.ToString(pol.Arn), err)
		}
		return doc, nil
	}
	return "", fmt.Errorf("IAM policy %s has no default version %s among %d versions", aws.ToString(pol.Arn), aws.ToString(pol.DefaultVersionId), len(pol.PolicyVersionList))
}
