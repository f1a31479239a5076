package aws

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// instanceCreateUnsupported are the aws_instance blocks a Create does not
// write yet: with one of them set, the Create fails before launching
// anything rather than launch an instance that differs from configuration.
var instanceCreateUnsupported = []string{
	"capacity_reservation_specification", "ebs_block_device", "ephemeral_block_device",
	"launch_template", "network_interface", "root_block_device",
}

// applyInstance creates, updates or deletes an aws_instance, as
// terraform-provider-aws's resourceInstanceCreate, Update and Delete do for
// the attributes it supports.
func applyInstance(ctx context.Context, p *Provider, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	return applier{
		create: createInstance,
		updatable: []string{"tags", "instance_type", "vpc_security_group_ids",
			"source_dest_check", "monitoring", "metadata_options",
			"disable_api_termination", "disable_api_stop", "instance_initiated_shutdown_behavior",
			"user_data", "user_data_base64"},
		update: updateInstance,
		delete: deleteInstance,
	}.apply(ctx, p, req)
}

func deleteInstance(ctx context.Context, p *Provider, c *applyChange) error {
	if _, err := p.ec2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{c.ID}}); err != nil {
		return fmt.Errorf("terminating instance %s: %w", c.ID, err)
	}
	return waitInstance(ctx, p, c.ID, ec2types.InstanceStateNameTerminated)
}

func createInstance(ctx context.Context, p *Provider, c *applyChange) (string, error) {
	s, d := instanceSchema(), c.Desired
	for _, name := range instanceCreateUnsupported {
		if !desiredAttr(s, d, name).IsNull() {
			return "", fmt.Errorf("creating an instance with %s: %w", name, providers.ErrNotSupported)
		}
	}
	in := &ec2.RunInstancesInput{
		MinCount:          aws.Int32(1),
		MaxCount:          aws.Int32(1),
		TagSpecifications: p.tagSpecifications(ec2types.ResourceTypeInstance, d),
		Placement:         instancePlacement(s, d),
	}
	if tags := p.managedTagValues(attr(d, "volume_tags")); len(tags) > 0 {
		in.TagSpecifications = append(in.TagSpecifications, ec2types.TagSpecification{ResourceType: ec2types.ResourceTypeVolume, Tags: ec2TagList(tags)})
	}
	if v, ok := desiredString(s, d, "ami"); ok {
		in.ImageId = aws.String(v)
	}
	if v, ok := desiredString(s, d, "instance_type"); ok {
		in.InstanceType = ec2types.InstanceType(v)
	}
	if v, ok := desiredString(s, d, "key_name"); ok {
		in.KeyName = aws.String(v)
	}
	if v, ok := desiredString(s, d, "iam_instance_profile"); ok {
		in.IamInstanceProfile = &ec2types.IamInstanceProfileSpecification{Name: aws.String(v)}
	}
	if v, ok := desiredBool(s, d, "ebs_optimized"); ok {
		in.EbsOptimized = aws.Bool(v)
	}
	if v, ok := desiredBool(s, d, "monitoring"); ok {
		in.Monitoring = &ec2types.RunInstancesMonitoringEnabled{Enabled: aws.Bool(v)}
	}
	if v, ok := desiredBool(s, d, "disable_api_termination"); ok {
		in.DisableApiTermination = aws.Bool(v)
	}
	if v, ok := desiredBool(s, d, "disable_api_stop"); ok {
		in.DisableApiStop = aws.Bool(v)
	}
	if v, ok := desiredString(s, d, "instance_initiated_shutdown_behavior"); ok {
		in.InstanceInitiatedShutdownBehavior = ec2types.ShutdownBehavior(v)
	}
	if v, ok := desiredBool(s, d, "hibernation"); ok {
		in.HibernationOptions = &ec2types.HibernationOptionsRequest{Configured: aws.Bool(v)}
	}
	if v, ok := desiredString(s, d, "user_data"); ok {
		// As terraform-provider-aws's verify.Base64Encode: user data
		// already base64-encoded is sent as written.
		if _, err := base64.StdEncoding.DecodeString(v); err != nil {
			v = base64.StdEncoding.EncodeToString([]byte(v))
		}
		in.UserData = aws.String(v)
	}
	if v, ok := desiredString(s, d, "user_data_base64"); ok {
		in.UserData = aws.String(v)
	}
	instanceOptions(s, d, in)
	instanceNetwork(s, d, in)

	out, err := p.ec2.RunInstances(ctx, in)
	if err != nil {
		return "", fmt.Errorf("creating instance: %w", err)
	}
	if len(out.Instances) == 0 {
		return "", fmt.Errorf("creating instance: RunInstances returned no instance")
	}
	id := aws.ToString(out.Instances[0].InstanceId)
	if err := waitInstance(ctx, p, id, ec2types.InstanceStateNameRunning); err != nil {
		return "", err
	}
	// RunInstances has no source/destination check; a new instance has
	// it on.
	if v, ok := desiredBool(s, d, "source_dest_check"); ok && !v {
		if err := modifyInstance(ctx, p, id, "source_dest_check", &ec2.ModifyInstanceAttributeInput{SourceDestCheck: attributeBool(false)}); err != nil {
			return "", err
		}
	}
	return id, nil
}

