package aws

import "strings"

// partition is an AWS partition: a group of regions with its own ARNs and
// DNS names.
type partition struct {
	name             string
	dnsSuffix        string
	reverseDNSPrefix string
}

// partitions by region name prefix, most specific first. The values are
// those of the AWS SDK's endpoint metadata (partitions.json), which
// terraform-provider-aws's aws_partition data source reports.
var partitions = []struct {
	prefix string
	partition
}{
	{"cn-", partition{"aws-cn", "amazonaws.com.cn", "cn.com.amazonaws"}},
	{"us-gov-", partition{"aws-us-gov", "amazonaws.com", "com.amazonaws"}},
	{"us-isob-", partition{"aws-iso-b", "sc2s.sgov.gov", "gov.sgov.sc2s"}},
	{"us-isof-", partition{"aws-iso-f", "csp.hci.ic.gov", "gov.ic.hci.csp"}},
	{"us-iso-", partition{"aws-iso", "c2s.ic.gov", "gov.ic.c2s"}},
	{"eu-isoe-", partition{"aws-iso-e", "cloud.adc-e.uk", "uk.adc-e.cloud"}},
}

// partitionOf returns the partition of a region; regions it does not know
// belong to the commercial partition "aws".
func partitionOf(region string) partition {
	for _, p := range partitions {
		if strings.HasPrefix(region, p.prefix) {
			return p.partition
		}
	}
	return partition{"aws", "amazonaws.com", "com.amazonaws"}
}

// regionDescriptions are the regions' display names, as the SDK's endpoint
// metadata gives them (aws_region's description).
var regionDescriptions = map[string]string{
	"af-south-1":     "Africa (Cape Town)",
	"ap-east-1":      "Asia Pacific (Hong Kong)",
	"ap-northeast-1": "Asia Pacific (Tokyo)",
	"ap-northeast-2": "Asia Pacific (Seoul)",
	"ap-northeast-3": "Asia Pacific (Osaka)",
	"ap-south-1":     "Asia Pacific (Mumbai)",
	"ap-south-2":     "Asia Pacific (Hyderabad)",
	"ap-southeast-1": "Asia Pacific (Singapore)",
	"ap-southeast-2": "Asia Pacific (Sydney)",
	"ap-southeast-3": "Asia Pacific (Jakarta)",
	"ap-southeast-4": "Asia Pacific (Melbourne)",
	"ca-central-1":   "Canada (Central)",
	"ca-west-1":      "Canada West (Calgary)",
	"cn-north-1":     "China (Beijing)",
	"cn-northwest-1": "China (Ningxia)",
	"eu-central-1":   "Europe (Frankfurt)",
	"eu-central-2":   "Europe (Zurich)",
	"eu-north-1":     "Europe (Stockholm)",
	"eu-south-1":     "Europe (Milan)",
	"eu-south-2":     "Europe (Spain)",
	"eu-west-1":      "Europe (Ireland)",
	"eu-west-2":      "Europe (London)",
	"eu-west-3":      "Europe (Paris)",
	"il-central-1":   "Israel (Tel Aviv)",
	"me-central-1":   "Middle East (UAE)",
	"me-south-1":     "Middle East (Bahrain)",
	"sa-east-1":      "South America (Sao Paulo)",
	"us-east-1":      "US East (N. Virginia)",
	"us-east-2":      "US East (Ohio)",
	"us-gov-east-1":  "AWS GovCloud (US-East)",
	"us-gov-west-1":  "AWS GovCloud (US-West)",
	"us-west-1":      "US West (N. California)",
	"us-west-2":      "US West (Oregon)",
}
