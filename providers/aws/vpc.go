package aws

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"
	"golang.org/x/sync/errgroup"

	"github.com/gitdrift/driftctl/providers"
)

// amazonIPv6Pool is the pool name EC2 reports for Amazon-provided IPv6
// blocks (assign_generated_ipv6_cidr_block = true).
const amazonIPv6Pool = "Amazon"

// vpcType is aws_vpc. Attribute semantics follow terraform-provider-aws v5
// internal/service/ec2/vpc_.go (ResourceVPC).
func vpcType() *resourceType {
	return &resourceType{schema: vpcSchema(), read: readVPCs, apply: applyVPC}
}

func vpcSchema() *providers.Schema {
	str := func(o, c bool) *providers.Attribute {
		return &providers.Attribute{Type: cty.String, Optional: o, Computed: c}
	}
	return &providers.Schema{
		Type: "aws_vpc",
		Tags: true,
		Attributes: map[string]*providers.Attribute{
			"id":  str(false, true),
			"arn": str(false, true),
			// Optional without a schema default: the SDK reads an
			// absent bool as false, so false is what is expected live.
			"assign_generated_ipv6_cidr_block": {Type: cty.Bool, Optional: true, Default: cty.False},
			"cidr_block":                       {Type: cty.String, Optional: true, Computed: true, ForceNew: true, Normalizer: cidrNormalizer},
			"default_network_acl_id":           str(false, true),
			"default_route_table_id":           str(false, true),
			"default_security_group_id":        str(false, true),
			"dhcp_options_id":                  str(false, true),
			"enable_dns_hostnames":             {Type: cty.Bool, Optional: true, Computed: true},
			"enable_dns_support":               {Type: cty.Bool, Optional: true, Default: cty.True},
			// Reading it takes a third DescribeVpcAttribute call per
			// VPC; it is not read and so never compared.
			"enable_network_address_usage_metrics": {Type: cty.Bool, Optional: true, Computed: true, TerraformOnly: true},
			// Not ForceNew in terraform-provider-aws v5 (resourceVPCUpdate
			// calls ModifyVpcTenancy), but EC2 changes only "dedicated" to
			// "default" in place; Apply refuses any other change.
			"instance_tenancy": {Type: cty.String, Optional: true, Default: cty.StringVal("default")},
			// IPAM allocation inputs: Terraform keeps them from
			// configuration, EC2 does not report them.
			"ipv4_ipam_pool_id":   {Type: cty.String, Optional: true, TerraformOnly: true, ForceNew: true},
			"ipv4_netmask_length": {Type: cty.Number, Optional: true, TerraformOnly: true, ForceNew: true},
			"ipv6_association_id": str(false, true),
			// Amazon assigns the block of assign_generated_ipv6_cidr_block;
			// an IPAM block needs ipv6_ipam_pool_id (RequiredWith), which
			// EC2 does not report: generated configuration leaves it out.
			"ipv6_cidr_block":                      {Type: cty.String, Optional: true, Computed: true, Normalizer: cidrNormalizer, NotGenerated: true},
			"ipv6_cidr_block_network_border_group": str(true, true),
			// EC2 reports an IPAM-allocated block's pool as "IPAM
			// Managed", never the pool ID; terraform-provider-aws then
			// keeps the configured ID (resourceVPCRead,
			// ipamManagedIPv6PoolID). Not comparable with the cloud.
			"ipv6_ipam_pool_id":   {Type: cty.String, Optional: true, TerraformOnly: true},
			"ipv6_netmask_length": {Type: cty.Number, Optional: true},
			"main_route_table_id": str(false, true),
			"owner_id":            str(false, true),
			"tags":                {Type: cty.Map(cty.String), Optional: true},
		},
	}
}

// vpcExtras are what DescribeVpcs does not return about a VPC.
type vpcExtras struct {
	dnsSupport bool
	// dnsHostnames is null when no configuration writes it (it is
	// optional+computed, so never compared then).
	dnsHostnames   cty.Value
	mainRouteTable string
	defaultACL     string
	defaultSG      string
}

func readVPCs(ctx context.Context, p *Provider, req *readRequest) ([]*providers.Live, error) {
	var vpcs []ec2types.Vpc
	for _, fs := range idFilterChunks("vpc-id", req.ids) {
		pages := ec2.NewDescribeVpcsPaginator(p.ec2, &ec2.DescribeVpcsInput{Filters: fs})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("describing VPCs: %w", err)
			}
			vpcs = append(vpcs, page.Vpcs...)
		}
	}
	if len(vpcs) == 0 {
		return nil, nil
	}
	extras, err := readVPCExtras(ctx, p, req, vpcs, len(req.ids) > 0)
	if err != nil {
		return nil, err
	}
	schema := vpcSchema()
	live := make([]*providers.Live, 0, len(vpcs))
	for _, v := range vpcs {
		id := aws.ToString(v.VpcId)
		live = append(live, &providers.Live{
			ID:           id,
			Attrs:        vpcAttrs(schema, p.region, v, extras[id]),
			CloudManaged: aws.ToBool(v.IsDefault),
		})
	}
	return live, nil
}