// instancePlacement is the Placement of a new instance, nil when the
// configuration sets none of it.
func instancePlacement(s *providers.Schema, d cty.Value) *ec2types.Placement {
	pl := &ec2types.Placement{}
	set := false
	for name, field := range map[string]**string{
		"availability_zone":       &pl.AvailabilityZone,
		"placement_group":         &pl.GroupName,
		"host_id":                 &pl.HostId,
		"host_resource_group_arn": &pl.HostResourceGroupArn,
	} {
		if v, ok := desiredString(s, d, name); ok {
			*field, set = aws.String(v), true
		}
	}
	if v, ok := desiredString(s, d, "tenancy"); ok {
		pl.Tenancy, set = ec2types.Tenancy(v), true
	}
	if v, ok := desiredInt32(s, d, "placement_partition_number"); ok && v != 0 {
		pl.PartitionNumber, set = aws.Int32(v), true
	}
	if !set {
		return nil
	}
	return pl
}

// instanceOptions sets the single-block options of a new instance.
func instanceOptions(s *providers.Schema, d cty.Value, in *ec2.RunInstancesInput) {
	cpu := &ec2types.CpuOptionsRequest{}
	if v, ok := desiredInt32(s, d, "cpu_core_count"); ok {
		cpu.CoreCount = aws.Int32(v)
	}
	if v, ok := desiredInt32(s, d, "cpu_threads_per_core"); ok {
		cpu.ThreadsPerCore = aws.Int32(v)
	}
	if b, ok := firstBlock(s, d, "cpu_options"); ok {
		if v, ok := int32Of(attr(b, "core_count")); ok {
			cpu.CoreCount = aws.Int32(v)
		}
		if v, ok := int32Of(attr(b, "threads_per_core")); ok {
			cpu.ThreadsPerCore = aws.Int32(v)
		}
		if v, ok := blockString(b, "amd_sev_snp"); ok {
			cpu.AmdSevSnp = ec2types.AmdSevSnpSpecification(v)
		}
	}
	if cpu.CoreCount != nil || cpu.ThreadsPerCore != nil || cpu.AmdSevSnp != "" {
		in.CpuOptions = cpu
	}
	if b, ok := firstBlock(s, d, "credit_specification"); ok {
		if v, ok := blockString(b, "cpu_credits"); ok {
			in.CreditSpecification = &ec2types.CreditSpecificationRequest{CpuCredits: aws.String(v)}
		}
	}
	if b, ok := firstBlock(s, d, "enclave_options"); ok {
		if v, ok := boolOf(attr(b, "enabled")); ok {
			in.EnclaveOptions = &ec2types.EnclaveOptionsRequest{Enabled: aws.Bool(v)}
		}
	}
	if b, ok := firstBlock(s, d, "maintenance_options"); ok {
		if v, ok := blockString(b, "auto_recovery"); ok {
			in.MaintenanceOptions = &ec2types.InstanceMaintenanceOptionsRequest{AutoRecovery: ec2types.InstanceAutoRecoveryState(v)}
		}
	}
	if b, ok := firstBlock(s, d, "metadata_options"); ok {
		m := &ec2types.InstanceMetadataOptionsRequest{}
		metadataOptions(b, &m.HttpEndpoint, &m.HttpProtocolIpv6, &m.HttpTokens, &m.InstanceMetadataTags, &m.HttpPutResponseHopLimit)
		in.MetadataOptions = m
	}
	if b, ok := firstBlock(s, d, "private_dns_name_options"); ok {
		o := &ec2types.PrivateDnsNameOptionsRequest{}
		if v, ok := boolOf(attr(b, "enable_resource_name_dns_aaaa_record")); ok {
			o.EnableResourceNameDnsAAAARecord = aws.Bool(v)
		}
		if v, ok := boolOf(attr(b, "enable_resource_name_dns_a_record")); ok {
			o.EnableResourceNameDnsARecord = aws.Bool(v)
		}
		if v, ok := blockString(b, "hostname_type"); ok {
			o.HostnameType = ec2types.HostnameType(v)
		}
		in.PrivateDnsNameOptions = o
	}
}

