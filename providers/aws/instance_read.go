package aws

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"github.com/zclconf/go-cty/cty"
	"golang.org/x/sync/errgroup"

	"github.com/gitdrift/driftctl/providers"
)

// liveInstanceStates are the states of an instance that still exists;
// "terminated" instances linger in DescribeInstances for about an hour and
// count as gone, as terraform-provider-aws's FindInstanceByID does.
var liveInstanceStates = []string{"pending", "running", "shutting-down", "stopping", "stopped"}

// maxCreditSpecificationIDs is how many instance IDs one
// DescribeInstanceCreditSpecifications call takes.
const maxCreditSpecificationIDs = 1000

// instanceRead is one instance and its owner (the reservation's account).
type instanceRead struct {
	inst  ec2types.Instance
	owner string
}

// readInstances reads instances in three batched calls at most:
// DescribeInstances, DescribeVolumes for the root volumes, and
// DescribeInstanceCreditSpecifications for burstable instances.
func readInstances(ctx context.Context, p *Provider, req *readRequest) ([]*providers.Live, error) {
	var found []instanceRead
	for _, fs := range idFilterChunks("instance-id", req.ids, filter("instance-state-name", liveInstanceStates...)) {
		pages := ec2.NewDescribeInstancesPaginator(p.ec2, &ec2.DescribeInstancesInput{Filters: fs})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("describing instances: %w", err)
			}
			for _, r := range page.Reservations {
				for _, inst := range r.Instances {
					if inst.State != nil && inst.State.Name == ec2types.InstanceStateNameTerminated {
						continue
					}
					found = append(found, instanceRead{inst: inst, owner: aws.ToString(r.OwnerId)})
				}
			}
		}
	}
	if len(found) == 0 {
		return nil, nil
	}
	volumes, err := readRootVolumes(ctx, p, found)
	if err != nil {
		return nil, err
	}
	credits, err := readCreditSpecifications(ctx, p, found)
	if err != nil {
		return nil, err
	}
	attributes, err := readInstanceAttributes(ctx, p, req, found)
	if err != nil {
		return nil, err
	}
	schema := instanceSchema()
	live := make([]*providers.Live, 0, len(found))
	for _, f := range found {
		id := aws.ToString(f.inst.InstanceId)
		attrs := instanceAttrs(schema, p.region, f, volumes, credits[id], attributes[id])
		live = append(live, &providers.Live{ID: id, Attrs: attrs})
	}
	return live, nil
}

// instanceAttributeReads are what only DescribeInstanceAttribute returns,
// one instance and one attribute a call, and the aws_instance attributes
// each answer sets. An answer is read only when the configuration writes
// one of them (written): these attributes are optional+computed, so left
// out of configuration they accept any live value and stay null.
var instanceAttributeReads = []struct {
	attribute ec2types.InstanceAttributeName
	names     []string
}{
	{ec2types.InstanceAttributeNameUserData, []string{"user_data", "user_data_base64"}},
	{ec2types.InstanceAttributeNameDisableApiTermination, []string{"disable_api_termination"}},
	{ec2types.InstanceAttributeNameDisableApiStop, []string{"disable_api_stop"}},
	{ec2types.InstanceAttributeNameInstanceInitiatedShutdownBehavior, []string{"instance_initiated_shutdown_behavior"}},
}

