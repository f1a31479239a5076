package aws

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// instanceType is aws_instance. Attribute semantics follow
// terraform-provider-aws v5 internal/service/ec2/ec2_instance.go
// (ResourceInstance); the read is in instance_read.go and the apply in
// instance_apply.go, which in this file would make it 1,200 lines.
//
// Terraform's read makes several calls per instance (DescribeInstanceAttribute
// for user data, API termination and stop protection, shutdown behaviour;
// the launch template; the password data). driftctl reads in batches where
// it can. The DescribeInstanceAttribute attributes are optional+computed and
// read, one call per instance and attribute, only when a configuration
// writes them (see written); otherwise they are null, which a configuration
// that leaves them out accepts. The other per-instance attributes are
// TerraformOnly: accepted in configuration and never compared, rather than
// compared with a value that was not read.
func instanceType() *resourceType {
	return &resourceType{schema: instanceSchema(), read: readInstances, apply: applyInstance}
}

func instanceSchema() *providers.Schema {
	notRead := func(t cty.Type) *providers.Attribute {
		return &providers.Attribute{Type: t, Optional: true, TerraformOnly: true}
	}
	single := func(tfOnly bool, attrs map[string]*providers.Attribute) *providers.Attribute {
		return &providers.Attribute{
			Optional: true, Computed: !tfOnly, TerraformOnly: tfOnly,
			Nested: &providers.NestedBlock{Nesting: providers.NestingList, MaxItems: 1, Attributes: attrs},
		}
	}
	set := func(attrs map[string]*providers.Attribute) *providers.Attribute {
		return &providers.Attribute{
			Optional: true, TerraformOnly: true,
			Nested: &providers.NestedBlock{Nesting: providers.NestingSet, Attributes: attrs},
		}
	}
	str, num, boolean := cty.String, cty.Number, cty.Bool
	opt := func(t cty.Type) *providers.Attribute { return &providers.Attribute{Type: t, Optional: true} }
	s := &providers.Schema{
		Type: "aws_instance",
		Tags: true,
		Attributes: map[string]*providers.Attribute{
			"id":                          computed(str),
			"ami":                         optComp(str),
			"arn":                         computed(str),
			"associate_public_ip_address": optComp(boolean),
			"availability_zone":           optComp(str),
			"capacity_reservation_specification": single(true, map[string]*providers.Attribute{
				"capacity_reservation_preference": opt(str),
				"capacity_reservation_target": single(true, map[string]*providers.Attribute{
					"capacity_reservation_id":                 opt(str),
					"capacity_reservation_resource_group_arn": opt(str),
				}),
			}),
			"cpu_core_count":       optComp(num),
			"cpu_threads_per_core": optComp(num),
			"cpu_options": single(false, map[string]*providers.Attribute{
				"amd_sev_snp":      optComp(str),
				"core_count":       optComp(num),
				"threads_per_core": optComp(num),
			}),
			// Optional in Terraform, with a DiffSuppressFunc that accepts a
			// block removed from configuration: Optional+Computed here.
			"credit_specification": single(false, map[string]*providers.Attribute{
				"cpu_credits": optComp(str),
			}),
			// Read with DescribeInstanceAttribute, only when written
			// (instanceAttributeReads); updatable in place.
			"disable_api_stop":        optComp(boolean),
			"disable_api_termination": optComp(boolean),
			// Terraform reads only the devices that configuration names;
			// without the configuration at read time they are not read.
			"ebs_block_device": set(map[string]*providers.Attribute{
				"delete_on_termination": {Type: boolean, Optional: true, Default: cty.True},
				"device_name":           {Type: str, Required: true},
				"encrypted":             optComp(boolean),
				"iops":                  optComp(num),
				"kms_key_id":            optComp(str),
				"snapshot_id":           optComp(str),
				"tags":                  opt(cty.Map(str)),
				"throughput":            optComp(num),
				"volume_id":             computed(str),
				"volume_size":           optComp(num),
				"volume_type":           optComp(str),
			}),
			"ebs_optimized": optComp(boolean),
			"enclave_options": single(false, map[string]*providers.Attribute{
				"enabled": optComp(boolean),
			}),
			"ephemeral_block_device": set(map[string]*providers.Attribute{
				"device_name":  {Type: str, Required: true},
				"no_device":    opt(boolean),
				"virtual_name": opt(str),
			}),
			"get_password_data":                    {Type: boolean, Optional: true, TerraformOnly: true, Default: cty.False},
			"hibernation":                          opt(boolean),
			"host_id":                              optComp(str),
			"host_resource_group_arn":              optComp(str),
			"iam_instance_profile":                 optComp(str),
			"instance_initiated_shutdown_behavior": optComp(str), // as disable_api_stop
			"instance_state":                       computed(str),
			"instance_type":                        {Type: str, Optional: true, Computed: true, Normalizer: instanceTypeNormalizer},
			"ipv6_address_count":                   optComp(num),
			"ipv6_addresses":                       optComp(cty.List(str)),
			"key_name":                             optComp(str),
			"launch_template": single(true, map[string]*providers.Attribute{
				"id":      opt(str),
				"name":    opt(str),
				"version": {Type: str, Optional: true, Default: cty.StringVal("$Default")},
			}),
			"maintenance_options": single(false, map[string]*providers.Attribute{
				"auto_recovery": optComp(str),
			}),
			"metadata_options": single(false, map[string]*providers.Attribute{
				"http_endpoint":               optComp(str),
				"http_protocol_ipv6":          optComp(str),
				"http_put_response_hop_limit": optComp(num),
				"http_tokens":                 optComp(str),
				"instance_metadata_tags":      optComp(str),
			}),
			"monitoring": optComp(boolean),
			// Like ebs_block_device, read by Terraform only for the
			// device indexes that configuration names.
			"network_interface": set(map[string]*providers.Attribute{
				"delete_on_termination": {Type: boolean, Optional: true, Default: cty.False},
				"device_index":          {Type: num, Required: true},
				"network_card_index":    {Type: num, Optional: true, Default: cty.Zero},
				"network_interface_id":  {Type: str, Required: true},
			}),
			"outpost_arn":                  computed(str),
			"password_data":                {Type: str, Computed: true, Sensitive: true, TerraformOnly: true},
			"placement_group":              optComp(str),
			"placement_partition_number":   optComp(num),
			"primary_network_interface_id": computed(str),
			"private_dns":                  computed(str),
			"private_dns_name_options": single(false, map[string]*providers.Attribute{
				"enable_resource_name_dns_aaaa_record": optComp(boolean),
				"enable_resource_name_dns_a_record":    optComp(boolean),
				"hostname_type":                        optComp(str),
			}),
			"private_ip": optComp(str),
			"public_dns": computed(str),
			"public_ip":  computed(str),
			"root_block_device": single(false, map[string]*providers.Attribute{
				"delete_on_termination": {Type: boolean, Optional: true, Default: cty.True},
				"device_name":           computed(str),
				"encrypted":             optComp(boolean),
				"iops":                  optComp(num),
				"kms_key_id":            optComp(str),
				"tags":                  optComp(cty.Map(str)),
				"throughput":            optComp(num),
				"volume_id":             computed(str),
				"volume_size":           optComp(num),
				"volume_type":           optComp(str),
			}),
			"secondary_private_ips": optComp(cty.Set(str)),
			"security_groups":       optComp(cty.Set(str)),
			"source_dest_check":     {Type: boolean, Optional: true, Default: cty.True},
			"subnet_id":             optComp(str),
			"tags":                  opt(cty.Map(str)),
			"tenancy":               optComp(str),
			"timeouts":              timeoutsAttribute("create", "update", "delete"),
			// Read with DescribeInstanceAttribute, only when written. As
			// Terraform's StateFunc, the live value is the SHA-1 of the
			// user data (EC2 returns it base64-encoded); the normalizer
			// brings configured text, base64 and state hashes to it.
			"user_data": {Type: str, Optional: true, Computed: true, Normalizer: userDataNormalizer},
			// The base64 value as EC2 returns it, compared as written.
			"user_data_base64":            optComp(str),
			"user_data_replace_on_change": {Type: boolean, Optional: true, TerraformOnly: true, Default: cty.False},
			// Terraform reads volume_tags only when configuration sets
			// them and no block device declares its own tags.
			"volume_tags":            notRead(cty.Map(str)),
			"vpc_security_group_ids": optComp(cty.Set(str)),
		},
	}
	// What terraform-provider-aws v5 marks ForceNew. A block is marked as
	// a whole when each attribute a configuration sets in it is ForceNew
	// (cpu_options, ebs_block_device, enclave_options, network_interface).
	for _, name := range []string{
		"ami", "associate_public_ip_address", "availability_zone",
		"cpu_core_count", "cpu_options", "cpu_threads_per_core",
		"ebs_block_device", "ebs_optimized", "enclave_options", "ephemeral_block_device",
		"hibernation", "host_id", "ipv6_address_count", "ipv6_addresses", "key_name",
		"launch_template", "network_interface", "placement_group", "placement_partition_number",
		"private_dns_name_options", "private_ip", "security_groups", "subnet_id", "tenancy",
	} {
		s.Attributes[name].ForceNew = true
	}
	// What configuration generated from the cloud leaves out: user_data
	// is read as its SHA-1, which no configuration writes
	// (user_data_base64 is the user data as EC2 returns it);
	// cpu_core_count and cpu_threads_per_core are deprecated for
	// cpu_options; security_groups are the names of
	// vpc_security_group_ids' groups, which Terraform keeps empty for an
	// instance in a VPC (readSecurityGroups); ipv6_addresses conflict with
	// ipv6_address_count; availability_zone follows from subnet_id; EC2
	// assigns private_ip from the subnet.
	for _, name := range []string{
		"user_data", "cpu_core_count", "cpu_threads_per_core", "security_groups",
		"ipv6_addresses", "availability_zone", "private_ip",
	} {
		s.Attributes[name].NotGenerated = true
	}
	// What EC2 sets when a launch leaves them out (RunInstances and
	// InstanceMetadataOptionsRequest defaults): generated configuration
	// leaves these values out. The metadata hop limit and tokens depend
	// on the AMI, and the credits on the instance family.
	stop, def, ipName := cty.StringVal("stop"), cty.StringVal("default"), cty.StringVal("ip-name")
	enabled, disabled := cty.StringVal("enabled"), cty.StringVal("disabled")
	s.Attributes["instance_initiated_shutdown_behavior"].CloudDefault = stop
	s.Attributes["tenancy"].CloudDefault = def
	md := s.Attributes["metadata_options"].Nested.Attributes
	md["http_endpoint"].CloudDefault = enabled
	md["http_protocol_ipv6"].CloudDefault = disabled
	md["instance_metadata_tags"].CloudDefault = disabled
	s.Attributes["maintenance_options"].Nested.Attributes["auto_recovery"].CloudDefault = def
	s.Attributes["private_dns_name_options"].Nested.Attributes["hostname_type"].CloudDefault = ipName
	root := s.Attributes["root_block_device"].Nested.Attributes
	root["encrypted"].ForceNew = true
	root["kms_key_id"].ForceNew = true
	return s
}

