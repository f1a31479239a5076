package aws

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/zclconf/go-cty/cty"
)

// Helpers that build cty values from SDK output. A nil pointer becomes the
// value Terraform would store for an unset attribute.

// str is a string value; nil is "" as Terraform stores it.
func str(p *string) cty.Value { return cty.StringVal(aws.ToString(p)) }

// strOrNull is a string value, null when nil.
func strOrNull(p *string) cty.Value {
	if p == nil {
		return cty.NullVal(cty.String)
	}
	return cty.StringVal(*p)
}

// boolean is a bool value; nil is false.
func boolean(p *bool) cty.Value { return cty.BoolVal(aws.ToBool(p)) }

// num is a number value; nil is 0.
func num(p *int32) cty.Value { return cty.NumberIntVal(int64(aws.ToInt32(p))) }

// stringSet is a set of strings (an empty set, never null).
func stringSet(ss []string) cty.Value {
	if len(ss) == 0 {
		return cty.SetValEmpty(cty.String)
	}
	vals := make([]cty.Value, len(ss))
	for i, s := range ss {
		vals[i] = cty.StringVal(s)
	}
	return cty.SetVal(vals)
}

// stringList is a list of strings (an empty list, never null).
func stringList(ss []string) cty.Value {
	if len(ss) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	vals := make([]cty.Value, len(ss))
	for i, s := range ss {
		vals[i] = cty.StringVal(s)
	}
	return cty.ListVal(vals)
}

// stringMap is a map of strings; empty maps are null, as Terraform reads
// tags that are absent.
func stringMap(m map[string]string) cty.Value {
	if len(m) == 0 {
		return cty.NullVal(cty.Map(cty.String))
	}
	vals := make(map[string]cty.Value, len(m))
	for k, v := range m {
		vals[k] = cty.StringVal(v)
	}
	return cty.MapVal(vals)
}

// tagsValue is the "tags" value of a resource's tags. Tags under the
// reserved "aws:" prefix (aws:cloudformation:stack-name, ...) are dropped,
// as terraform-provider-aws does for every type with
// KeyValueTags(...).IgnoreAWS(): nobody can set them in configuration.
func tagsValue(m map[string]string) cty.Value {
	kept := make(map[string]string, len(m))
	for k, v := range m {
		if !strings.HasPrefix(k, "aws:") {
			kept[k] = v
		}
	}
	return stringMap(kept)
}