// readInstanceAttributes makes the DescribeInstanceAttribute calls that the
// configuration needs, ec2Concurrency at a time, and returns the values they
// give by instance ID and attribute name.
func readInstanceAttributes(ctx context.Context, p *Provider, req *readRequest, found []instanceRead) (map[string]map[string]cty.Value, error) {
	values := make(map[string]map[string]cty.Value, len(found))
	for _, f := range found {
		values[aws.ToString(f.inst.InstanceId)] = map[string]cty.Value{}
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(ec2Concurrency)
	for _, r := range instanceAttributeReads {
		var names []string
		for _, n := range r.names {
			if req.written(n) {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			continue
		}
		for _, f := range found {
			id := aws.ToString(f.inst.InstanceId)
			// As terraform-provider-aws, Snowball Edge instances have
			// no API termination protection to read.
			if r.attribute == ec2types.InstanceAttributeNameDisableApiTermination && isSnowballEdgeInstance(id) {
				continue
			}
			g.Go(func() error {
				out, err := p.ec2.DescribeInstanceAttribute(gctx, &ec2.DescribeInstanceAttributeInput{
					InstanceId: aws.String(id), Attribute: r.attribute,
				})
				var apiErr smithy.APIError
				if r.attribute == ec2types.InstanceAttributeNameDisableApiStop && errors.As(err, &apiErr) && apiErr.ErrorCode() == "UnsupportedOperation" {
					// Partitions without stop protection (ISO); as
					// terraform-provider-aws, it is then not read.
					return nil
				}
				if err != nil {
					return fmt.Errorf("describing instance %s attribute %s: %w", id, r.attribute, err)
				}
				got := instanceAttributeValues(out, names)
				mu.Lock()
				defer mu.Unlock()
				for n, v := range got {
					values[id][n] = v
				}
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return values, nil
}

// instanceAttributeValues are the values of names that one
// DescribeInstanceAttribute answer gives.
func instanceAttributeValues(out *ec2.DescribeInstanceAttributeOutput, names []string) map[string]cty.Value {
	vals := map[string]cty.Value{}
	for _, n := range names {
		switch n {
		case "user_data", "user_data_base64":
			// EC2 answers without a value for an instance without user
			// data: that is "" (whose hash Terraform's DiffSuppressFunc
			// takes for "").
			var b64 string
			if out.UserData != nil {
				b64 = aws.ToString(out.UserData.Value)
			}
			if n == "user_data" {
				vals[n] = cty.StringVal(userDataHashSum(b64))
			} else {
				vals[n] = cty.StringVal(b64)
			}
		case "disable_api_termination":
			if v := out.DisableApiTermination; v != nil {
				vals[n] = cty.BoolVal(aws.ToBool(v.Value))
			}
		case "disable_api_stop":
			if v := out.DisableApiStop; v != nil {
				vals[n] = cty.BoolVal(aws.ToBool(v.Value))
			}
		case "instance_initiated_shutdown_behavior":
			if v := out.InstanceInitiatedShutdownBehavior; v != nil {
				vals[n] = str(v.Value)
			}
		}
	}
	return vals
}

// isSnowballEdgeInstance is terraform-provider-aws's test for an instance
// of a Snowball Edge device ("s.i-...").
func isSnowballEdgeInstance(id string) bool {
	return strings.Contains(id, "s.")
}

// rootDevice returns the block device mapping of an instance's root volume.
func rootDevice(inst ec2types.Instance) *ec2types.InstanceBlockDeviceMapping {
	for i, bd := range inst.BlockDeviceMappings {
		if aws.ToString(bd.DeviceName) == aws.ToString(inst.RootDeviceName) && bd.Ebs != nil {
			return &inst.BlockDeviceMappings[i]
		}
	}
	return nil
}

// readRootVolumes describes the root volumes of the instances, by volume ID
// filter so that a volume deleted meanwhile does not fail the call.
func readRootVolumes(ctx context.Context, p *Provider, found []instanceRead) (map[string]ec2types.Volume, error) {
	var ids []string
	for _, f := range found {
		if bd := rootDevice(f.inst); bd != nil && bd.Ebs.VolumeId != nil {
			ids = append(ids, *bd.Ebs.VolumeId)
		}
	}
	volumes := map[string]ec2types.Volume{}
	if len(ids) == 0 {
		return volumes, nil
	}
	for _, fs := range idFilterChunks("volume-id", ids) {
		pages := ec2.NewDescribeVolumesPaginator(p.ec2, &ec2.DescribeVolumesInput{Filters: fs})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("describing root volumes: %w", err)
			}
			for _, v := range page.Volumes {
				volumes[aws.ToString(v.VolumeId)] = v
			}
		}
	}
	return volumes, nil
}

// burstable says whether an instance type has CPU credits (T2, T3, T3a,
// T4g). EC2 rejects DescribeInstanceCreditSpecifications for other types.
func burstable(t ec2types.InstanceType) bool {
	family, _, _ := strings.Cut(string(t), ".")
	switch family {
	case "t2", "t3", "t3a", "t4g":
		return true
	}
	return false
}

// readCreditSpecifications reads cpu_credits of the burstable instances.
// EC2 answers UnsupportedOperation in partitions without the feature
// (China, GovCloud); terraform-provider-aws ignores that, and so does this.
func readCreditSpecifications(ctx context.Context, p *Provider, found []instanceRead) (map[string]string, error) {
	var ids []string
	for _, f := range found {
		if burstable(f.inst.InstanceType) {
			ids = append(ids, aws.ToString(f.inst.InstanceId))
		}
	}
	credits := map[string]string{}
	for start := 0; start < len(ids); start += maxCreditSpecificationIDs {
		in := &ec2.DescribeInstanceCreditSpecificationsInput{InstanceIds: ids[start:min(start+maxCreditSpecificationIDs, len(ids))]}
		pages := ec2.NewDescribeInstanceCreditSpecificationsPaginator(p.ec2, in)
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			var apiErr smithy.APIError
			if errors.As(err, &apiErr) && apiErr.ErrorCode() == "UnsupportedOperation" {
				return credits, nil
			}
			if err != nil {
				return nil, fmt.Errorf("describing instance credit specifications: %w", err)
			}
			for _, c := range page.InstanceCreditSpecifications {
				credits[aws.ToString(c.InstanceId)] = aws.ToString(c.CpuCredits)
			}
		}
	}
	return credits, nil
}

// instanceAttrs builds the live value of one instance.
func instanceAttrs(schema *providers.Schema, region string, f instanceRead, volumes map[string]ec2types.Volume, credits string, attributes map[string]cty.Value) cty.Value {
	inst := f.inst
	id := aws.ToString(inst.InstanceId)
	vals := map[string]cty.Value{
		"id":                cty.StringVal(id),
		"ami":               str(inst.ImageId),
		"arn":               cty.StringVal(ec2ARN(region, f.owner, "instance/"+id)),
		"ebs_optimized":     boolean(inst.EbsOptimized),
		"instance_type":     cty.StringVal(string(inst.InstanceType)),
		"key_name":          str(inst.KeyName),
		"outpost_arn":       str(inst.OutpostArn),
		"private_dns":       str(inst.PrivateDnsName),
		"private_ip":        str(inst.PrivateIpAddress),
		"public_dns":        str(inst.PublicDnsName),
		"public_ip":         str(inst.PublicIpAddress),
		"tags":              ec2Tags(inst.Tags),
		"monitoring":        cty.False,
		"source_dest_check": cty.True,
		"hibernation":       cty.False,
		"instance_state":    cty.StringVal(""),
		"subnet_id":         str(inst.SubnetId),
	}
	if inst.State != nil {
		vals["instance_state"] = cty.StringVal(string(inst.State.Name))
	}
	if inst.SourceDestCheck != nil {
		vals["source_dest_check"] = cty.BoolVal(*inst.SourceDestCheck)
	}
	if m := inst.Monitoring; m != nil {
		vals["monitoring"] = cty.BoolVal(m.State == ec2types.MonitoringStateEnabled || m.State == ec2types.MonitoringStatePending)
	}
	if h := inst.HibernationOptions; h != nil {
		vals["hibernation"] = boolean(h.Configured)
	}
	vals["iam_instance_profile"] = cty.StringVal("")
	if ip := inst.IamInstanceProfile; ip != nil && ip.Arn != nil {
		// arn:aws:iam::ACCOUNT:instance-profile/PATH/NAME → NAME
		arn := aws.ToString(ip.Arn)
		vals["iam_instance_profile"] = cty.StringVal(arn[strings.LastIndex(arn, "/")+1:])
	}
	placementAttrs(vals, inst.Placement)
	networkAttrs(vals, inst)
	optionAttrs(vals, inst, credits)
	vals["root_block_device"] = rootBlockDevice(schema.Attributes["root_block_device"], inst, volumes)
	for n, v := range attributes {
		vals[n] = v
	}
	return objectOf(schema.Attributes, vals)
}

// placementAttrs sets what the instance's placement says.
func placementAttrs(vals map[string]cty.Value, pl *ec2types.Placement) {
	if pl == nil {
		pl = &ec2types.Placement{}
	}
	vals["availability_zone"] = str(pl.AvailabilityZone)
	vals["placement_group"] = str(pl.GroupName)
	vals["host_id"] = str(pl.HostId)
	vals["host_resource_group_arn"] = str(pl.HostResourceGroupArn)
	vals["placement_partition_number"] = num(pl.PartitionNumber)
	vals["tenancy"] = cty.StringVal(string(pl.Tenancy))
}

// networkAttrs sets what the primary network interface says, as
// terraform-provider-aws's resourceInstanceRead.
func networkAttrs(vals map[string]cty.Value, inst ec2types.Instance) {
	var primary *ec2types.InstanceNetworkInterface
	for i, ni := range inst.NetworkInterfaces {
		if ni.Attachment != nil && aws.ToInt32(ni.Attachment.DeviceIndex) == 0 {
			primary = &inst.NetworkInterfaces[i]
		}
	}
	groups := inst.SecurityGroups
	var secondary, ipv6 []string
	vals["associate_public_ip_address"] = cty.BoolVal(inst.PublicIpAddress != nil)
	vals["primary_network_interface_id"] = cty.StringVal("")
	if primary != nil {
		vals["associate_public_ip_address"] = cty.BoolVal(primary.Association != nil)
		vals["primary_network_interface_id"] = str(primary.NetworkInterfaceId)
		if primary.SubnetId != nil {
			vals["subnet_id"] = str(primary.SubnetId)
		}
		for _, a := range primary.PrivateIpAddresses {
			if !aws.ToBool(a.Primary) {
				secondary = append(secondary, aws.ToString(a.PrivateIpAddress))
			}
		}
		for _, a := range primary.Ipv6Addresses {
			ipv6 = append(ipv6, aws.ToString(a.Ipv6Address))
		}
		// AWS lists an instance's security groups both at the top level
		// and on its network interfaces. moto leaves the top-level
		// SecurityGroups empty for an instance launched into a subnet
		// while its interface has them; reading the primary interface as
		// a fallback gives the same answer on both.
		if len(groups) == 0 {
			groups = primary.Groups
		}
	}
	vals["secondary_private_ips"] = stringSet(secondary)
	vals["ipv6_addresses"] = stringList(ipv6)
	vals["ipv6_address_count"] = cty.NumberIntVal(int64(len(ipv6)))
	var ids, names []string
	for _, g := range groups {
		ids = append(ids, aws.ToString(g.GroupId))
		names = append(names, aws.ToString(g.GroupName))
	}
	vals["vpc_security_group_ids"] = stringSet(ids)
	vals["security_groups"] = stringSet(names)
}

// optionAttrs sets the single-block options that DescribeInstances returns.
func optionAttrs(vals map[string]cty.Value, inst ec2types.Instance, credits string) {
	one := func(m map[string]cty.Value) cty.Value { return cty.ListVal([]cty.Value{cty.ObjectVal(m)}) }
	if c := inst.CpuOptions; c != nil {
		vals["cpu_core_count"] = num(c.CoreCount)
		vals["cpu_threads_per_core"] = num(c.ThreadsPerCore)
		vals["cpu_options"] = one(map[string]cty.Value{
			"amd_sev_snp":      cty.StringVal(string(c.AmdSevSnp)),
			"core_count":       num(c.CoreCount),
			"threads_per_core": num(c.ThreadsPerCore),
		})
	}
	if credits != "" {
		vals["credit_specification"] = one(map[string]cty.Value{"cpu_credits": cty.StringVal(credits)})
	}
	if e := inst.EnclaveOptions; e != nil {
		vals["enclave_options"] = one(map[string]cty.Value{"enabled": boolean(e.Enabled)})
	}
	if m := inst.MaintenanceOptions; m != nil {
		vals["maintenance_options"] = one(map[string]cty.Value{"auto_recovery": cty.StringVal(string(m.AutoRecovery))})
	}
	if m := inst.MetadataOptions; m != nil {
		vals["metadata_options"] = one(map[string]cty.Value{
			"http_endpoint":               cty.StringVal(string(m.HttpEndpoint)),
			"http_protocol_ipv6":          cty.StringVal(string(m.HttpProtocolIpv6)),
			"http_put_response_hop_limit": num(m.HttpPutResponseHopLimit),
			"http_tokens":                 cty.StringVal(string(m.HttpTokens)),
			"instance_metadata_tags":      cty.StringVal(string(m.InstanceMetadataTags)),
		})
	}
	if o := inst.PrivateDnsNameOptions; o != nil {
		vals["private_dns_name_options"] = one(map[string]cty.Value{
			"enable_resource_name_dns_aaaa_record": boolean(o.EnableResourceNameDnsAAAARecord),
			"enable_resource_name_dns_a_record":    boolean(o.EnableResourceNameDnsARecord),
			"hostname_type":                        cty.StringVal(string(o.HostnameType)),
		})
	}
}

// rootBlockDevice builds root_block_device from the instance's mapping and
// the described volume; an empty list when the instance has no EBS root.
func rootBlockDevice(a *providers.Attribute, inst ec2types.Instance, volumes map[string]ec2types.Volume) cty.Value {
	bd := rootDevice(inst)
	if bd == nil {
		return emptyBlocks(a)
	}
	vol := volumes[aws.ToString(bd.Ebs.VolumeId)]
	v := objectOf(a.Nested.Attributes, map[string]cty.Value{
		"delete_on_termination": boolean(bd.Ebs.DeleteOnTermination),
		"device_name":           str(bd.DeviceName),
		"encrypted":             boolean(vol.Encrypted),
		"iops":                  num(vol.Iops),
		"kms_key_id":            str(vol.KmsKeyId),
		"tags":                  ec2Tags(vol.Tags),
		"throughput":            num(vol.Throughput),
		"volume_id":             str(bd.Ebs.VolumeId),
		"volume_size":           num(vol.Size),
		"volume_type":           cty.StringVal(string(vol.VolumeType)),
	})
	return cty.ListVal([]cty.Value{v})
}
