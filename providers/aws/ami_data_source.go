package aws

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// amiData is the aws_ami data source: the image that owners,
// executable_users, filter blocks and include_deprecated select
// (DescribeImages) and name_regex keeps, the most recent one when
// most_recent is set; as terraform-provider-aws v5's dataSourceAMIRead
// (internal/service/ec2/ec2_ami_data_source.go). Several images without
// most_recent, or none, are the provider's errors.
func amiData() *dataSource {
	optional := func(t cty.Type) *providers.Attribute { return &providers.Attribute{Type: t, Optional: true} }
	schema := &providers.Schema{
		Type: "aws_ami",
		Attributes: map[string]*providers.Attribute{
			"id":           computed(cty.String),
			"architecture": computed(cty.String),
			"arn":          computed(cty.String),
			"block_device_mappings": computed(cty.Set(cty.Object(map[string]cty.Type{
				"device_name": cty.String, "ebs": cty.Map(cty.String), "no_device": cty.String, "virtual_name": cty.String,
			}))),
			"boot_mode":          computed(cty.String),
			"creation_date":      computed(cty.String),
			"deprecation_time":   computed(cty.String),
			"description":        computed(cty.String),
			"ena_support":        computed(cty.Bool),
			"executable_users":   optional(cty.List(cty.String)),
			"filter":             filterBlock(),
			"hypervisor":         computed(cty.String),
			"image_id":           computed(cty.String),
			"image_location":     computed(cty.String),
			"image_owner_alias":  computed(cty.String),
			"image_type":         computed(cty.String),
			"imds_support":       computed(cty.String),
			"include_deprecated": {Type: cty.Bool, Optional: true, Default: cty.False},
			"kernel_id":          computed(cty.String),
			"most_recent":        {Type: cty.Bool, Optional: true, Default: cty.False},
			"name":               computed(cty.String),
			"name_regex":         optional(cty.String),
			"owner_id":           computed(cty.String),
			"owners":             optional(cty.List(cty.String)),
			"platform":           computed(cty.String),
			"platform_details":   computed(cty.String),
			"product_codes": computed(cty.Set(cty.Object(map[string]cty.Type{
				"product_code_id": cty.String, "product_code_type": cty.String,
			}))),
			"public":              computed(cty.Bool),
			"ramdisk_id":          computed(cty.String),
			"root_device_name":    computed(cty.String),
			"root_device_type":    computed(cty.String),
			"root_snapshot_id":    computed(cty.String),
			"sriov_net_support":   computed(cty.String),
			"state":               computed(cty.String),
			"state_reason":        computed(cty.Map(cty.String)),
			"tags":                {Type: cty.Map(cty.String), Optional: true, Computed: true},
			"timeouts":            timeoutsAttribute("read"),
			"tpm_support":         computed(cty.String),
			"usage_operation":     computed(cty.String),
			"virtualization_type": computed(cty.String),
		},
	}
	return &dataSource{
		schema: schema,
		read: func(ctx context.Context, p *Provider, config cty.Value) (cty.Value, error) {
			var nameRegex *regexp.Regexp
			if s := attrString(config, "name_regex"); s != "" {
				// The provider validates it (StringIsValidRegExp) before
				// any call.
				re, err := regexp.Compile(s)
				if err != nil {
					return cty.NilVal, fmt.Errorf("name_regex %q is not a valid regular expression: %w", s, err)
				}
				nameRegex = re
			}
			in := &ec2.DescribeImagesInput{
				IncludeDeprecated: aws.Bool(boolOr(config, "include_deprecated", false)),
				ExecutableUsers:   stringElems(attr(config, "executable_users")),
				Owners:            stringElems(attr(config, "owners")),
				Filters:           customFilters(config),
			}
			var images []ec2types.Image
			pages := ec2.NewDescribeImagesPaginator(p.ec2, in)
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				if err != nil {
					return cty.NilVal, fmt.Errorf("describing images: %w", err)
				}
				for _, img := range page.Images {
					// An image without a name cannot match name_regex:
					// the provider skips it.
					if nameRegex == nil || (aws.ToString(img.Name) != "" && nameRegex.MatchString(aws.ToString(img.Name))) {
						images = append(images, img)
					}
				}
			}
			mostRecent := boolOr(config, "most_recent", false)
			switch {
			case len(images) == 0:
				return cty.NilVal, &SingularMatchError{Kind: "EC2 AMI", Operation: "ec2:DescribeImages",
					Message: "Your query returned no results. Please change your search criteria and try again."}
			case len(images) > 1 && !mostRecent:
				return cty.NilVal, &SingularMatchError{Kind: "EC2 AMI", Count: len(images), Operation: "ec2:DescribeImages",
					Message: "Your query returned more than one result. Please try a more specific search criteria, or set `most_recent` attribute to true."}
			}
			// The latest creation date; of equal ones, the first in the
			// answer (slices.MaxFunc, as the provider).
			img := slices.MaxFunc(images, func(a, b ec2types.Image) int {
				at, _ := time.Parse(time.RFC3339, aws.ToString(a.CreationDate))
				bt, _ := time.Parse(time.RFC3339, aws.ToString(b.CreationDate))
				return at.Compare(bt)
			})
			return amiDataValue(p, schema, config, img), nil
		},
	}
}

