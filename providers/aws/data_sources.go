package aws

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// The data sources that configurations use to build names and ARNs:
// aws_caller_identity, aws_region, aws_partition, aws_default_tags and
// aws_arn. aws_iam_policy_document is in iam_policy_document.go.

// callerIdentityData is aws_caller_identity: who the provider's credentials
// are (sts:GetCallerIdentity). Its id is the account ID, as
// terraform-provider-aws's dataSourceCallerIdentityRead sets it.
func callerIdentityData() *dataSource {
	computed := &providers.Attribute{Type: cty.String, Computed: true}
	schema := &providers.Schema{
		Type: "aws_caller_identity",
		Attributes: map[string]*providers.Attribute{
			"id":         computed,
			"account_id": computed,
			"arn":        computed,
			"user_id":    computed,
		},
	}
	return &dataSource{
		schema: schema,
		read: func(ctx context.Context, p *Provider, _ cty.Value) (cty.Value, error) {
			// The identity check already asked, unless it was skipped.
			id := p.identity
			if id == nil {
				out, err := p.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				if err != nil {
					return cty.NilVal, fmt.Errorf("getting caller identity: %w", err)
				}
				id = &callerIdentity{account: aws.ToString(out.Account), arn: aws.ToString(out.Arn), userID: aws.ToString(out.UserId)}
			}
			return objectOf(schema.Attributes, map[string]cty.Value{
				"id":         cty.StringVal(id.account),
				"account_id": cty.StringVal(id.account),
				"arn":        cty.StringVal(id.arn),
				"user_id":    cty.StringVal(id.userID),
			}), nil
		},
	}
}

// regionData is aws_region: the provider's region, or the one named in
// configuration (name, or region as terraform-provider-aws v6 calls it), or
// the one whose EC2 endpoint is given. It is computed locally: the SDK's
// endpoint rules name the endpoint ec2.REGION.DNS_SUFFIX.
func regionData() *dataSource {
	optComp := &providers.Attribute{Type: cty.String, Optional: true, Computed: true}
	schema := &providers.Schema{
		Type: "aws_region",
		Attributes: map[string]*providers.Attribute{
			"id":          {Type: cty.String, Computed: true},
			"name":        optComp,
			"region":      optComp,
			"endpoint":    optComp,
			"description": {Type: cty.String, Computed: true},
		},
	}
	return &dataSource{
		schema: schema,
		read: func(_ context.Context, p *Provider, config cty.Value) (cty.Value, error) {
			name := p.region
			for _, a := range []string{"name", "region"} {
				if v, ok := knownString(config, a); ok && v != "" {
					name = v
				}
			}
			if ep, ok := knownString(config, "endpoint"); ok && ep != "" {
				r, ok := regionOfEndpoint(ep)
				if !ok {
					return cty.NilVal, fmt.Errorf("no region has the EC2 endpoint %q", ep)
				}
				if n, set := knownString(config, "name"); set && n != "" && n != r {
					return cty.NilVal, fmt.Errorf("the EC2 endpoint %q is not that of region %q", ep, n)
				}
				name = r
			}
			return objectOf(schema.Attributes, map[string]cty.Value{
				"id":          cty.StringVal(name),
				"name":        cty.StringVal(name),
				"region":      cty.StringVal(name),
				"endpoint":    cty.StringVal(ec2Endpoint(name)),
				"description": cty.StringVal(regionDescriptions[name]),
			}), nil
		},
	}
}

// ec2Endpoint is the EC2 host name of a region.
func ec2Endpoint(region string) string {
	return "ec2." + region + "." + partitionOf(region).dnsSuffix
}

// regionOfEndpoint finds the region of an EC2 endpoint host name.
func regionOfEndpoint(ep string) (string, bool) {
	ep = strings.TrimPrefix(strings.TrimPrefix(ep, "https://"), "http://")
	rest, ok := strings.CutPrefix(ep, "ec2.")
	if !ok {
		return "", false
	}
	region, _, ok := strings.Cut(rest, ".")
	if !ok || ec2Endpoint(region) != ep {
		return "", false
	}
	return region, true
}