// metadataOptions reads a metadata_options block into the fields of a
// RunInstances or ModifyInstanceMetadataOptions request.
func metadataOptions(b cty.Value, endpoint *ec2types.InstanceMetadataEndpointState, ipv6 *ec2types.InstanceMetadataProtocolState,
	tokens *ec2types.HttpTokensState, tags *ec2types.InstanceMetadataTagsState, hops **int32) {
	if v, ok := blockString(b, "http_endpoint"); ok {
		*endpoint = ec2types.InstanceMetadataEndpointState(v)
	}
	if v, ok := blockString(b, "http_protocol_ipv6"); ok {
		*ipv6 = ec2types.InstanceMetadataProtocolState(v)
	}
	if v, ok := blockString(b, "http_tokens"); ok {
		*tokens = ec2types.HttpTokensState(v)
	}
	if v, ok := blockString(b, "instance_metadata_tags"); ok {
		*tags = ec2types.InstanceMetadataTagsState(v)
	}
	if v, ok := int32Of(attr(b, "http_put_response_hop_limit")); ok && v != 0 {
		*hops = aws.Int32(v)
	}
}

// instanceNetwork sets where a new instance is attached. As
// terraform-provider-aws's buildInstanceOpts, a public IP choice or
// secondary private IPs need a network interface specification; otherwise
// the subnet, private IP and groups are set on the request itself.
func instanceNetwork(s *providers.Schema, d cty.Value, in *ec2.RunInstancesInput) {
	subnet, hasSubnet := desiredString(s, d, "subnet_id")
	publicIP, hasPublicIP := desiredBool(s, d, "associate_public_ip_address")
	privateIP, hasPrivateIP := desiredString(s, d, "private_ip")
	groupIDs := desiredStrings(s, d, "vpc_security_group_ids")
	secondary := desiredStrings(s, d, "secondary_private_ips")
	ipv6 := desiredStrings(s, d, "ipv6_addresses")
	ipv6Count, hasIPv6Count := desiredInt32(s, d, "ipv6_address_count")

	var ipv6Addrs []ec2types.InstanceIpv6Address
	for _, a := range ipv6 {
		ipv6Addrs = append(ipv6Addrs, ec2types.InstanceIpv6Address{Ipv6Address: aws.String(a)})
	}
	if hasSubnet && (hasPublicIP || len(secondary) > 0) {
		ni := ec2types.InstanceNetworkInterfaceSpecification{
			DeviceIndex: aws.Int32(0),
			SubnetId:    aws.String(subnet),
			Groups:      groupIDs,
		}
		if hasPublicIP {
			ni.AssociatePublicIpAddress = aws.Bool(publicIP)
		}
		if hasPrivateIP {
			ni.PrivateIpAddress = aws.String(privateIP)
		}
		for _, ip := range secondary {
			ni.PrivateIpAddresses = append(ni.PrivateIpAddresses, ec2types.PrivateIpAddressSpecification{PrivateIpAddress: aws.String(ip), Primary: aws.Bool(false)})
		}
		if hasPrivateIP && len(secondary) > 0 {
			ni.PrivateIpAddresses = append(ni.PrivateIpAddresses, ec2types.PrivateIpAddressSpecification{PrivateIpAddress: aws.String(privateIP), Primary: aws.Bool(true)})
			ni.PrivateIpAddress = nil
		}
		if hasIPv6Count && ipv6Count > 0 {
			ni.Ipv6AddressCount = aws.Int32(ipv6Count)
		}
		ni.Ipv6Addresses = ipv6Addrs
		in.NetworkInterfaces = []ec2types.InstanceNetworkInterfaceSpecification{ni}
		return
	}
	if hasSubnet {
		in.SubnetId = aws.String(subnet)
	}
	if hasPrivateIP {
		in.PrivateIpAddress = aws.String(privateIP)
	}
	in.SecurityGroupIds = groupIDs
	in.SecurityGroups = desiredStrings(s, d, "security_groups")
	if hasIPv6Count && ipv6Count > 0 {
		in.Ipv6AddressCount = aws.Int32(ipv6Count)
	}
	in.Ipv6Addresses = ipv6Addrs
}

