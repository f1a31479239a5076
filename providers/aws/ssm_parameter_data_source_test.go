package aws

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// TestDataSSMParameter reads aws_ssm_parameter against moto: a String and
// a SecureString, decrypted or not. value is always marked sensitive;
// insecure_value has the value only when it is not a SecureString.
func TestDataSSMParameter(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	p := testProvider(t, srv.URL(), "us-east-1")
	put := func(name, value string, typ ssmtypes.ParameterType) {
		if _, err := p.ssm.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value), Type: typ}); err != nil {
			t.Fatal(err)
		}
	}
	put("/app/url", "https://example.com", ssmtypes.ParameterTypeString)
	put("/app/password", "s3cret", ssmtypes.ParameterTypeSecureString)
	arn := func(name string) cty.Value {
		return cty.StringVal("arn:aws:ssm:us-east-1:" + motoAccount + ":parameter" + name)
	}

	tests := []struct {
		name, hcl string
		want      map[string]cty.Value
		value     string // the unmarked value; "" to check it is not the plain text
	}{
		{name: "string", hcl: `name = "/app/url"`, value: "https://example.com", want: map[string]cty.Value{
			"id": cty.StringVal("/app/url"), "name": cty.StringVal("/app/url"), "arn": arn("/app/url"),
			"type": cty.StringVal("String"), "version": cty.NumberIntVal(1), "with_decryption": cty.True,
			"insecure_value": cty.StringVal("https://example.com"),
		}},
		{name: "secure string", hcl: `name = "/app/password"`, value: "s3cret", want: map[string]cty.Value{
			"id": cty.StringVal("/app/password"), "type": cty.StringVal("SecureString"), "arn": arn("/app/password"),
			"insecure_value": cty.StringVal(""), "with_decryption": cty.True,
		}},
		// AWS answers the ciphertext; moto (5.x) answers
		// "kms:alias/aws/ssm:s3cret". Either is not the plain text.
		{name: "secure string not decrypted", hcl: "name = \"/app/password\"\nwith_decryption = false", want: map[string]cty.Value{
			"insecure_value": cty.StringVal(""), "with_decryption": cty.False,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := p.ReadData(ctx, "aws_ssm_parameter", decodeData(t, p, "aws_ssm_parameter", tt.hcl))
			if err != nil {
				t.Fatal(err)
			}
			value := v.GetAttr("value")
			if !value.HasMark(providers.SensitiveMark) {
				t.Fatalf("value is not marked sensitive: %#v", value)
			}
			for name := range v.Type().AttributeTypes() {
				if name != "value" && v.GetAttr(name).ContainsMarked() {
					t.Errorf("%s is marked; only value is sensitive", name)
				}
			}
			plain, _ := value.Unmark()
			switch {
			case tt.value != "" && plain.AsString() != tt.value:
				t.Errorf("value = %q, want %q", plain.AsString(), tt.value)
			case tt.value == "" && (plain.AsString() == "s3cret" || plain.AsString() == ""):
				t.Errorf("value = %q, want the encrypted value", plain.AsString())
			}
			v, _ = v.UnmarkDeep()
			wantDataAttrs(t, v, tt.want)
		})
	}
	t.Run("unknown", func(t *testing.T) {
		_, err := p.ReadData(ctx, "aws_ssm_parameter", decodeData(t, p, "aws_ssm_parameter", `name = "/app/none"`))
		if err == nil || !strings.HasPrefix(err.Error(), `reading data.aws_ssm_parameter (ssm:GetParameter): getting SSM parameter "/app/none": `) || !strings.Contains(err.Error(), "ParameterNotFound") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("not yet known", func(t *testing.T) {
		v, err := p.ReadData(ctx, "aws_ssm_parameter", cty.ObjectVal(map[string]cty.Value{
			"id": cty.NullVal(cty.String), "arn": cty.NullVal(cty.String), "name": cty.UnknownVal(cty.String), "type": cty.NullVal(cty.String),
			"value": cty.NullVal(cty.String), "insecure_value": cty.NullVal(cty.String), "version": cty.NullVal(cty.Number), "with_decryption": cty.NullVal(cty.Bool),
		}))
		if err != nil {
			t.Fatal(err)
		}
		if value := v.GetAttr("value"); value.IsKnown() || !value.HasMark(providers.SensitiveMark) {
			t.Errorf("value = %#v, want unknown and sensitive", value)
		}
	})
}