// partitionData is aws_partition: the partition of the provider's region,
// its DNS suffix and reverse DNS prefix; id is the partition name.
func partitionData() *dataSource {
	computed := &providers.Attribute{Type: cty.String, Computed: true}
	schema := &providers.Schema{
		Type: "aws_partition",
		Attributes: map[string]*providers.Attribute{
			"id":                 computed,
			"partition":          computed,
			"dns_suffix":         computed,
			"reverse_dns_prefix": computed,
		},
	}
	return &dataSource{
		schema: schema,
		read: func(_ context.Context, p *Provider, _ cty.Value) (cty.Value, error) {
			part := partitionOf(p.region)
			return objectOf(schema.Attributes, map[string]cty.Value{
				"id":                 cty.StringVal(part.name),
				"partition":          cty.StringVal(part.name),
				"dns_suffix":         cty.StringVal(part.dnsSuffix),
				"reverse_dns_prefix": cty.StringVal(part.reverseDNSPrefix),
			}), nil
		},
	}
}

// defaultTagsData is aws_default_tags: the provider block's default_tags
// without the ignored ones, read locally. As terraform-provider-aws v5's
// defaultTagsDataSource.Read, id is the partition's name (the brief for
// this data source guessed the DNS suffix; the provider sets
// d.Meta().Partition), and tags is an empty map, not null, when there are
// none (tftags.FlattenStringValueMap).
func defaultTagsData() *dataSource {
	schema := &providers.Schema{
		Type: "aws_default_tags",
		Attributes: map[string]*providers.Attribute{
			"id":   {Type: cty.String, Computed: true},
			"tags": {Type: cty.Map(cty.String), Computed: true},
		},
	}
	return &dataSource{
		schema: schema,
		read: func(_ context.Context, p *Provider, _ cty.Value) (cty.Value, error) {
			return objectOf(schema.Attributes, map[string]cty.Value{
				"id":   cty.StringVal(partitionOf(p.region).name),
				"tags": dataTags(p, p.defaultTags),
			}), nil
		},
	}
}

// dataTags is the tags attribute of a data source, as
// terraform-provider-aws sets it: without the reserved "aws:" tags and the
// provider's ignore_tags, and an empty map (never null) when none is left.
func dataTags(p *Provider, m map[string]string) cty.Value {
	vals := map[string]cty.Value{}
	for k, v := range m {
		if !strings.HasPrefix(k, "aws:") && !p.ignoreTags.ignored(k) {
			vals[k] = cty.StringVal(v)
		}
	}
	if len(vals) == 0 {
		return cty.MapValEmpty(cty.String)
	}
	return cty.MapVal(vals)
}

// arnData is aws_arn: an ARN's parts, parsed locally as
// terraform-provider-aws v5's arnDataSource does (aws-sdk-go-v2's
// arn.Parse); id is the ARN.
func arnData() *dataSource {
	computed := &providers.Attribute{Type: cty.String, Computed: true}
	schema := &providers.Schema{
		Type: "aws_arn",
		Attributes: map[string]*providers.Attribute{
			"arn":       {Type: cty.String, Required: true},
			"id":        computed,
			"partition": computed,
			"service":   computed,
			"region":    computed,
			"account":   computed,
			"resource":  computed,
		},
	}
	return &dataSource{
		schema: schema,
		read: func(_ context.Context, _ *Provider, config cty.Value) (cty.Value, error) {
			s := attrString(config, "arn")
			a, err := arn.Parse(s)
			if err != nil {
				return cty.NilVal, fmt.Errorf("parsing ARN %q: %w", s, err)
			}
			return objectOf(schema.Attributes, map[string]cty.Value{
				"arn":       cty.StringVal(s),
				"id":        cty.StringVal(a.String()),
				"partition": cty.StringVal(a.Partition),
				"service":   cty.StringVal(a.Service),
				"region":    cty.StringVal(a.Region),
				"account":   cty.StringVal(a.AccountID),
				"resource":  cty.StringVal(a.Resource),
			}), nil
		},
	}
}

// unknownData is the value of a data source whose configuration is not yet
// known: the configured attributes as they are, the computed ones unknown.
func unknownData(schema *providers.Schema, config cty.Value) cty.Value {
	vals := map[string]cty.Value{}
	for name, a := range schema.Attributes {
		switch {
		case (a.Optional || a.Required) && !config.IsNull() && config.Type().IsObjectType() && config.Type().HasAttribute(name) && !config.GetAttr(name).IsNull():
			vals[name] = config.GetAttr(name)
		case a.Computed:
			vals[name] = cty.UnknownVal(a.ImpliedType())
		}
	}
	return objectOf(schema.Attributes, vals)
}
