package aws

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// The provider-defined functions of terraform-provider-aws (v5.40+,
// internal/function), called as provider::aws::NAME: computed locally, as
// the provider does, with aws-sdk-go-v2's arn package.

// arnObject is arn_parse's result type.
var arnObject = cty.Object(map[string]cty.Type{
	"partition": cty.String, "service": cty.String, "region": cty.String, "account_id": cty.String, "resource": cty.String,
})

// providerFunctions are the functions by name.
func providerFunctions() map[string]function.Function {
	str := func(name string) function.Parameter { return function.Parameter{Name: name, Type: cty.String} }
	return map[string]function.Function{
		"arn_parse": function.New(&function.Spec{
			Params: []function.Parameter{str("arn")},
			Type:   function.StaticReturnType(arnObject),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				a, err := arn.Parse(args[0].AsString())
				if err != nil {
					return cty.NilVal, function.NewArgError(0, err)
				}
				return cty.ObjectVal(map[string]cty.Value{
					"partition": cty.StringVal(a.Partition), "service": cty.StringVal(a.Service), "region": cty.StringVal(a.Region),
					"account_id": cty.StringVal(a.AccountID), "resource": cty.StringVal(a.Resource),
				}), nil
			},
		}),
		"arn_build": function.New(&function.Spec{
			Params: []function.Parameter{str("partition"), str("service"), str("region"), str("account_id"), str("resource")},
			Type:   function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				a := arn.ARN{Partition: args[0].AsString(), Service: args[1].AsString(), Region: args[2].AsString(),
					AccountID: args[3].AsString(), Resource: args[4].AsString()}
				return cty.StringVal(a.String()), nil
			},
		}),
		// trim_iam_role_path keeps an IAM role ARN's last path element:
		// arn:aws:iam::444455556666:role/with/path/example is
		// arn:aws:iam::444455556666:role/example.
		"trim_iam_role_path": function.New(&function.Spec{
			Params: []function.Parameter{str("arn")},
			Type:   function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				a, err := arn.Parse(args[0].AsString())
				if err != nil {
					return cty.NilVal, function.NewArgError(0, err)
				}
				if a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") {
					return cty.NilVal, function.NewArgError(0, fmt.Errorf("%s is not an IAM role ARN", args[0].AsString()))
				}
				parts := strings.Split(a.Resource, "/")
				a.Resource = "role/" + parts[len(parts)-1]
				return cty.StringVal(a.String()), nil
			},
		}),
	}
}
