package aws

import (
	"errors"
	"fmt"

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
