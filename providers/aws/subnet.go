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

// subnetType is aws_subnet. Attribute semantics follow terraform-provider-aws
// v5 internal/service/ec2/vpc_subnet.go (resourceSubnet).
func subnetType() *resourceType {
	return &resourceType{schema: subnetSchema(), read: readSubnets, apply: applySubnet}
}

func subnetSchema() *providers.Schema {
	computed := &providers.Attribute{Type: cty.String, Computed: true}
	optBool := func(def cty.Value) *providers.Attribute {
		return &providers.Attribute{Type: cty.Bool, Optional: true, Default: def}
	}
	return &providers.Schema{
		Type: "aws_subnet",
		Tags: true,
		// A VPC holds at most one subnet with a given CIDR block.
		Identity: func(v cty.Value) string {
			vpc, ok1 := knownString(v, "vpc_id")
			cidr, ok2 := knownString(v, "cidr_block")
			if !ok1 || !ok2 || vpc == "" || cidr == "" {
				return ""
			}
			return vpc + "/" + canonicalCIDR(cidr)
		},
		Attributes: map[string]*providers.Attribute{
			"id":                              computed,
			"arn":                             computed,
			"assign_ipv6_address_on_creation": optBool(cty.False),
			"availability_zone":               {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			// Conflicts with availability_zone (ConflictsWith), which
			// generated configuration writes.
			"availability_zone_id":                           {Type: cty.String, Optional: true, Computed: true, ForceNew: true, NotGenerated: true},
			"cidr_block":                                     {Type: cty.String, Optional: true, Computed: true, ForceNew: true, Normalizer: cidrNormalizer},
			"customer_owned_ipv4_pool":                       {Type: cty.String, Optional: true},
			"enable_dns64":                                   optBool(cty.False),
			"enable_lni_at_device_index":                     {Type: cty.Number, Optional: true},
			"enable_resource_name_dns_aaaa_record_on_launch": optBool(cty.False),
			"enable_resource_name_dns_a_record_on_launch":    optBool(cty.False),
			// IPAM allocation inputs: kept from configuration by
			// Terraform, not reported by EC2.
			"ipv4_ipam_pool_id":              {Type: cty.String, Optional: true, TerraformOnly: true, ForceNew: true},
			"ipv4_netmask_length":            {Type: cty.Number, Optional: true, TerraformOnly: true, ForceNew: true},
			"ipv6_cidr_block":                {Type: cty.String, Optional: true, Computed: true, Normalizer: cidrNormalizer},
			"ipv6_cidr_block_association_id": computed,
			"ipv6_ipam_pool_id":              {Type: cty.String, Optional: true, TerraformOnly: true, ForceNew: true},
			"ipv6_native":                    {Type: cty.Bool, Optional: true, Default: cty.False, ForceNew: true},
			"ipv6_netmask_length":            {Type: cty.Number, Optional: true, TerraformOnly: true, ForceNew: true},
			// Optional without a schema default: the SDK reads an absent
			// bool as false.
			"map_customer_owned_ip_on_launch":     optBool(cty.False),
			"map_public_ip_on_launch":             optBool(cty.False),
			"outpost_arn":                         {Type: cty.String, Optional: true, ForceNew: true},
			"owner_id":                            computed,
			"private_dns_hostname_type_on_launch": {Type: cty.String, Optional: true, Computed: true, CloudDefault: cty.StringVal("ip-name")},
			"tags":                                {Type: cty.Map(cty.String), Optional: true},
			"timeouts":                            timeoutsAttribute("create", "delete"),
			"vpc_id":                              {Type: cty.String, Required: true, ForceNew: true},
		},
	}
}

func readSubnets(ctx context.Context, p *Provider, req *readRequest) ([]*providers.Live, error) {
	schema := subnetSchema()
	var live []*providers.Live
	for _, fs := range idFilterChunks("subnet-id", req.ids) {
		pages := ec2.NewDescribeSubnetsPaginator(p.ec2, &ec2.DescribeSubnetsInput{Filters: fs})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("describing subnets: %w", err)
			}
			for _, s := range page.Subnets {
				live = append(live, &providers.Live{
					ID:    aws.ToString(s.SubnetId),
					Attrs: subnetAttrs(schema, s),
					// AWS makes one default subnet per availability zone
					// in the default VPC.
					CloudManaged: aws.ToBool(s.DefaultForAz),
				})
			}
			live = req.flushPage(live, false)
		}
	}
	return live, nil
}

