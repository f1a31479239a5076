package aws

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/smithy-go"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// endpointServices are the services driftctl calls, whose endpoints a
// provider block may override in endpoints { } (by any of their names, see
// endpointServiceOf).
var endpointServices = []string{"ec2", "s3", "iam", "sts", "ssm", "kms", "route53"}

// providerSchema is the schema of the provider "aws" block: every argument
// and block of terraform-provider-aws v3 to v5, so that a configuration
// `terraform validate` accepts loads. Those driftctl needs take effect; the
// others are checked for type and ignored.
func providerSchema() *providers.Schema {
	str := &providers.Attribute{Type: cty.String, Optional: true}
	secret := &providers.Attribute{Type: cty.String, Optional: true, Sensitive: true}
	flag := &providers.Attribute{Type: cty.Bool, Optional: true}
	num := &providers.Attribute{Type: cty.Number, Optional: true}
	strings := &providers.Attribute{Type: cty.Set(cty.String), Optional: true}
	endpoints := map[string]*providers.Attribute{}
	for name := range endpointServiceOf {
		endpoints[name] = str
	}
	return &providers.Schema{
		Type: "aws",
		Attributes: map[string]*providers.Attribute{
			"region":     str,
			"profile":    str,
			"access_key": secret,
			"secret_key": secret,
			"token":      secret,
			// api_rate is driftctl's own: requests per second per service.
			"api_rate":                       num,
			"max_retries":                    num,
			"retry_mode":                     str,
			"s3_use_path_style":              flag,
			"s3_force_path_style":            flag, // v3 and v4
			"s3_us_east_1_regional_endpoint": str,
			"skip_credentials_validation":    flag,
			"skip_requesting_account_id":     flag,
			// A bool in v3, a string ("true", "false") since v4.
			"skip_metadata_api_check":            str,
			"skip_region_validation":             flag,
			"skip_get_ec2_platforms":             flag, // v3 and v4
			"shared_config_files":                {Type: cty.List(cty.String), Optional: true},
			"shared_credentials_files":           {Type: cty.List(cty.String), Optional: true},
			"shared_credentials_file":            str, // v3 and v4
			"allowed_account_ids":                strings,
			"forbidden_account_ids":              strings,
			"insecure":                           flag,
			"http_proxy":                         str,
			"https_proxy":                        str,
			"no_proxy":                           str,
			"custom_ca_bundle":                   str,
			"ec2_metadata_service_endpoint":      str,
			"ec2_metadata_service_endpoint_mode": str,
			"sts_region":                         str,
			"use_dualstack_endpoint":             flag,
			"use_fips_endpoint":                  flag,
			"token_bucket_rate_limiter_capacity": num,
			"endpoints": {Optional: true, Nested: &providers.NestedBlock{
				Nesting: providers.NestingList, Attributes: endpoints,
			}},
			"default_tags": {Optional: true, Nested: &providers.NestedBlock{
				Nesting: providers.NestingList, MaxItems: 1,
				Attributes: map[string]*providers.Attribute{"tags": {Type: cty.Map(cty.String), Optional: true}},
			}},
			"ignore_tags": {Optional: true, Nested: &providers.NestedBlock{
				Nesting: providers.NestingList, MaxItems: 1,
				Attributes: map[string]*providers.Attribute{
					"keys":         strings,
					"key_prefixes": strings,
				},
			}},
			// Several assume_role blocks chain roles (v5).
			"assume_role": {Optional: true, Nested: &providers.NestedBlock{
				Nesting: providers.NestingList,
				Attributes: map[string]*providers.Attribute{
					"role_arn":            str,
					"session_name":        str,
					"external_id":         str,
					"duration":            str,
					"duration_seconds":    num, // v3 and v4
					"policy":              str,
					"policy_arns":         strings,
					"tags":                {Type: cty.Map(cty.String), Optional: true},
					"transitive_tag_keys": strings,
					"source_identity":     str,
				},
			}},
			"assume_role_with_web_identity": {Optional: true, Nested: &providers.NestedBlock{
				Nesting: providers.NestingList, MaxItems: 1,
				Attributes: map[string]*providers.Attribute{
					"role_arn":                str,
					"session_name":            str,
					"duration":                str,
					"duration_seconds":        num,
					"policy":                  str,
					"policy_arns":             strings,
					"web_identity_token":      secret,
					"web_identity_token_file": str,
				},
			}},
		},
	}
}

