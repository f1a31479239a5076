package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// subnetBoolAttributes are the boolean subnet attributes that
// ModifySubnetAttribute changes, in terraform-provider-aws's update order:
// IPv6 assignment is switched off first and on last.
var subnetBoolAttributes = []string{
	"enable_dns64",
	"enable_resource_name_dns_aaaa_record_on_launch",
	"enable_resource_name_dns_a_record_on_launch",
	"map_public_ip_on_launch",
}

// applySubnet creates, updates or deletes an aws_subnet as
// terraform-provider-aws's resourceSubnetCreate, Update and Delete do.
func applySubnet(ctx context.Context, p *Provider, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	return applier{
		create: createSubnet,
		updatable: append([]string{"tags", "assign_ipv6_address_on_creation", "private_dns_hostname_type_on_launch",
			"enable_lni_at_device_index", "customer_owned_ipv4_pool", "map_customer_owned_ip_on_launch"}, subnetBoolAttributes...),
		update: updateSubnet,
		delete: deleteSubnet,
	}.apply(ctx, p, req)
}

func deleteSubnet(ctx context.Context, p *Provider, c *applyChange) error {
	if _, err := p.ec2.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(c.ID)}); err != nil {
		return fmt.Errorf("deleting subnet %s: %w", c.ID, err)
	}
	return nil
}

