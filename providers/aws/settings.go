package aws

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// endpointServices are the services whose endpoints a provider block may
// override in endpoints { }.
var endpointServices = []string{"ec2", "s3", "iam", "sts"}

// providerSchema is the schema of the provider "aws" block. Settings that
// driftctl does not need are accepted so that real configurations load.
func providerSchema() *providers.Schema {
	str := &providers.Attribute{Type: cty.String, Optional: true}
	endpoints := map[string]*providers.Attribute{}
	for _, s := range append(endpointServices, "s3control", "organizations", "resourcegroupstaggingapi") {
		endpoints[s] = str
	}
	return &providers.Schema{
		Type: "aws",
		Attributes: map[string]*providers.Attribute{
			"region":                      str,
			"profile":                     str,
			"access_key":                  {Type: cty.String, Optional: true, Sensitive: true},
			"secret_key":                  {Type: cty.String, Optional: true, Sensitive: true},
			"token":                       {Type: cty.String, Optional: true, Sensitive: true},
			"max_retries":                 {Type: cty.Number, Optional: true},
			"api_rate":                    {Type: cty.Number, Optional: true},
			"s3_use_path_style":           {Type: cty.Bool, Optional: true},
			"skip_credentials_validation": {Type: cty.Bool, Optional: true},
			"skip_requesting_account_id":  {Type: cty.Bool, Optional: true},
			"skip_metadata_api_check":     {Type: cty.String, Optional: true},
			"skip_region_validation":      {Type: cty.Bool, Optional: true},
			"shared_config_files":         {Type: cty.List(cty.String), Optional: true},
			"shared_credentials_files":    {Type: cty.List(cty.String), Optional: true},
			"allowed_account_ids":         {Type: cty.Set(cty.String), Optional: true},
			"forbidden_account_ids":       {Type: cty.Set(cty.String), Optional: true},
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
					"keys":         {Type: cty.Set(cty.String), Optional: true},
					"key_prefixes": {Type: cty.Set(cty.String), Optional: true},
				},
			}},
			"assume_role": {Optional: true, Nested: &providers.NestedBlock{
				Nesting: providers.NestingList, MaxItems: 1,
				Attributes: map[string]*providers.Attribute{
					"role_arn":     str,
					"session_name": str,
					"external_id":  str,
					"duration":     str,
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
	if b := attr(v, "s3_use_path_style"); !b.IsNull() {
		t := b.True()
		s.s3PathStyle = &t
	}
	for _, block := range blocks(v, "endpoints") {
		for _, svc := range endpointServices {
			if u := attrString(block, svc); u != "" {
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

// operationOf names the API operation of an SDK error as "service:Operation".
func operationOf(err error) string {
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		return fmt.Sprintf("%s:%s", serviceCode(oe.Service()), oe.Operation())
	}
	return "unknown"
}

// serviceCode maps the SDK's service IDs ("EC2", "S3", "IAM", "STS") to the
// lower-case names used in IAM actions.
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
	}
	return id
}