// readVPCExtras reads the main route tables, default network ACLs and
// default security groups of the VPCs (one listing each, filtered by VPC
// when the read was limited to some IDs) and the two DNS attributes of
// each VPC, which EC2 only returns one VPC and one attribute at a time.
func readVPCExtras(ctx context.Context, p *Provider, req *readRequest, vpcs []ec2types.Vpc, limited bool) (map[string]*vpcExtras, error) {
	extras := make(map[string]*vpcExtras, len(vpcs))
	var vpcIDs []string
	for _, v := range vpcs {
		id := aws.ToString(v.VpcId)
		extras[id] = &vpcExtras{}
		vpcIDs = append(vpcIDs, id)
	}
	byVPC := vpcIDs
	if !limited {
		byVPC = nil
	}

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(ec2Concurrency)
	// The listings write disjoint fields of extras; each runs in one
	// goroutine, so they need no lock between them.
	g.Go(func() error {
		for _, fs := range idFilterChunks("vpc-id", byVPC, filter("association.main", "true")) {
			pages := ec2.NewDescribeRouteTablesPaginator(p.ec2, &ec2.DescribeRouteTablesInput{Filters: fs})
			for pages.HasMorePages() {
				page, err := pages.NextPage(gctx)
				if err != nil {
					return fmt.Errorf("describing main route tables: %w", err)
				}
				for _, rt := range page.RouteTables {
					if e := extras[aws.ToString(rt.VpcId)]; e != nil {
						e.mainRouteTable = aws.ToString(rt.RouteTableId)
					}
				}
			}
		}
		return nil
	})
	g.Go(func() error {
		for _, fs := range idFilterChunks("vpc-id", byVPC, filter("default", "true")) {
			pages := ec2.NewDescribeNetworkAclsPaginator(p.ec2, &ec2.DescribeNetworkAclsInput{Filters: fs})
			for pages.HasMorePages() {
				page, err := pages.NextPage(gctx)
				if err != nil {
					return fmt.Errorf("describing default network ACLs: %w", err)
				}
				for _, acl := range page.NetworkAcls {
					if e := extras[aws.ToString(acl.VpcId)]; e != nil {
						e.defaultACL = aws.ToString(acl.NetworkAclId)
					}
				}
			}
		}
		return nil
	})
	g.Go(func() error {
		for _, fs := range idFilterChunks("vpc-id", byVPC, filter("group-name", "default")) {
			pages := ec2.NewDescribeSecurityGroupsPaginator(p.ec2, &ec2.DescribeSecurityGroupsInput{Filters: fs})
			for pages.HasMorePages() {
				page, err := pages.NextPage(gctx)
				if err != nil {
					return fmt.Errorf("describing default security groups: %w", err)
				}
				for _, sg := range page.SecurityGroups {
					if e := extras[aws.ToString(sg.VpcId)]; e != nil {
						e.defaultSG = aws.ToString(sg.GroupId)
					}
				}
			}
		}
		return nil
	})
	for _, id := range vpcIDs {
		e := extras[id]
		g.Go(func() error {
			v, err := vpcAttribute(gctx, p, id, ec2types.VpcAttributeNameEnableDnsSupport)
			e.dnsSupport = v
			return err
		})
		e.dnsHostnames = cty.NullVal(cty.Bool)
		if !req.written("enable_dns_hostnames") {
			continue
		}
		g.Go(func() error {
			v, err := vpcAttribute(gctx, p, id, ec2types.VpcAttributeNameEnableDnsHostnames)
			e.dnsHostnames = cty.BoolVal(v)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return extras, nil
}

// vpcAttribute reads one boolean attribute of a VPC: DescribeVpcAttribute
// answers one VPC and one attribute at a time.
func vpcAttribute(ctx context.Context, p *Provider, id string, name ec2types.VpcAttributeName) (bool, error) {
	out, err := p.ec2.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String(id), Attribute: name})
	if err != nil {
		return false, fmt.Errorf("describing VPC %s attribute %s: %w", id, name, err)
	}
	var v *ec2types.AttributeBooleanValue
	switch name {
	case ec2types.VpcAttributeNameEnableDnsSupport:
		v = out.EnableDnsSupport
	case ec2types.VpcAttributeNameEnableDnsHostnames:
		v = out.EnableDnsHostnames
	case ec2types.VpcAttributeNameEnableNetworkAddressUsageMetrics:
		v = out.EnableNetworkAddressUsageMetrics
	default:
		return false, fmt.Errorf("describing VPC %s: unknown attribute %s", id, name)
	}
	return v != nil && aws.ToBool(v.Value), nil
}

// vpcAttrs builds the live value of one VPC.
func vpcAttrs(schema *providers.Schema, region string, v ec2types.Vpc, e *vpcExtras) cty.Value {
	id := aws.ToString(v.VpcId)
	owner := aws.ToString(v.OwnerId)
	vals := map[string]cty.Value{
		"id":                        cty.StringVal(id),
		"arn":                       cty.StringVal(ec2ARN(region, owner, "vpc/"+id)),
		"cidr_block":                str(v.CidrBlock),
		"default_network_acl_id":    cty.StringVal(e.defaultACL),
		"default_route_table_id":    cty.StringVal(e.mainRouteTable),
		"default_security_group_id": cty.StringVal(e.defaultSG),
		"dhcp_options_id":           str(v.DhcpOptionsId),
		"enable_dns_hostnames":      nullIfNil(e.dnsHostnames, cty.Bool),
		"enable_dns_support":        cty.BoolVal(e.dnsSupport),
		"instance_tenancy":          cty.StringVal(string(v.InstanceTenancy)),
		"main_route_table_id":       cty.StringVal(e.mainRouteTable),
		"owner_id":                  cty.StringVal(owner),
		"tags":                      ec2Tags(v.Tags),

		"assign_generated_ipv6_cidr_block":     cty.False,
		"ipv6_association_id":                  cty.StringVal(""),
		"ipv6_cidr_block":                      cty.StringVal(""),
		"ipv6_cidr_block_network_border_group": cty.StringVal(""),
	}
	// As terraform-provider-aws, the first associated IPv6 block is the
	// VPC's ipv6_cidr_block; the pool says whether Amazon assigned it.
	for _, a := range v.Ipv6CidrBlockAssociationSet {
		if a.Ipv6CidrBlockState == nil || a.Ipv6CidrBlockState.State != ec2types.VpcCidrBlockStateCodeAssociated {
			continue
		}
		pool := aws.ToString(a.Ipv6Pool)
		cidr := aws.ToString(a.Ipv6CidrBlock)
		vals["assign_generated_ipv6_cidr_block"] = cty.BoolVal(pool == amazonIPv6Pool)
		vals["ipv6_association_id"] = str(a.AssociationId)
		vals["ipv6_cidr_block"] = cty.StringVal(cidr)
		vals["ipv6_cidr_block_network_border_group"] = str(a.NetworkBorderGroup)
		if pool != "" && pool != amazonIPv6Pool {
			if _, bits, ok := strings.Cut(cidr, "/"); ok {
				if n, err := strconv.Atoi(bits); err == nil {
					vals["ipv6_netmask_length"] = cty.NumberIntVal(int64(n))
				}
			}
		}
		break
	}
	return objectOf(schema.Attributes, vals)
}

// nullIfNil is v, or a null of ty when v was never set.
func nullIfNil(v cty.Value, ty cty.Type) cty.Value {
	if v == cty.NilVal {
		return cty.NullVal(ty)
	}
	return v
}

// applyVPC creates, updates or deletes an aws_vpc as
// terraform-provider-aws's resourceVPCCreate, Update and Delete do.
func applyVPC(ctx context.Context, p *Provider, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	return applier{
		create: createVPC,
		updatable: []string{"tags", "enable_dns_support", "enable_dns_hostnames",
			"enable_network_address_usage_metrics", "instance_tenancy"},
		update: updateVPC,
		delete: deleteVPC,
	}.apply(ctx, p, req)
}

func deleteVPC(ctx context.Context, p *Provider, c *applyChange) error {
	if _, err := p.ec2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(c.ID)}); err != nil {
		return fmt.Errorf("deleting VPC %s: %w", c.ID, err)
	}
	return nil
}