// subnetAttrs builds the live value of one subnet.
func subnetAttrs(schema *providers.Schema, s ec2types.Subnet) cty.Value {
	vals := map[string]cty.Value{
		"id":                              str(s.SubnetId),
		"arn":                             str(s.SubnetArn),
		"assign_ipv6_address_on_creation": boolean(s.AssignIpv6AddressOnCreation),
		"availability_zone":               str(s.AvailabilityZone),
		"availability_zone_id":            str(s.AvailabilityZoneId),
		"cidr_block":                      str(s.CidrBlock),
		"customer_owned_ipv4_pool":        strOrNull(s.CustomerOwnedIpv4Pool),
		"enable_dns64":                    boolean(s.EnableDns64),
		"ipv6_cidr_block":                 cty.StringVal(""),
		"ipv6_cidr_block_association_id":  cty.StringVal(""),
		"ipv6_native":                     boolean(s.Ipv6Native),
		"map_customer_owned_ip_on_launch": boolean(s.MapCustomerOwnedIpOnLaunch),
		"map_public_ip_on_launch":         boolean(s.MapPublicIpOnLaunch),
		"outpost_arn":                     strOrNull(s.OutpostArn),
		"owner_id":                        str(s.OwnerId),
		"tags":                            ec2Tags(s.Tags),
		"vpc_id":                          str(s.VpcId),

		"enable_resource_name_dns_aaaa_record_on_launch": cty.False,
		"enable_resource_name_dns_a_record_on_launch":    cty.False,
		"private_dns_hostname_type_on_launch":            cty.StringVal(""),
	}
	// EC2 returns 0 when LNI is not enabled; Terraform keeps it unset.
	if n := aws.ToInt32(s.EnableLniAtDeviceIndex); n != 0 {
		vals["enable_lni_at_device_index"] = cty.NumberIntVal(int64(n))
	}
	if o := s.PrivateDnsNameOptionsOnLaunch; o != nil {
		vals["enable_resource_name_dns_aaaa_record_on_launch"] = boolean(o.EnableResourceNameDnsAAAARecord)
		vals["enable_resource_name_dns_a_record_on_launch"] = boolean(o.EnableResourceNameDnsARecord)
		vals["private_dns_hostname_type_on_launch"] = cty.StringVal(string(o.HostnameType))
	}
	// A subnet has at most one IPv6 block associated at a time.
	for _, a := range s.Ipv6CidrBlockAssociationSet {
		if a.Ipv6CidrBlockState != nil && a.Ipv6CidrBlockState.State == ec2types.SubnetCidrBlockStateCodeAssociated {
			vals["ipv6_cidr_block"] = str(a.Ipv6CidrBlock)
			vals["ipv6_cidr_block_association_id"] = str(a.AssociationId)
			break
		}
	}
	if s.SubnetArn == nil {
		// Older EC2 responses (and some emulators) leave SubnetArn out;
		// build it as terraform-provider-aws would.
		vals["arn"] = cty.StringVal(ec2ARN(regionOfAZ(aws.ToString(s.AvailabilityZone)), aws.ToString(s.OwnerId), "subnet/"+aws.ToString(s.SubnetId)))
	}
	return objectOf(schema.Attributes, vals)
}

// regionOfAZ strips the zone letter of an availability zone name
// ("us-east-1a" → "us-east-1").
func regionOfAZ(az string) string {
	for i := len(az) - 1; i >= 0; i-- {
		if az[i] >= '0' && az[i] <= '9' {
			return az[:i+1]
		}
	}
	return az
}

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
