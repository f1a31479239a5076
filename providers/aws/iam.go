package aws

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/zclconf/go-cty/cty"
)

// The four IAM types (aws_iam_role, aws_iam_policy,
// aws_iam_role_policy_attachment, aws_iam_user) are served by one
// paginated GetAccountAuthorizationDetails per Provider, made through
// Provider.iamOnce. It lacks a few fields, read with list calls only when a
// type needs them:
//   - a role's description and max_session_duration: ListRoles (roles are
//     listed, not read one by one);
//   - a managed policy's tags: ListPolicyTags per local policy (IAM has no
//     batch call for policy tags; ListPolicies does not return them).

// iamPageSize is the largest page IAM's list calls allow, so that most
// accounts are read in one page.
const iamPageSize = 1000

// accountAuthorization is what GetAccountAuthorizationDetails returned for
// roles, users and customer managed policies, with the extra reads that
// some types need, each made once.
type accountAuthorization struct {
	roles    []iamtypes.RoleDetail
	users    []iamtypes.UserDetail
	policies []iamtypes.ManagedPolicyDetail

	rolesOnce sync.Once
	roleInfo  map[string]iamtypes.Role // ListRoles, by role name
	rolesErr  error

	policyTagsOnce sync.Once
	policyTags     map[string]map[string]string // by policy ARN
	policyTagsErr  error
}

// accountAuthorization returns the account's IAM details, read once and
// shared by the IAM types until a change forgets them. A failed read is not
// kept: the next one tries again.
func (p *Provider) accountAuthorization(ctx context.Context) (*accountAuthorization, error) {
	p.iamMu.Lock()
	defer p.iamMu.Unlock()
	if p.iamAuth != nil {
		return p.iamAuth, nil
	}
	auth, err := readAccountAuthorization(ctx, p.iam)
	if err != nil {
		return nil, err
	}
	p.iamAuth = auth
	return auth, nil
}

// forgetReads drops what the provider cached of IAM and S3, after a change.
func (p *Provider) forgetReads() {
	p.iamMu.Lock()
	p.iamAuth = nil
	p.iamMu.Unlock()
	p.s3Mu.Lock()
	p.buckets = map[string]*bucketCall{}
	p.s3Mu.Unlock()
}

func readAccountAuthorization(ctx context.Context, client *iam.Client) (*accountAuthorization, error) {
	a := &accountAuthorization{}
	// AWS-managed policies are not asked for: aws_iam_policy does not
	// report them, and role attachments name them by ARN.
	pages := iam.NewGetAccountAuthorizationDetailsPaginator(client, &iam.GetAccountAuthorizationDetailsInput{
		Filter:   []iamtypes.EntityType{iamtypes.EntityTypeRole, iamtypes.EntityTypeUser, iamtypes.EntityTypeLocalManagedPolicy},
		MaxItems: aws.Int32(iamPageSize),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading IAM account authorization details: %w", err)
		}
		a.roles = append(a.roles, page.RoleDetailList...)
		a.users = append(a.users, page.UserDetailList...)
		a.policies = append(a.policies, page.Policies...)
	}
	if err := a.completePolicies(ctx, client); err != nil {
		return nil, err
	}
	return a, nil
}

// completePolicies fills in policy names and IDs where they are missing.
// AWS always returns them; moto (5.x) leaves PolicyName and PolicyId out of
// GetAccountAuthorizationDetails' Policies, so the name is taken from the
// ARN and, only then, the IDs from one ListPolicies.
func (a *accountAuthorization) completePolicies(ctx context.Context, client *iam.Client) error {
	missingID := false
	for i := range a.policies {
		pol := &a.policies[i]
		if pol.PolicyName == nil {
			name := aws.ToString(pol.Arn)
			name = name[strings.LastIndex(name, "/")+1:]
			pol.PolicyName = aws.String(name)
		}
		if pol.PolicyId == nil {
			missingID = true
		}
	}
	if !missingID {
		return nil
	}
	ids := map[string]*string{}
	pages := iam.NewListPoliciesPaginator(client, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal, MaxItems: aws.Int32(iamPageSize)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing IAM policies: %w", err)
		}
		for _, pol := range page.Policies {
			ids[aws.ToString(pol.Arn)] = pol.PolicyId
		}
	}
	for i := range a.policies {
		if a.policies[i].PolicyId == nil {
			a.policies[i].PolicyId = ids[aws.ToString(a.policies[i].Arn)]
		}
	}
	return nil
}