func createVPC(ctx context.Context, p *Provider, c *applyChange) (string, error) {
	s, d := vpcSchema(), c.Desired
	in := &ec2.CreateVpcInput{TagSpecifications: p.tagSpecifications(ec2types.ResourceTypeVpc, d)}
	if v, ok := desiredString(s, d, "cidr_block"); ok {
		in.CidrBlock = aws.String(v)
	}
	if v, ok := desiredString(s, d, "instance_tenancy"); ok {
		in.InstanceTenancy = ec2types.Tenancy(v)
	}
	if v, ok := desiredBool(s, d, "assign_generated_ipv6_cidr_block"); ok && v {
		in.AmazonProvidedIpv6CidrBlock = aws.Bool(true)
	}
	if v, ok := desiredString(s, d, "ipv6_cidr_block"); ok {
		in.Ipv6CidrBlock = aws.String(v)
	}
	if v, ok := desiredString(s, d, "ipv6_cidr_block_network_border_group"); ok {
		in.Ipv6CidrBlockNetworkBorderGroup = aws.String(v)
	}
	if v, ok := desiredString(s, d, "ipv4_ipam_pool_id"); ok {
		in.Ipv4IpamPoolId = aws.String(v)
	}
	if v, ok := desiredInt32(s, d, "ipv4_netmask_length"); ok {
		in.Ipv4NetmaskLength = aws.Int32(v)
	}
	if v, ok := desiredString(s, d, "ipv6_ipam_pool_id"); ok {
		in.Ipv6IpamPoolId = aws.String(v)
	}
	if v, ok := desiredInt32(s, d, "ipv6_netmask_length"); ok {
		in.Ipv6NetmaskLength = aws.Int32(v)
	}
	out, err := p.ec2.CreateVpc(ctx, in)
	if err != nil {
		return "", fmt.Errorf("creating VPC: %w", err)
	}
	id := aws.ToString(out.Vpc.VpcId)
	// A new VPC has DNS support on and DNS hostnames and network address
	// usage metrics off; change only what the configuration sets otherwise.
	if v, ok := desiredBool(s, d, "enable_dns_support"); ok && !v {
		if err := modifyVPCAttribute(ctx, p, id, "enable_dns_support", false); err != nil {
			return "", err
		}
	}
	if v, ok := desiredBool(s, d, "enable_dns_hostnames"); ok && v {
		if err := modifyVPCAttribute(ctx, p, id, "enable_dns_hostnames", true); err != nil {
			return "", err
		}
	}
	if v, ok := desiredBool(s, d, "enable_network_address_usage_metrics"); ok && v {
		if err := modifyVPCAttribute(ctx, p, id, "enable_network_address_usage_metrics", true); err != nil {
			return "", err
		}
	}
	return id, nil
}