func createSubnet(ctx context.Context, p *Provider, c *applyChange) (string, error) {
	s, d := subnetSchema(), c.Desired
	in := &ec2.CreateSubnetInput{TagSpecifications: p.tagSpecifications(ec2types.ResourceTypeSubnet, d)}
	if v, ok := desiredString(s, d, "vpc_id"); ok {
		in.VpcId = aws.String(v)
	}
	if v, ok := desiredString(s, d, "availability_zone"); ok {
		in.AvailabilityZone = aws.String(v)
	}
	if v, ok := desiredString(s, d, "availability_zone_id"); ok {
		in.AvailabilityZoneId = aws.String(v)
	}
	if v, ok := desiredString(s, d, "cidr_block"); ok {
		in.CidrBlock = aws.String(v)
	}
	if v, ok := desiredString(s, d, "ipv6_cidr_block"); ok {
		in.Ipv6CidrBlock = aws.String(v)
	}
	if v, ok := desiredBool(s, d, "ipv6_native"); ok && v {
		in.Ipv6Native = aws.Bool(true)
	}
	if v, ok := desiredString(s, d, "outpost_arn"); ok {
		in.OutpostArn = aws.String(v)
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
	out, err := p.ec2.CreateSubnet(ctx, in)
	if err != nil {
		return "", fmt.Errorf("creating subnet: %w", err)
	}
	id := aws.ToString(out.Subnet.SubnetId)
	// A new subnet has every boolean attribute off; switch on those the
	// configuration sets, as modifySubnetAttributesOnCreate.
	var changed []string
	for _, name := range append([]string{"assign_ipv6_address_on_creation"}, subnetBoolAttributes...) {
		if v, ok := desiredBool(s, d, name); ok && v {
			changed = append(changed, name)
		}
	}
	for _, name := range []string{"private_dns_hostname_type_on_launch", "enable_lni_at_device_index", "customer_owned_ipv4_pool"} {
		if !desiredAttr(s, d, name).IsNull() {
			changed = append(changed, name)
		}
	}
	if err := modifySubnetAttributes(ctx, p, id, d, changesOf(providers.ApplyRequest{Changed: changed})); err != nil {
		return "", err
	}
	return id, nil
}

func updateSubnet(ctx context.Context, p *Provider, c *applyChange) (string, error) {
	changed := c.changed
	if err := modifySubnetAttributes(ctx, p, c.ID, c.Desired, changed); err != nil {
		return "", err
	}
	if changed["tags"] {
		if err := p.updateTags(ctx, c.ID, c.Live, c.Desired); err != nil {
			return "", err
		}
	}
	return c.ID, nil
}

// modifySubnetAttributes sets the changed subnet attributes to their
// desired values. ModifySubnetAttribute takes one attribute per call, but
// for the customer-owned IP pool and its map-on-launch flag, which go
// together.
func modifySubnetAttributes(ctx context.Context, p *Provider, id string, d cty.Value, changed changeSet) error {
	s := subnetSchema()
	modify := func(name string, set func(in *ec2.ModifySubnetAttributeInput)) error {
		in := &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(id)}
		set(in)
		if _, err := p.ec2.ModifySubnetAttribute(ctx, in); err != nil {
			return fmt.Errorf("modifying subnet %s %s: %w", id, name, err)
		}
		return nil
	}
	boolAttr := func(name string, set func(in *ec2.ModifySubnetAttributeInput, v *ec2types.AttributeBooleanValue)) error {
		v, _ := desiredBool(s, d, name)
		return modify(name, func(in *ec2.ModifySubnetAttributeInput) { set(in, attributeBool(v)) })
	}
	assignIPv6, _ := desiredBool(s, d, "assign_ipv6_address_on_creation")
	setAssignIPv6 := func(in *ec2.ModifySubnetAttributeInput, v *ec2types.AttributeBooleanValue) {
		in.AssignIpv6AddressOnCreation = v
	}
	if changed["assign_ipv6_address_on_creation"] && !assignIPv6 {
		if err := boolAttr("assign_ipv6_address_on_creation", setAssignIPv6); err != nil {
			return err
		}
	}
	if changed["customer_owned_ipv4_pool"] || changed["map_customer_owned_ip_on_launch"] {
		pool, _ := desiredString(s, d, "customer_owned_ipv4_pool")
		mapOnLaunch, _ := desiredBool(s, d, "map_customer_owned_ip_on_launch")
		if err := modify("customer_owned_ipv4_pool", func(in *ec2.ModifySubnetAttributeInput) {
			in.CustomerOwnedIpv4Pool = aws.String(pool)
			in.MapCustomerOwnedIpOnLaunch = attributeBool(mapOnLaunch)
		}); err != nil {
			return err
		}
	}
	setters := map[string]func(in *ec2.ModifySubnetAttributeInput, v *ec2types.AttributeBooleanValue){
		"enable_dns64": func(in *ec2.ModifySubnetAttributeInput, v *ec2types.AttributeBooleanValue) { in.EnableDns64 = v },
		"enable_resource_name_dns_aaaa_record_on_launch": func(in *ec2.ModifySubnetAttributeInput, v *ec2types.AttributeBooleanValue) {
			in.EnableResourceNameDnsAAAARecordOnLaunch = v
		},
		"enable_resource_name_dns_a_record_on_launch": func(in *ec2.ModifySubnetAttributeInput, v *ec2types.AttributeBooleanValue) {
			in.EnableResourceNameDnsARecordOnLaunch = v
		},
		"map_public_ip_on_launch": func(in *ec2.ModifySubnetAttributeInput, v *ec2types.AttributeBooleanValue) {
			in.MapPublicIpOnLaunch = v
		},
	}
	for _, name := range subnetBoolAttributes {
		if changed[name] {
			if err := boolAttr(name, setters[name]); err != nil {
				return err
			}
		}
	}
	if changed["enable_lni_at_device_index"] {
		n, ok := desiredInt32(s, d, "enable_lni_at_device_index")
		if err := modify("enable_lni_at_device_index", func(in *ec2.ModifySubnetAttributeInput) {
			if ok && n != 0 {
				in.EnableLniAtDeviceIndex = aws.Int32(n)
			} else {
				in.DisableLniAtDeviceIndex = attributeBool(true)
			}
		}); err != nil {
			return err
		}
	}
	if changed["private_dns_hostname_type_on_launch"] {
		if v, ok := desiredString(s, d, "private_dns_hostname_type_on_launch"); ok {
			if err := modify("private_dns_hostname_type_on_launch", func(in *ec2.ModifySubnetAttributeInput) {
				in.PrivateDnsHostnameTypeOnLaunch = ec2types.HostnameType(v)
			}); err != nil {
				return err
			}
		}
	}
	if changed["assign_ipv6_address_on_creation"] && assignIPv6 {
		if err := boolAttr("assign_ipv6_address_on_creation", setAssignIPv6); err != nil {
			return err
		}
	}
	return nil
}