// amiDataValue is the aws_ami value of an image. The provider d.Sets each
// attribute from the answer: an absent string is "", an absent bool false.
func amiDataValue(p *Provider, schema *providers.Schema, config cty.Value, img ec2types.Image) cty.Value {
	id := aws.ToString(img.ImageId)
	vals := map[string]cty.Value{
		"id":                    cty.StringVal(id),
		"image_id":              cty.StringVal(id),
		"arn":                   cty.StringVal(ec2ARN(p.region, "", "image/"+id)),
		"architecture":          cty.StringVal(string(img.Architecture)),
		"block_device_mappings": amiBlockDeviceMappings(img.BlockDeviceMappings, schema.Attributes["block_device_mappings"].Type),
		"boot_mode":             cty.StringVal(string(img.BootMode)),
		"creation_date":         str(img.CreationDate),
		"deprecation_time":      str(img.DeprecationTime),
		"description":           str(img.Description),
		"ena_support":           boolean(img.EnaSupport),
		"hypervisor":            cty.StringVal(string(img.Hypervisor)),
		"image_location":        str(img.ImageLocation),
		"image_owner_alias":     str(img.ImageOwnerAlias),
		"image_type":            cty.StringVal(string(img.ImageType)),
		"imds_support":          cty.StringVal(string(img.ImdsSupport)),
		"kernel_id":             str(img.KernelId),
		"name":                  str(img.Name),
		"owner_id":              str(img.OwnerId),
		"platform":              cty.StringVal(string(img.Platform)),
		"platform_details":      str(img.PlatformDetails),
		"public":                boolean(img.Public),
		"ramdisk_id":            str(img.RamdiskId),
		"root_device_name":      str(img.RootDeviceName),
		"root_device_type":      cty.StringVal(string(img.RootDeviceType)),
		"root_snapshot_id":      cty.StringVal(amiRootSnapshotID(img)),
		"sriov_net_support":     str(img.SriovNetSupport),
		"state":                 cty.StringVal(string(img.State)),
		"state_reason":          amiStateReason(img.StateReason),
		"tags":                  dataTags(p, ec2TagMap(img.Tags)),
		"tpm_support":           cty.StringVal(string(img.TpmSupport)),
		"usage_operation":       str(img.UsageOperation),
		"virtualization_type":   cty.StringVal(string(img.VirtualizationType)),
		"most_recent":           cty.BoolVal(boolOr(config, "most_recent", false)),
		"include_deprecated":    cty.BoolVal(boolOr(config, "include_deprecated", false)),
	}
	for _, a := range []string{"executable_users", "filter", "name_regex", "owners", "timeouts"} {
		if v := attr(config, a); !v.IsNull() {
			vals[a] = v
		}
	}
	return objectOf(schema.Attributes, vals)
}

// amiBlockDeviceMappings is the block_device_mappings set, as the
// provider's flattenAMIBlockDeviceMappings: ebs is a map of strings
// ("true", "0") with the volume's settings, empty without a volume, and
// no_device is never set.
func amiBlockDeviceMappings(bdms []ec2types.BlockDeviceMapping, t cty.Type) cty.Value {
	var elems []cty.Value
	for _, m := range bdms {
		ebs := cty.MapValEmpty(cty.String)
		if e := m.Ebs; e != nil {
			ebs = cty.MapVal(map[string]cty.Value{
				"delete_on_termination": cty.StringVal(strconv.FormatBool(aws.ToBool(e.DeleteOnTermination))),
				"encrypted":             cty.StringVal(strconv.FormatBool(aws.ToBool(e.Encrypted))),
				"iops":                  cty.StringVal(strconv.Itoa(int(aws.ToInt32(e.Iops)))),
				"snapshot_id":           str(e.SnapshotId),
				"throughput":            cty.StringVal(strconv.Itoa(int(aws.ToInt32(e.Throughput)))),
				"volume_size":           cty.StringVal(strconv.Itoa(int(aws.ToInt32(e.VolumeSize)))),
				"volume_type":           cty.StringVal(string(e.VolumeType)),
			})
		}
		elems = append(elems, cty.ObjectVal(map[string]cty.Value{
			"device_name": str(m.DeviceName), "ebs": ebs, "no_device": cty.StringVal(""), "virtual_name": str(m.VirtualName),
		}))
	}
	if len(elems) == 0 {
		return cty.SetValEmpty(t.ElementType())
	}
	return cty.SetVal(elems)
}

// amiRootSnapshotID is the snapshot of the image's root device, "" when
// it has none (the provider's amiRootSnapshotId).
func amiRootSnapshotID(img ec2types.Image) string {
	if img.RootDeviceName == nil {
		return ""
	}
	for _, m := range img.BlockDeviceMappings {
		if aws.ToString(m.DeviceName) == aws.ToString(img.RootDeviceName) && m.Ebs != nil && m.Ebs.SnapshotId != nil {
			return aws.ToString(m.Ebs.SnapshotId)
		}
	}
	return ""
}

// amiStateReason is the state_reason map: "UNSET" in both keys when the
// image has no state reason, as the provider's flattenAMIStateReason.
func amiStateReason(r *ec2types.StateReason) cty.Value {
	code, msg := "UNSET", "UNSET"
	if r != nil {
		code, msg = aws.ToString(r.Code), aws.ToString(r.Message)
	}
	return cty.MapVal(map[string]cty.Value{"code": cty.StringVal(code), "message": cty.StringVal(msg)})
}

// boolOr is a boolean argument, def when configuration leaves it out (the
// provider schema's Default).
func boolOr(config cty.Value, name string, def bool) bool {
	v := attr(config, name)
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.Bool {
		return def
	}
	return v.True()
}