// roleDetails returns the ListRoles entry of each role (description,
// max_session_duration), read once.
func (a *accountAuthorization) roleDetails(ctx context.Context, client *iam.Client) (map[string]iamtypes.Role, error) {
	a.rolesOnce.Do(func() {
		info := map[string]iamtypes.Role{}
		pages := iam.NewListRolesPaginator(client, &iam.ListRolesInput{MaxItems: aws.Int32(iamPageSize)})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				a.rolesErr = fmt.Errorf("listing IAM roles: %w", err)
				return
			}
			for _, r := range page.Roles {
				info[aws.ToString(r.RoleName)] = r
			}
		}
		a.roleInfo = info
	})
	return a.roleInfo, a.rolesErr
}

// managedPolicyTags returns the tags of every customer managed policy, by
// ARN, read once with one ListPolicyTags per policy (bounded concurrency).
func (a *accountAuthorization) managedPolicyTags(ctx context.Context, client *iam.Client) (map[string]map[string]string, error) {
	a.policyTagsOnce.Do(func() {
		tags := make([]map[string]string, len(a.policies))
		a.policyTagsErr = forEachBounded(ctx, len(a.policies), func(ctx context.Context, i int) error {
			arn := a.policies[i].Arn
			m := map[string]string{}
			pages := iam.NewListPolicyTagsPaginator(client, &iam.ListPolicyTagsInput{PolicyArn: arn})
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				if isAPIError(err, "NoSuchEntity") {
					return nil // deleted since the details were read
				}
				if err != nil {
					return fmt.Errorf("listing tags of IAM policy %s: %w", aws.ToString(arn), err)
				}
				for _, t := range page.Tags {
					m[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
			}
			tags[i] = m
			return nil
		})
		if a.policyTagsErr != nil {
			return
		}
		a.policyTags = map[string]map[string]string{}
		for i, pol := range a.policies {
			a.policyTags[aws.ToString(pol.Arn)] = tags[i]
		}
	})
	return a.policyTags, a.policyTagsErr
}

// iamTags is a tags value from IAM tags (see tagsValue).
func iamTags(tags []iamtypes.Tag) cty.Value {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tagsValue(m)
}

// permissionsBoundary is the ARN of a permissions boundary, "" when there
// is none (as Terraform stores it).
func permissionsBoundary(b *iamtypes.AttachedPermissionsBoundary) cty.Value {
	if b == nil {
		return cty.StringVal("")
	}
	return str(b.PermissionsBoundaryArn)
}

// rfc3339 formats a time as terraform-provider-aws stores create_date.
func rfc3339(t *time.Time) cty.Value {
	if t == nil {
		return cty.NullVal(cty.String)
	}
	return cty.StringVal(t.Format(time.RFC3339))
}

// awsCreatedRolePaths are the paths of roles that AWS makes by itself:
// service-linked roles (/aws-service-role/, see
// https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html)
// and IAM Identity Center's permission-set roles (/aws-reserved/).
var awsCreatedRolePaths = []string{"/aws-service-role/", "/aws-reserved/"}

// isAWSCreatedRole reports whether a role with this path is made by AWS.
func isAWSCreatedRole(path string) bool {
	for _, prefix := range awsCreatedRolePaths {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return false
}

// isAWSManagedPolicy reports whether a policy ARN names an AWS-managed
// policy (arn:PARTITION:iam::aws:policy/...).
func isAWSManagedPolicy(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && parts[2] == "iam" && parts[4] == "aws"
}

// idSet is a set of requested IDs; an empty set lets everything through.
type idSet map[string]bool

func newIDSet(ids []string) idSet {
	s := idSet{}
	for _, id := range ids {
		s[id] = true
	}
	return s
}

// has reports whether any of keys was asked for, or nothing was.
func (s idSet) has(keys ...string) bool {
	if len(s) == 0 {
		return true
	}
	for _, k := range keys {
		if s[k] {
			return true
		}
	}
	return false
}

// The remediation of each IAM type, in the type's file, follows
// terraform-provider-aws v5's create, update and delete of it. What they
// share follows.

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
