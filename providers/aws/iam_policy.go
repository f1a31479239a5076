package aws

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
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
			"name_prefix":      {Type: cty.String, Optional: true, Computed: true, ForceNew: true, NotGenerated: true},
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
