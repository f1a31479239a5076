package aws

import (
	"sort"
)

// use says what an AWS operation serves.
type use int

// The uses of an operation.
const (
	// useScan: a read that driftctl scan makes (remediation scans too).
	useScan use = iota
	// useRemediate: a call that only remediation makes (changes, and the
	// reads that prepare them).
	useRemediate
	// useCredentials: a call made to obtain credentials (assume_role),
	// which the caller's own identity must be allowed, not the policy of
	// the identity that scans.
	useCredentials
)

// answer is what the body of a successful (2xx) answer to an operation
// must look like; anything else is not AWS's answer (see validateAnswer).
type answer struct {
	// root is the XML root element; "" with json false means the
	// operation has no output, and the body may be empty.
	root string
	// alsoRoot is another root element accepted (see GetBucketVersioning).
	alsoRoot string
	// json: the body is a JSON document (S3's GetBucketPolicy returns
	// the policy itself).
	json bool
}

// operation is one AWS API operation that driftctl calls.
type operation struct {
	service string // the SDK client's service code: "ec2", "s3", "iam", "sts", "ssm", "kms", "route53"
	name    string // the API operation: "DescribeVpcs"
	// actions are the IAM actions the call needs. They mostly equal
	// service:name; S3's differ (ListBuckets is s3:ListAllMyBuckets,
	// GetPublicAccessBlock s3:GetBucketPublicAccessBlock), see
	// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
	actions []string
	use     use
	answer  answer
}

// queryOp is an operation of a query-protocol service (EC2, IAM, STS):
// its answer's root element is <NameResponse>, with or without output.
func queryOp(service, name string, u use) operation {
	return operation{service: service, name: name, actions: []string{service + ":" + name}, use: u, answer: answer{root: name + "Response"}}
}

// jsonOp is a read of a JSON-protocol service (SSM, KMS): its answer is a
// JSON object.
func jsonOp(service, name string) operation {
	return operation{service: service, name: name, actions: []string{service + ":" + name}, use: useScan, answer: answer{json: true}}
}

// restXMLOp is a read of a REST-XML service other than S3 (Route 53): its
// answer's root element is <NameResponse>.
func restXMLOp(service, name string) operation {
	return operation{service: service, name: name, actions: []string{service + ":" + name}, use: useScan, answer: answer{root: name + "Response"}}
}

// s3Op is an S3 operation (REST-XML): root is the answer's root element,
// "" for an operation without output.
func s3Op(name, action, root string, u use) operation {
	return operation{service: "s3", name: name, actions: []string{action}, use: u, answer: answer{root: root}}
}

// withAlsoRoot accepts a second root element for op's answer.
func withAlsoRoot(op operation, root string) operation {
	op.answer.alsoRoot = root
	return op
}

