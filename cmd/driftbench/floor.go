package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Page sizes of the list calls: the largest each API allows.
const (
	ec2PageSize      = 1000  // EC2 Describe* MaxResults
	iamPageSize      = 1000  // IAM MaxItems
	s3BucketsPerPage = 10000 // ListBuckets MaxBuckets
)

// moto's defaults in us-east-1: one default VPC with a subnet per zone
// (six) and a default security group in every VPC.
const (
	defaultVPCs    = 1
	defaultSubnets = 6
)

// quirks are what the emulator lacks that AWS returns, which makes more
// calls unavoidable there.
type quirks struct {
	// NoBucketRegion: ListBuckets has no BucketRegion, so the region of
	// each bucket takes a GetBucketLocation.
	NoBucketRegion bool `json:"no_bucket_region"`
	// NoPolicyID: GetAccountAuthorizationDetails lacks PolicyId, so
	// ListPolicies is needed.
	NoPolicyID bool `json:"no_policy_id"`
}

// probeQuirks asks the emulator (directly) what it leaves out.
func probeQuirks(ctx context.Context, c clients) (quirks, error) {
	var q quirks
	lb, err := c.s3.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(1)})
	if err != nil {
		return q, fmt.Errorf("probing ListBuckets: %w", err)
	}
	q.NoBucketRegion = len(lb.Buckets) > 0 && lb.Buckets[0].BucketRegion == nil
	gd, err := c.iam.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{
		Filter: []iamtypes.EntityType{iamtypes.EntityTypeLocalManagedPolicy}, MaxItems: aws.Int32(1)})
	if err != nil {
		return q, fmt.Errorf("probing GetAccountAuthorizationDetails: %w", err)
	}
	q.NoPolicyID = len(gd.Policies) > 0 && gd.Policies[0].PolicyId == nil
	return q, nil
}

func pages(items, perPage int) int { return max(1, (items+perPage-1)/perPage) }

// minCalls is the least set of calls that reads every attribute the
// generated configuration declares and lists every resource of its types
// (for unmanaged ones): the list pages, plus the per-resource calls that no
// batch API replaces. By "service:Operation".
func minCalls(l layout, q quirks) map[string]int {
	var deleted int
	for i := 0; i < l.buckets; i++ {
		if l.deletedBucket(i) {
			deleted++
		}
	}
	buckets := l.buckets - deleted + l.extraBuckets
	m := map[string]int{
		"ec2:DescribeVpcs":           pages(l.vpcs+defaultVPCs, ec2PageSize),
		"ec2:DescribeVpcAttribute":   2 * l.vpcs, // enableDnsSupport (default true) and enableDnsHostnames (declared)
		"ec2:DescribeSubnets":        pages(l.subnets+defaultSubnets, ec2PageSize),
		"ec2:DescribeSecurityGroups": pages(l.sgs+l.vpcs+defaultVPCs, ec2PageSize),
		"ec2:DescribeInstances":      pages(l.instances, ec2PageSize),
		"s3:ListBuckets":             pages(buckets, s3BucketsPerPage),
		// The bucket types the configuration declares: each needs its
		// setting of every bucket of the region.
		"s3:GetBucketTagging":                buckets,
		"s3:GetBucketPolicy":                 buckets,
		"s3:GetPublicAccessBlock":            buckets,
		"iam:GetAccountAuthorizationDetails": pages(l.roles+l.usrs+l.extraUsers+l.policies, iamPageSize),
		"iam:ListRoles":                      pages(l.roles, iamPageSize), // max_session_duration (default 3600) is not in the details
		"iam:ListPolicyTags":                 l.policies,                  // IAM has no batch call for policy tags
	}
	if l.versioning > 0 {
		m["s3:GetBucketVersioning"] = buckets
	}
	if q.NoBucketRegion {
		m["s3:GetBucketLocation"] = buckets
	}
	if q.NoPolicyID {
		m["iam:ListPolicies"] = pages(l.policies, iamPageSize)
	}
	return m
}

func sum(m map[string]int) int {
	t := 0
	for _, v := range m {
		t += v
	}
	return t
}

// counter counts calls by "service:Operation".
type counter struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *counter) add(op string) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]int{}
	}
	c.m[op]++
	c.mu.Unlock()
}