func updateVPC(ctx context.Context, p *Provider, c *applyChange) (string, error) {
	s, d := vpcSchema(), c.Desired
	changed := c.changed
	if changed["instance_tenancy"] {
		// EC2 changes a VPC's tenancy from dedicated to default only;
		// terraform-provider-aws replaces the VPC for any other change.
		v, _ := desiredString(s, d, "instance_tenancy")
		if v != string(ec2types.TenancyDefault) {
			return "", fmt.Errorf("instance_tenancy can only change to %q in place: %w", ec2types.TenancyDefault, providers.ErrNotSupported)
		}
		if _, err := p.ec2.ModifyVpcTenancy(ctx, &ec2.ModifyVpcTenancyInput{
			VpcId: aws.String(c.ID), InstanceTenancy: ec2types.VpcTenancyDefault,
		}); err != nil {
			return "", fmt.Errorf("modifying VPC %s tenancy: %w", c.ID, err)
		}
	}
	for _, name := range []string{"enable_dns_support", "enable_dns_hostnames", "enable_network_address_usage_metrics"} {
		if !changed[name] {
			continue
		}
		v, ok := desiredBool(s, d, name)
		if !ok {
			// Optional+computed left out: any live value is accepted.
			continue
		}
		if err := modifyVPCAttribute(ctx, p, c.ID, name, v); err != nil {
			return "", err
		}
	}
	if changed["tags"] {
		if err := p.updateTags(ctx, c.ID, c.Live, d); err != nil {
			return "", err
		}
	}
	return c.ID, nil
}

// modifyVPCAttribute sets one boolean VPC attribute: ModifyVpcAttribute
// takes one attribute per call.
func modifyVPCAttribute(ctx context.Context, p *Provider, id, name string, v bool) error {
	in := &ec2.ModifyVpcAttributeInput{VpcId: aws.String(id)}
	switch name {
	case "enable_dns_support":
		in.EnableDnsSupport = attributeBool(v)
	case "enable_dns_hostnames":
		in.EnableDnsHostnames = attributeBool(v)
	case "enable_network_address_usage_metrics":
		in.EnableNetworkAddressUsageMetrics = attributeBool(v)
	default:
		return fmt.Errorf("modifying VPC %s: unknown attribute %s", id, name)
	}
	if _, err := p.ec2.ModifyVpcAttribute(ctx, in); err != nil {
		return fmt.Errorf("modifying VPC %s %s: %w", id, name, err)
	}
	return nil
}