// updateInstance changes what terraform-provider-aws's resourceInstanceUpdate
// changes in place, for the attributes it supports.
func updateInstance(ctx context.Context, p *Provider, c *applyChange) (string, error) {
	s, d, id := instanceSchema(), c.Desired, c.ID
	changed := c.changed
	// user_data_replace_on_change makes a user data change ForceNew
	// (terraform-provider-aws's CustomizeDiff).
	if replace, _ := desiredBool(s, d, "user_data_replace_on_change"); replace {
		for _, name := range []string{"user_data", "user_data_base64"} {
			if changed[name] {
				return "", fmt.Errorf("%s cannot change in place with user_data_replace_on_change, the resource must be replaced: %w", name, providers.ErrNotSupported)
			}
		}
	}
	if groups := desiredStrings(s, d, "vpc_security_group_ids"); changed["vpc_security_group_ids"] && len(groups) > 0 {
		if err := modifyInstance(ctx, p, id, "vpc_security_group_ids", &ec2.ModifyInstanceAttributeInput{Groups: groups}); err != nil {
			return "", err
		}
	}
	if v, ok := desiredBool(s, d, "source_dest_check"); changed["source_dest_check"] && ok {
		if err := modifyInstance(ctx, p, id, "source_dest_check", &ec2.ModifyInstanceAttributeInput{SourceDestCheck: attributeBool(v)}); err != nil {
			return "", err
		}
	}
	if v, ok := desiredBool(s, d, "monitoring"); changed["monitoring"] && ok {
		if err := setMonitoring(ctx, p, id, v); err != nil {
			return "", err
		}
	}
	if b, ok := firstBlock(s, d, "metadata_options"); changed["metadata_options"] && ok {
		in := &ec2.ModifyInstanceMetadataOptionsInput{InstanceId: aws.String(id)}
		metadataOptions(b, &in.HttpEndpoint, &in.HttpProtocolIpv6, &in.HttpTokens, &in.InstanceMetadataTags, &in.HttpPutResponseHopLimit)
		if _, err := p.ec2.ModifyInstanceMetadataOptions(ctx, in); err != nil {
			return "", fmt.Errorf("modifying instance %s metadata options: %w", id, err)
		}
	}
	if v, ok := desiredBool(s, d, "disable_api_termination"); changed["disable_api_termination"] && ok {
		if err := modifyInstance(ctx, p, id, "disable_api_termination", &ec2.ModifyInstanceAttributeInput{DisableApiTermination: attributeBool(v)}); err != nil {
			return "", err
		}
	}
	if v, ok := desiredString(s, d, "instance_initiated_shutdown_behavior"); changed["instance_initiated_shutdown_behavior"] && ok {
		// The Attribute/Value form, which EC2 documents for this
		// attribute; moto does not implement the
		// InstanceInitiatedShutdownBehavior.Value form that
		// terraform-provider-aws sends.
		if err := modifyInstance(ctx, p, id, "instance_initiated_shutdown_behavior", &ec2.ModifyInstanceAttributeInput{
			Attribute: ec2types.InstanceAttributeNameInstanceInitiatedShutdownBehavior, Value: aws.String(v),
		}); err != nil {
			return "", err
		}
	}
	// Stop protection is lifted before and set after a stop and start
	// below, which it would refuse.
	apiStop, setAPIStop := desiredBool(s, d, "disable_api_stop")
	setAPIStop = setAPIStop && changed["disable_api_stop"]
	if setAPIStop && !apiStop {
		if err := modifyInstance(ctx, p, id, "disable_api_stop", &ec2.ModifyInstanceAttributeInput{DisableApiStop: attributeBool(false)}); err != nil {
			return "", err
		}
	}
	var stopped []instanceModification
	if v, ok := desiredString(s, d, "instance_type"); changed["instance_type"] && ok {
		stopped = append(stopped, instanceModification{"instance_type", &ec2.ModifyInstanceAttributeInput{
			InstanceType: &ec2types.AttributeValue{Value: aws.String(v)},
		}})
	}
	for _, name := range []string{"user_data", "user_data_base64"} {
		if v := desiredAttr(s, d, name); changed[name] && !v.IsNull() && v.IsKnown() {
			stopped = append(stopped, instanceModification{name, &ec2.ModifyInstanceAttributeInput{
				UserData: &ec2types.SecureBlobAttributeValue{Value: userDataBytes(v.AsString())},
			}})
		}
	}
	if len(stopped) > 0 {
		state, _ := knownString(c.Live, "instance_state")
		if err := modifyStopped(ctx, p, id, state, stopped); err != nil {
			return "", err
		}
	}
	if setAPIStop && apiStop {
		if err := modifyInstance(ctx, p, id, "disable_api_stop", &ec2.ModifyInstanceAttributeInput{DisableApiStop: attributeBool(true)}); err != nil {
			return "", err
		}
	}
	if changed["tags"] {
		if err := p.updateTags(ctx, id, c.Live, d); err != nil {
			return "", err
		}
	}
	return id, nil
}

