package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/gitdrift/driftctl/providers"
)

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