// settings are the provider block's values that driftctl uses.
type settings struct {
	region, profile             string
	accessKey, secretKey, token string
	maxRetries                  int
	s3PathStyle                 *bool
	endpoints                   map[string]string
	defaultTags                 map[string]string
	assumeRoleARN, sessionName  string
	externalID                  string
	ignoreTags                  ignoreTags
	// skipCredentialsValidation is skip_credentials_validation: no
	// identity check when the provider is configured.
	skipCredentialsValidation bool
	// apiRate is api_rate, driftctl's own setting: requests per second
	// per service (and region) for the account, in place of the
	// services' defaults (see defaultRate); 0 when not set.
	apiRate float64
}

// ignoreTags is the provider block's ignore_tags: tags that
// terraform-provider-aws leaves out of every resource's tags when it reads
// them (tftags.KeyValueTags.IgnoreConfig), typically those that other
// systems add (kubernetes.io/cluster/..., set by EKS on subnets).
type ignoreTags struct {
	keys     map[string]bool
	prefixes []string
}

// ignored reports whether a tag key is ignored.
func (it ignoreTags) ignored(key string) bool {
	if it.keys[key] {
		return true
	}
	for _, p := range it.prefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// empty reports whether no tag is ignored.
func (it ignoreTags) empty() bool { return len(it.keys) == 0 && len(it.prefixes) == 0 }

// filterMap returns m without the ignored keys.
func (it ignoreTags) filterMap(m map[string]string) map[string]string {
	if it.empty() || m == nil {
		return m
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if !it.ignored(k) {
			out[k] = v
		}
	}
	return out
}

// filterAttrs returns a live value with the ignored keys left out of its
// "tags"; an empty result is null, as tags that are absent.
func (it ignoreTags) filterAttrs(attrs cty.Value) cty.Value {
	if it.empty() || attrs == cty.NilVal || attrs.IsNull() || !attrs.IsWhollyKnown() ||
		!attrs.Type().IsObjectType() || !attrs.Type().HasAttribute("tags") {
		return attrs
	}
	tags := attrs.GetAttr("tags")
	if tags.IsNull() || !tags.Type().IsMapType() || tags.LengthInt() == 0 {
		return attrs
	}
	m := map[string]string{}
	for k, v := range tags.AsValueMap() {
		if !it.ignored(k) && !v.IsNull() {
			m[k] = v.AsString()
		}
	}
	if len(m) == tags.LengthInt() {
		return attrs
	}
	vals := attrs.AsValueMap()
	vals["tags"] = stringMap(m)
	return cty.ObjectVal(vals)
}

// decodeSettings reads settings from an evaluated provider block. A null
// or empty block means the SDK's defaults (environment, profiles).
func decodeSettings(v cty.Value) (settings, error) {
	s := settings{endpoints: map[string]string{}}
	if v == cty.NilVal || v.IsNull() {
		return s, nil
	}
	if !v.IsWhollyKnown() {
		return s, errors.New("the provider block depends on values that are not known before reading the cloud")
	}
	s.region = attrString(v, "region")
	s.profile = attrString(v, "profile")
	s.accessKey = attrString(v, "access_key")
	s.secretKey = attrString(v, "secret_key")
	s.token = attrString(v, "token")
	if n := attr(v, "max_retries"); !n.IsNull() {
		i, _ := n.AsBigFloat().Int64()
		s.maxRetries = int(i)
	}
	if n := attr(v, "api_rate"); !n.IsNull() {
		f, _ := n.AsBigFloat().Float64()
		if f <= 0 {
			return s, fmt.Errorf("api_rate must be a positive number of requests per second, not %v", f)
		}
		s.apiRate = f
	}
	if b := attr(v, "skip_credentials_validation"); !b.IsNull() && b.Type() == cty.Bool {
		s.skipCredentialsValidation = b.True()
	}
	// s3_force_path_style is the v3 and v4 spelling.
	for _, name := range []string{"s3_force_path_style", "s3_use_path_style"} {
		if b := attr(v, name); !b.IsNull() && b.Type() == cty.Bool {
			t := b.True()
			s.s3PathStyle = &t
		}
	}
	for _, block := range blocks(v, "endpoints") {
		// Any of a service's names sets its endpoint: "s3api" is "s3";
		// the service's own name wins over an alias.
		for _, name := range slices.Sorted(maps.Keys(endpointServiceOf)) {
			svc := endpointServiceOf[name]
			if !slices.Contains(endpointServices, svc) {
				continue
			}
			if u := attrString(block, name); u != "" && (name == svc || s.endpoints[svc] == "") {
				s.endpoints[svc] = u
			}
		}
	}
	for _, block := range blocks(v, "default_tags") {
		tags := attr(block, "tags")
		if tags.IsNull() {
			continue
		}
		s.defaultTags = map[string]string{}
		for k, tv := range tags.AsValueMap() {
			if tv.IsNull() {
				continue
			}
			s.defaultTags[k] = tv.AsString()
		}
	}
	for _, block := range blocks(v, "ignore_tags") {
		for _, k := range stringElems(attr(block, "keys")) {
			if s.ignoreTags.keys == nil {
				s.ignoreTags.keys = map[string]bool{}
			}
			s.ignoreTags.keys[k] = true
		}
		s.ignoreTags.prefixes = append(s.ignoreTags.prefixes, stringElems(attr(block, "key_prefixes"))...)
	}
	for _, block := range blocks(v, "assume_role") {
		s.assumeRoleARN = attrString(block, "role_arn")
		s.sessionName = attrString(block, "session_name")
		s.externalID = attrString(block, "external_id")
	}
	return s, nil
}

// attr returns the attribute of an object, or a null when the object is
// null or lacks it.
func attr(obj cty.Value, name string) cty.Value {
	if obj.IsNull() || !obj.IsKnown() || !obj.Type().IsObjectType() || !obj.Type().HasAttribute(name) {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	return obj.GetAttr(name)
}

// attrString returns a string attribute, "" when null or unknown.
func attrString(obj cty.Value, name string) string {
	v := attr(obj, name)
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

// blocks returns the elements of a nested block attribute.
func blocks(obj cty.Value, name string) []cty.Value {
	v := attr(obj, name)
	if v.IsNull() || !v.IsKnown() || !v.CanIterateElements() {
		return nil
	}
	var out []cty.Value
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		out = append(out, e)
	}
	return out
}

// operationOf names the API operation of an SDK error (or of a
// SingularMatchError that says it) as "service:Operation".
func operationOf(err error) string {
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		return fmt.Sprintf("%s:%s", serviceCode(oe.Service()), oe.Operation())
	}
	// A query that matched none or several: the operation it searched.
	var me *SingularMatchError
	if errors.As(err, &me) && me.Operation != "" {
		return me.Operation
	}
	return "unknown"
}

// serviceCode maps the SDK's service IDs ("EC2", "S3", "IAM", "STS", "SSM",
// "KMS", "Route 53") to the lower-case names used in IAM actions.
func serviceCode(id string) string {
	switch id {
	case "EC2":
		return "ec2"
	case "S3":
		return "s3"
	case "IAM":
		return "iam"
	case "STS":
		return "sts"
	case "SSM":
		return "ssm"
	case "KMS":
		return "kms"
	case "Route 53":
		return "route53"
	}
	return id
}