// instanceTypeNormalizer compares instance types without case or
// surrounding space; EC2 reports them lower-case ("t3.micro").
var instanceTypeNormalizer = providers.NormalizerFunc(func(v cty.Value) (cty.Value, error) {
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return v, nil
	}
	return cty.StringVal(strings.ToLower(strings.TrimSpace(v.AsString()))), nil
})

// userDataNormalizer turns user data into terraform-provider-aws's
// userDataHashSum: the hex SHA-1 of the base64-decoded value when it is
// valid base64 (what EC2 returns, or user_data written pre-encoded), else of
// the text itself (configuration). A value that already is a 40-digit hex
// SHA-1 (from Terraform state) is kept as is.
var userDataNormalizer = providers.NormalizerFunc(func(v cty.Value) (cty.Value, error) {
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return v, nil
	}
	return cty.StringVal(userDataHash(v.AsString())), nil
})

// userDataHash is the normal form of user data (see userDataNormalizer).
// Terraform treats "" and the SHA-1 of "" alike (its DiffSuppressFunc), so
// "" hashes too.
func userDataHash(s string) string {
	if len(s) == sha1.Size*2 && isLowerHex(s) {
		return s
	}
	return userDataHashSum(s)
}

// userDataHashSum is terraform-provider-aws's userDataHashSum, without
// userDataHash's shortcut for a value that already is a hash: the read uses
// it on what EC2 returns, which is base64 (and might, rarely, be 40
// lower-case hex digits).
func userDataHashSum(s string) string {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b = []byte(s)
	}
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

func isLowerHex(s string) bool {
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