// floor issues the minimum set of calls straight through the SDK, at most
// concurrency at a time, through endpoint (the proxy), and returns how long
// it took and what it called. Per-resource calls start as soon as the
// listing that names the resources is done. Versioning is read when the
// estate has aws_s3_bucket_versioning.
func floor(ctx context.Context, endpoint string, q quirks, concurrency int, versioning bool) (time.Duration, map[string]int, error) {
	c := newClients(endpoint)
	sem := make(chan struct{}, concurrency)
	var n counter
	var wg sync.WaitGroup
	var errMu sync.Mutex
	var firstErr error
	fail := func(err error) {
		errMu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		errMu.Unlock()
	}
	call := func(op string, fn func() error) {
		sem <- struct{}{}
		defer func() { <-sem }()
		n.add(op)
		if err := fn(); err != nil && !isAbsent(err) {
			fail(fmt.Errorf("%s: %w", op, err))
		}
	}
	spawn := func(op string, fn func() error) {
		wg.Add(1)
		go func() { defer wg.Done(); call(op, fn) }()
	}
	task := func(fn func()) {
		wg.Add(1)
		go func() { defer wg.Done(); fn() }()
	}
	start := time.Now()

	task(func() { // VPCs, then their two DNS attributes
		var ids []string
		var token *string
		for {
			var out *ec2.DescribeVpcsOutput
			call("ec2:DescribeVpcs", func() (err error) {
				out, err = c.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{MaxResults: aws.Int32(ec2PageSize), NextToken: token})
				return err
			})
			if out == nil {
				return
			}
			for _, v := range out.Vpcs {
				if !aws.ToBool(v.IsDefault) {
					ids = append(ids, aws.ToString(v.VpcId))
				}
			}
			if token = out.NextToken; token == nil {
				break
			}
		}
		for _, id := range ids {
			for _, a := range []ec2types.VpcAttributeName{ec2types.VpcAttributeNameEnableDnsSupport, ec2types.VpcAttributeNameEnableDnsHostnames} {
				spawn("ec2:DescribeVpcAttribute", func() error {
					_, err := c.ec2.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String(id), Attribute: a})
					return err
				})
			}
		}
	})
	task(func() {
		p := ec2.NewDescribeSubnetsPaginator(c.ec2, &ec2.DescribeSubnetsInput{MaxResults: aws.Int32(ec2PageSize)})
		for p.HasMorePages() {
			var err error
			call("ec2:DescribeSubnets", func() error { _, err = p.NextPage(ctx); return err })
			if err != nil {
				return
			}
		}
	})
	task(func() {
		p := ec2.NewDescribeSecurityGroupsPaginator(c.ec2, &ec2.DescribeSecurityGroupsInput{MaxResults: aws.Int32(ec2PageSize)})
		for p.HasMorePages() {
			var err error
			call("ec2:DescribeSecurityGroups", func() error { _, err = p.NextPage(ctx); return err })
			if err != nil {
				return
			}
		}
	})
	task(func() {
		p := ec2.NewDescribeInstancesPaginator(c.ec2, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(ec2PageSize)})
		for p.HasMorePages() {
			var err error
			call("ec2:DescribeInstances", func() error { _, err = p.NextPage(ctx); return err })
			if err != nil {
				return
			}
		}
	})
	task(func() { // buckets, then four or five settings of each
		var names []string
		p := s3.NewListBucketsPaginator(c.s3, &s3.ListBucketsInput{MaxBuckets: aws.Int32(s3BucketsPerPage)})
		for p.HasMorePages() {
			var out *s3.ListBucketsOutput
			call("s3:ListBuckets", func() (err error) { out, err = p.NextPage(ctx); return err })
			if out == nil {
				return
			}
			for _, b := range out.Buckets {
				names = append(names, aws.ToString(b.Name))
			}
		}
		for _, name := range names {
			b := aws.String(name)
			if q.NoBucketRegion {
				spawn("s3:GetBucketLocation", func() error { _, err := c.s3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b}); return err })
			}
			spawn("s3:GetBucketTagging", func() error { _, err := c.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b}); return err })
			if versioning {
				spawn("s3:GetBucketVersioning", func() error {
					_, err := c.s3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
					return err
				})
			}
			spawn("s3:GetBucketPolicy", func() error { _, err := c.s3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b}); return err })
			spawn("s3:GetPublicAccessBlock", func() error {
				_, err := c.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
				return err
			})
		}
	})
	task(func() { // IAM details, roles, then each policy's tags
		var arns []string
		p := iam.NewGetAccountAuthorizationDetailsPaginator(c.iam, &iam.GetAccountAuthorizationDetailsInput{
			Filter:   []iamtypes.EntityType{iamtypes.EntityTypeRole, iamtypes.EntityTypeUser, iamtypes.EntityTypeLocalManagedPolicy},
			MaxItems: aws.Int32(iamPageSize),
		})
		for p.HasMorePages() {
			var out *iam.GetAccountAuthorizationDetailsOutput
			call("iam:GetAccountAuthorizationDetails", func() (err error) { out, err = p.NextPage(ctx); return err })
			if out == nil {
				return
			}
			for _, pol := range out.Policies {
				arns = append(arns, aws.ToString(pol.Arn))
			}
		}
		for _, arn := range arns {
			spawn("iam:ListPolicyTags", func() error {
				_, err := c.iam.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: aws.String(arn)})
				return err
			})
		}
		lr := iam.NewListRolesPaginator(c.iam, &iam.ListRolesInput{MaxItems: aws.Int32(iamPageSize)})
		for lr.HasMorePages() {
			var err error
			call("iam:ListRoles", func() error { _, err = lr.NextPage(ctx); return err })
			if err != nil {
				return
			}
		}
		if q.NoPolicyID {
			lp := iam.NewListPoliciesPaginator(c.iam, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal, MaxItems: aws.Int32(iamPageSize)})
			for lp.HasMorePages() {
				var err error
				call("iam:ListPolicies", func() error { _, err = lp.NextPage(ctx); return err })
				if err != nil {
					return
				}
			}
		}
	})
	wg.Wait()
	return time.Since(start), n.m, firstErr
}

// isAbsent is an answer that says a setting is not configured: a normal
// outcome of the per-bucket calls.
func isAbsent(err error) bool {
	s := err.Error()
	for _, code := range []string{"NoSuchBucketPolicy", "NoSuchPublicAccessBlockConfiguration", "NoSuchTagSet"} {
		if strings.Contains(s, code) {
			return true
		}
	}
	return false
}

// sortedOps lists the operations of some maps, sorted.
func sortedOps(ms ...map[string]int) []string {
	seen := map[string]bool{}
	var ops []string
	for _, m := range ms {
		for op := range m {
			if !seen[op] {
				seen[op] = true
				ops = append(ops, op)
			}
		}
	}
	sort.Strings(ops)
	return ops
}
