package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// ssmParameterData is the aws_ssm_parameter data source: one parameter by
// name (ssm:GetParameter), decrypted unless with_decryption is false, as
// terraform-provider-aws v5's dataParameterRead
// (internal/service/ssm/parameter_data_source.go). value is sensitive:
// ReadData marks it, so that it is never printed. insecure_value is the
// same value, unmarked, for the types that are not SecureString; for a
// SecureString it is "" (the provider sets it to nil, which its SDK
// stores as the zero string).
func ssmParameterData() *dataSource {
	computed := &providers.Attribute{Type: cty.String, Computed: true}
	schema := &providers.Schema{
		Type: "aws_ssm_parameter",
		Attributes: map[string]*providers.Attribute{
			"id":              computed,
			"arn":             computed,
			"name":            {Type: cty.String, Required: true},
			"type":            computed,
			"value":           {Type: cty.String, Computed: true, Sensitive: true},
			"insecure_value":  computed,
			"version":         {Type: cty.Number, Computed: true},
			"with_decryption": {Type: cty.Bool, Optional: true, Default: cty.True},
		},
	}
	return &dataSource{
		schema: schema,
		read: func(ctx context.Context, p *Provider, config cty.Value) (cty.Value, error) {
			name := attrString(config, "name")
			decrypt := boolOr(config, "with_decryption", true)
			out, err := p.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(decrypt)})
			if err != nil {
				return cty.NilVal, fmt.Errorf("getting SSM parameter %q: %w", name, err)
			}
			if out.Parameter == nil {
				return cty.NilVal, fmt.Errorf("getting SSM parameter %q: the answer has no parameter", name)
			}
			param := out.Parameter
			insecure := cty.StringVal("")
			if param.Type != ssmtypes.ParameterTypeSecureString {
				insecure = str(param.Value)
			}
			return objectOf(schema.Attributes, map[string]cty.Value{
				"id":              str(param.Name),
				"arn":             str(param.ARN),
				"name":            str(param.Name),
				"type":            cty.StringVal(string(param.Type)),
				"value":           str(param.Value),
				"insecure_value":  insecure,
				"version":         cty.NumberIntVal(param.Version),
				"with_decryption": cty.BoolVal(decrypt),
			}), nil
		},
	}
}
