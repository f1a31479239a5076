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
			"availability_zone_id":            {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
			"cidr_block":                      {Type: cty.String, Optional: true, Computed: true, ForceNew: true, Normalizer: cidrNormalizer},
			"customer_owned_ipv4_pool":        {Type: cty.String, Optional: true},
			"enable_dns64":                    optBool(cty.False),
			"enable_lni_at_device_index":      {Type: cty.Number, Optional: true},
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
			"private_dns_hostname_type_on_launch": {Type: cty.String, Optional: true, Computed: true},
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