// userDataBytes is the user data that user_data or user_data_base64 write:
// decoded when it is base64 (the SDK encodes it again), as
// terraform-provider-aws's update does.
func userDataBytes(v string) []byte {
	if b, err := base64.StdEncoding.DecodeString(v); err == nil {
		return b
	}
	return []byte(v)
}

// instanceModification is one ModifyInstanceAttribute call, for the
// aws_instance attribute name.
type instanceModification struct {
	name string
	in   *ec2.ModifyInstanceAttributeInput
}

// modifyStopped makes ModifyInstanceAttribute calls that EC2 accepts on a
// stopped instance only (its type, its user data): a running instance is
// stopped, changed and started again, as terraform-provider-aws's
// modifyInstanceAttributeWithStopStart does (here once for all the calls).
func modifyStopped(ctx context.Context, p *Provider, id, state string, mods []instanceModification) error {
	var names []string
	for _, m := range mods {
		names = append(names, m.name)
	}
	what := strings.Join(names, ", ")
	running := state == string(ec2types.InstanceStateNameRunning) || state == string(ec2types.InstanceStateNamePending)
	if running {
		if _, err := p.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}}); err != nil {
			return fmt.Errorf("stopping instance %s to change %s: %w", id, what, err)
		}
		if err := waitInstance(ctx, p, id, ec2types.InstanceStateNameStopped); err != nil {
			return err
		}
	}
	for _, m := range mods {
		if err := modifyInstance(ctx, p, id, m.name, m.in); err != nil {
			return err
		}
	}
	if running {
		if _, err := p.ec2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{id}}); err != nil {
			return fmt.Errorf("starting instance %s after changing %s: %w", id, what, err)
		}
		return waitInstance(ctx, p, id, ec2types.InstanceStateNameRunning)
	}
	return nil
}

// modifyInstance makes one ModifyInstanceAttribute call, which takes one
// attribute at a time.
func modifyInstance(ctx context.Context, p *Provider, id, name string, in *ec2.ModifyInstanceAttributeInput) error {
	in.InstanceId = aws.String(id)
	if _, err := p.ec2.ModifyInstanceAttribute(ctx, in); err != nil {
		return fmt.Errorf("modifying instance %s %s: %w", id, name, err)
	}
	return nil
}

// setMonitoring turns detailed monitoring on or off.
func setMonitoring(ctx context.Context, p *Provider, id string, on bool) error {
	var err error
	if on {
		_, err = p.ec2.MonitorInstances(ctx, &ec2.MonitorInstancesInput{InstanceIds: []string{id}})
	} else {
		_, err = p.ec2.UnmonitorInstances(ctx, &ec2.UnmonitorInstancesInput{InstanceIds: []string{id}})
	}
	if err != nil {
		return fmt.Errorf("setting monitoring of instance %s to %v: %w", id, on, err)
	}
	return nil
}

// waitInstance waits, with the SDK's waiters, until an instance is in a
// state (running, stopped or terminated), for ec2WaitTimeout at most.
func waitInstance(ctx context.Context, p *Provider, id string, state ec2types.InstanceStateName) error {
	in := &ec2.DescribeInstancesInput{InstanceIds: []string{id}}
	var err error
	switch state {
	case ec2types.InstanceStateNameRunning:
		err = ec2.NewInstanceRunningWaiter(p.ec2, func(o *ec2.InstanceRunningWaiterOptions) {
			o.MinDelay, o.MaxDelay = time.Second, 15*time.Second
		}).Wait(ctx, in, ec2WaitTimeout)
	case ec2types.InstanceStateNameStopped:
		err = ec2.NewInstanceStoppedWaiter(p.ec2, func(o *ec2.InstanceStoppedWaiterOptions) {
			o.MinDelay, o.MaxDelay = time.Second, 15*time.Second
		}).Wait(ctx, in, ec2WaitTimeout)
	case ec2types.InstanceStateNameTerminated:
		err = ec2.NewInstanceTerminatedWaiter(p.ec2, func(o *ec2.InstanceTerminatedWaiterOptions) {
			o.MinDelay, o.MaxDelay = time.Second, 15*time.Second
		}).Wait(ctx, in, ec2WaitTimeout)
	default:
		return fmt.Errorf("waiting for instance %s: unknown state %s", id, state)
	}
	if err != nil {
		return fmt.Errorf("waiting for instance %s to be %s: %w", id, state, err)
	}
	return nil
}
