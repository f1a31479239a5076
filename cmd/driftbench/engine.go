package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/gocty"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// memFactory is an "aws" provider with the real AWS schemas that serves
// live resources from memory: the engine-only mode measures matching,
// diffing, reporting and metrics without a cloud. As a cloud's API does,
// it makes each resource when it is read (from the layout, after the hand
// changes) and gives them a page at a time: what the engine keeps is
// measured, not a copy of the cloud.
type memFactory struct {
	schema *providers.ProviderSchema
	layout layout
}

func (f *memFactory) Name() string                      { return "aws" }
func (f *memFactory) Schema() *providers.ProviderSchema { return f.schema }
func (f *memFactory) New(context.Context, providers.Config) (providers.Configured, error) {
	return memProvider{f}, nil
}

type memProvider struct{ f *memFactory }

// memPage is how many resources a read gives at a time, as an API page.
const memPage = 1000

func (p memProvider) Read(_ context.Context, req providers.ReadRequest) (*providers.ReadResponse, error) {
	resp := &providers.ReadResponse{}
	var page []*providers.Live
	flush := func() {
		if req.Page == nil {
			resp.Resources = append(resp.Resources, page...)
		} else if len(page) > 0 {
			req.Page(page)
		}
		page = nil
	}
	err := memResources(p.f.layout, func(typ string) bool { return typ == req.Type }, func(l *providers.Live) {
		page = append(page, l)
		if len(page) == memPage {
			flush()
		}
	}, nil)
	if err != nil {
		return nil, err
	}
	flush()
	return resp, nil
}

func (p memProvider) ReadData(context.Context, string, cty.Value) (cty.Value, error) {
	return cty.NilVal, errors.New("no data sources in the benchmark")
}
func (p memProvider) Apply(context.Context, providers.ApplyRequest) (*providers.ApplyResponse, error) {
	return nil, providers.ErrNotSupported
}
func (p memProvider) Close() error                   { return nil }
func (p memProvider) Region() string                 { return region }
func (p memProvider) DefaultTags() map[string]string { return nil }

// conform builds a value of attrs' implied type from Go values: nested
// blocks are []map[string]any, absent attributes are null, names the
// schema does not have are dropped.
func conform(attrs map[string]*providers.Attribute, vals map[string]any) (cty.Value, error) {
	m := make(map[string]cty.Value, len(attrs))
	for name, a := range attrs {
		v, ok := vals[name]
		if !ok {
			m[name] = cty.NullVal(a.ImpliedType())
			continue
		}
		if a.Nested != nil {
			var elems []cty.Value
			for _, e := range v.([]map[string]any) {
				ev, err := conform(a.Nested.Attributes, e)
				if err != nil {
					return cty.NilVal, fmt.Errorf("%s: %w", name, err)
				}
				elems = append(elems, ev)
			}
			ety := providers.ImpliedType(a.Nested.Attributes)
			switch {
			case len(elems) == 0 && a.Nested.Nesting == providers.NestingSet:
				m[name] = cty.SetValEmpty(ety)
			case len(elems) == 0:
				m[name] = cty.ListValEmpty(ety)
			case a.Nested.Nesting == providers.NestingSet:
				m[name] = cty.SetVal(elems)
			default:
				m[name] = cty.ListVal(elems)
			}
			continue
		}
		cv, err := gocty.ToCtyValue(v, a.Type)
		if err != nil {
			return cty.NilVal, fmt.Errorf("%s: %w", name, err)
		}
		m[name] = cv
	}
	return cty.ObjectVal(m), nil
}

func withOwner(tags map[string]string, drifts bool) map[string]string {
	if drifts {
		tags["Owner"] = "alice"
	}
	return tags
}

// memState is the estate (state) that records the managed resources of
// the layout.
func memState(l layout) (*emulator.Estate, error) {
	e := emulator.NewEstate()
	err := memResources(l, func(string) bool { return false }, nil, &e)
	return &e, err
}