// operations are every AWS operation the provider calls. A test
// (TestOperationsCoverCalls) fails when the code calls one that is not
// here: the table is what validates AWS's answers and what the IAM
// policies (ReadOnlyPolicy, RemediationPolicy) are made of.
var operations = func() []operation {
	ops := []operation{
		// Who the credentials are: checked once per provider
		// configuration, and aws_caller_identity. AWS allows it to every
		// identity; it is listed so that a policy says all driftctl calls.
		queryOp("sts", "GetCallerIdentity", useScan),
		// assume_role in a provider block: the caller's permission.
		queryOp("sts", "AssumeRole", useCredentials),
	}
	for _, name := range []string{
		"DescribeVpcs", "DescribeVpcAttribute", "DescribeRouteTables", "DescribeNetworkAcls",
		"DescribeSubnets", "DescribeSecurityGroups",
		"DescribeInstances", "DescribeInstanceAttribute", "DescribeInstanceCreditSpecifications", "DescribeVolumes",
		// aws_availability_zones.
		"DescribeAvailabilityZones",
		// aws_ami, aws_ec2_managed_prefix_list.
		"DescribeImages", "DescribeManagedPrefixLists", "GetManagedPrefixListEntries",
	} {
		ops = append(ops, queryOp("ec2", name, useScan))
	}
	for _, name := range []string{
		"CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "ModifyVpcTenancy",
		"CreateSubnet", "DeleteSubnet", "ModifySubnetAttribute",
		"CreateSecurityGroup", "DeleteSecurityGroup",
		"AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
		"RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress",
		"RunInstances", "StartInstances", "StopInstances", "TerminateInstances",
		"ModifyInstanceAttribute", "ModifyInstanceMetadataOptions", "MonitorInstances", "UnmonitorInstances",
		"CreateTags", "DeleteTags",
	} {
		ops = append(ops, queryOp("ec2", name, useRemediate))
	}
	for _, name := range []string{
		"GetAccountAuthorizationDetails", "ListPolicies", "ListRoles", "ListPolicyTags",
		// The aws_iam_role and aws_iam_policy data sources.
		"GetRole", "GetPolicy", "GetPolicyVersion",
	} {
		ops = append(ops, queryOp("iam", name, useScan))
	}
	for _, name := range []string{
		"ListAttachedRolePolicies", "ListRolePolicies", "ListInstanceProfilesForRole", "ListPolicyVersions", "ListGroupsForUser",
		"CreateRole", "DeleteRole", "UpdateRole", "UpdateAssumeRolePolicy", "TagRole", "UntagRole",
		"PutRolePolicy", "DeleteRolePolicy", "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary",
		"AttachRolePolicy", "DetachRolePolicy", "RemoveRoleFromInstanceProfile",
		"CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "TagPolicy", "UntagPolicy",
		"CreateUser", "DeleteUser", "UpdateUser", "TagUser", "UntagUser",
		"PutUserPermissionsBoundary", "DeleteUserPermissionsBoundary", "RemoveUserFromGroup",
	} {
		ops = append(ops, queryOp("iam", name, useRemediate))
	}
	ops = append(ops,
		// aws_ssm_parameter. Reading a SecureString with with_decryption
		// also needs kms:Decrypt on its key, which KMS checks, not SSM;
		// the key policy usually grants it.
		jsonOp("ssm", "GetParameter"),
		// aws_kms_key.
		jsonOp("kms", "DescribeKey"),
		// aws_route53_zone (REST-XML: the root is NameResponse).
		restXMLOp("route53", "ListHostedZones"),
		restXMLOp("route53", "GetHostedZone"),
		restXMLOp("route53", "ListTagsForResource"),
		restXMLOp("route53", "ListResourceRecordSets"),
	)
	ops = append(ops,
		s3Op("ListBuckets", "s3:ListAllMyBuckets", "ListAllMyBucketsResult", useScan),
		s3Op("GetBucketLocation", "s3:GetBucketLocation", "LocationConstraint", useScan),
		// The aws_s3_bucket data source: HeadBucket (no body) needs
		// s3:ListBucket.
		s3Op("HeadBucket", "s3:ListBucket", "", useScan),
		s3Op("GetBucketWebsite", "s3:GetBucketWebsite", "WebsiteConfiguration", useScan),
		// moto (5.x) answers GetBucketVersioning with a
		// <GetBucketVersioningResponse> root, AWS with
		// <VersioningConfiguration>; the SDK reads the same children in
		// both, so the emulator's answer is accepted too.
		withAlsoRoot(s3Op("GetBucketVersioning", "s3:GetBucketVersioning", "VersioningConfiguration", useScan), "GetBucketVersioningResponse"),
		s3Op("GetBucketTagging", "s3:GetBucketTagging", "Tagging", useScan),
		s3Op("GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock", "PublicAccessBlockConfiguration", useScan),
		s3Op("GetBucketEncryption", "s3:GetEncryptionConfiguration", "ServerSideEncryptionConfiguration", useScan),
		s3Op("GetObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration", "ObjectLockConfiguration", useScan),
		operation{service: "s3", name: "GetBucketPolicy", actions: []string{"s3:GetBucketPolicy"}, use: useScan, answer: answer{json: true}},
		// A bucket created with Object Lock also needs
		// s3:PutBucketObjectLockConfiguration (and versioning, below).
		operation{service: "s3", name: "CreateBucket", actions: []string{"s3:CreateBucket", "s3:PutBucketObjectLockConfiguration"}, use: useRemediate},
		s3Op("DeleteBucket", "s3:DeleteBucket", "", useRemediate),
		s3Op("PutBucketVersioning", "s3:PutBucketVersioning", "", useRemediate),
		s3Op("PutBucketTagging", "s3:PutBucketTagging", "", useRemediate),
		// Deleting tags, a public access block or an encryption
		// configuration needs the Put action.
		s3Op("DeleteBucketTagging", "s3:PutBucketTagging", "", useRemediate),
		s3Op("PutPublicAccessBlock", "s3:PutBucketPublicAccessBlock", "", useRemediate),
		s3Op("DeletePublicAccessBlock", "s3:PutBucketPublicAccessBlock", "", useRemediate),
		s3Op("PutBucketEncryption", "s3:PutEncryptionConfiguration", "", useRemediate),
		s3Op("DeleteBucketEncryption", "s3:PutEncryptionConfiguration", "", useRemediate),
		s3Op("PutBucketPolicy", "s3:PutBucketPolicy", "", useRemediate),
		s3Op("DeleteBucketPolicy", "s3:DeleteBucketPolicy", "", useRemediate),
	)
	return ops
}()

// operationIndex finds an operation by service and name.
var operationIndex = func() map[string]*operation {
	m := make(map[string]*operation, len(operations))
	for i := range operations {
		m[operations[i].service+":"+operations[i].name] = &operations[i]
	}
	return m
}()

// lookupOperation returns the operation service:name, or nil.
func lookupOperation(service, name string) *operation { return operationIndex[service+":"+name] }

// actionsFor are the sorted, distinct IAM actions of the operations with
// one of the uses.
func actionsFor(uses ...use) []string {
	seen := map[string]bool{}
	var out []string
	for _, op := range operations {
		for _, u := range uses {
			if op.use != u {
				continue
			}
			for _, a := range op.actions {
				if !seen[a] {
					seen[a] = true
					out = append(out, a)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}