// memResources makes the live resources of the layout after the hand
// changes, of the types want accepts, and gives each to emit; with e set,
// it records the managed ones' IDs (and attributes where the ID is not
// the cloud's) in e.
func memResources(l layout, want func(typ string) bool, emit func(*providers.Live), e *emulator.Estate) error {
	schemas := aws.NewFactory().Schema().Resources
	var err error
	add := func(typ, addr, id string, vals map[string]any) {
		if e != nil && addr != "" {
			e.IDs[addr] = id
		}
		if err != nil || !want(typ) {
			return
		}
		s := schemas[typ]
		vals["id"] = id
		var v cty.Value
		if v, err = conform(s.Attributes, vals); err != nil {
			err = fmt.Errorf("%s: %w", typ, err)
			return
		}
		reg := region
		if s.Global {
			reg = "global"
		}
		emit(&providers.Live{Type: typ, ID: id, Region: reg, Attrs: v})
	}
	record := func(addr, id string) {
		if e != nil {
			e.IDs[addr] = id
		}
	}
	vpcID := func(i int) string { return fmt.Sprintf("vpc-%017x", i+1) }
	subnetID := func(i int) string { return fmt.Sprintf("subnet-%017x", i+1) }
	sgID := func(i int) string { return fmt.Sprintf("sg-%017x", i+1) }
	for i := 0; i < l.vpcs; i++ {
		add("aws_vpc", fmt.Sprintf("aws_vpc.v%d", i), vpcID(i), map[string]any{
			"cidr_block": vpcCIDR(i), "enable_dns_hostnames": true, "enable_dns_support": true, "instance_tenancy": "default",
			"arn": "arn:aws:ec2:" + region + ":" + account + ":vpc/" + vpcID(i), "owner_id": account,
			"tags": withOwner(baseTags(fmt.Sprintf("vpc-%d", i)), driftsVPC(i)),
		})
	}
	for j := 0; j < l.subnets; j++ {
		add("aws_subnet", fmt.Sprintf("aws_subnet.s%d", j), subnetID(j), map[string]any{
			"vpc_id": vpcID(subnetVPC(l, j)), "cidr_block": subnetCIDR(l, j), "availability_zone": subnetAZ(j),
			"tags": baseTags(fmt.Sprintf("subnet-%d", j)),
		})
	}
	for j := 0; j < l.sgs; j++ {
		ingress := []map[string]any{{"description": "HTTPS", "from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": []string{"0.0.0.0/0"}}}
		if driftsSG(j) {
			ingress = append(ingress, map[string]any{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": []string{"0.0.0.0/0"}})
		}
		add("aws_security_group", fmt.Sprintf("aws_security_group.g%d", j), sgID(j), map[string]any{
			"name": sgName(j), "description": fmt.Sprintf("web tier %d", j), "vpc_id": vpcID(sgVPC(l, j)),
			"ingress": ingress,
			"egress":  []map[string]any{{"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": []string{"0.0.0.0/0"}}},
			"tags":    baseTags(sgName(j)),
		})
	}
	for j := 0; j < l.instances; j++ {
		add("aws_instance", fmt.Sprintf("aws_instance.i%d", j), fmt.Sprintf("i-%017x", j+1), map[string]any{
			"ami": ami, "instance_type": "t3.micro", "subnet_id": subnetID(instSubnet(l, j)), "vpc_security_group_ids": []string{sgID(instSG(l, j))},
			"source_dest_check": true, "tags": withOwner(baseTags(fmt.Sprintf("app-%d", j)), driftsInstance(j)),
		})
	}
	for i := 0; i < l.buckets; i++ {
		b := bucketName(i)
		if l.deletedBucket(i) {
			record(fmt.Sprintf("aws_s3_bucket.b%d", i), b)
			continue
		}
		add("aws_s3_bucket", fmt.Sprintf("aws_s3_bucket.b%d", i), b, map[string]any{
			"bucket": b, "arn": "arn:aws:s3:::" + b, "tags": withOwner(baseTags(b), driftsBucket(i)),
		})
		if i < l.versioning {
			status := "Enabled"
			if driftsVersion(i) {
				status = "Suspended"
			}
			add("aws_s3_bucket_versioning", fmt.Sprintf("aws_s3_bucket_versioning.b%d", i), b, map[string]any{
				"bucket": b, "versioning_configuration": []map[string]any{{"status": status}},
			})
		}
		if i < l.pabs {
			add("aws_s3_bucket_public_access_block", fmt.Sprintf("aws_s3_bucket_public_access_block.b%d", i), b, map[string]any{
				"bucket": b, "block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true,
			})
		}
		if i < l.bpols {
			if dropsPolicy(i) {
				record(fmt.Sprintf("aws_s3_bucket_policy.b%d", i), b)
			} else {
				add("aws_s3_bucket_policy", fmt.Sprintf("aws_s3_bucket_policy.b%d", i), b, map[string]any{"bucket": b, "policy": bucketPolicyJSON(b)})
			}
		}
	}
	for i := 0; i < l.extraBuckets; i++ {
		b := extraBucketName(i)
		add("aws_s3_bucket", "", b, map[string]any{"bucket": b, "arn": "arn:aws:s3:::" + b})
	}
	for i := 0; i < l.roles; i++ {
		add("aws_iam_role", fmt.Sprintf("aws_iam_role.r%d", i), roleName(i), map[string]any{
			"name": roleName(i), "arn": "arn:aws:iam::" + account + ":role/" + roleName(i), "assume_role_policy": trustPolicy,
			"max_session_duration": 3600, "path": "/", "tags": withOwner(baseTags(roleName(i)), driftsRole(i)),
		})
	}
	for i := 0; i < l.policies; i++ {
		add("aws_iam_policy", fmt.Sprintf("aws_iam_policy.p%d", i), policyARN(i), map[string]any{
			"name": policyName(i), "arn": policyARN(i), "path": "/", "description": fmt.Sprintf("Reads and writes bucket %d", i), "policy": iamPolicyJSON(i),
		})
	}
	for i := 0; i < l.attachments; i++ {
		id := fmt.Sprintf("%s-2026%016d", roleName(i), i)
		add("aws_iam_role_policy_attachment", fmt.Sprintf("aws_iam_role_policy_attachment.a%d", i), id, map[string]any{"role": roleName(i), "policy_arn": policyARN(i)})
		if e != nil {
			e.Attrs[fmt.Sprintf("aws_iam_role_policy_attachment.a%d", i)] = map[string]any{"role": roleName(i), "policy_arn": policyARN(i)}
		}
	}
	for i := 0; i < l.usrs; i++ {
		add("aws_iam_user", fmt.Sprintf("aws_iam_user.u%d", i), userName(i), map[string]any{
			"name": userName(i), "path": "/bench/", "arn": "arn:aws:iam::" + account + ":user/bench/" + userName(i), "tags": withOwner(baseTags(userName(i)), driftsUser(i)),
		})
	}
	for i := 0; i < l.extraUsers; i++ {
		add("aws_iam_user", "", extraUserName(i), map[string]any{"name": extraUserName(i), "path": "/"})
	}
	return err
}

// memSchema is the AWS provider's schema: the real resource types with
// their attribute semantics.
func memSchema() *providers.ProviderSchema { return aws.NewFactory().Schema() }
