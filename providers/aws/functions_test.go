package aws

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// TestProviderFunctions checks provider::aws:: functions with the examples
// of terraform-provider-aws's documentation (website/docs/functions).
func TestProviderFunctions(t *testing.T) {
	t.Parallel()
	fns := NewFactory().Schema().Functions
	s := cty.StringVal
	tests := []struct {
		fn      string
		args    []cty.Value
		want    cty.Value
		wantErr string
	}{
		{"arn_parse", []cty.Value{s("arn:aws:iam::444455556666:role/example")}, cty.ObjectVal(map[string]cty.Value{
			"partition": s("aws"), "service": s("iam"), "region": s(""), "account_id": s("444455556666"), "resource": s("role/example"),
		}), ""},
		{"arn_parse", []cty.Value{s("arn:aws-cn:s3:cn-north-1:111122223333:bucket/x")}, cty.ObjectVal(map[string]cty.Value{
			"partition": s("aws-cn"), "service": s("s3"), "region": s("cn-north-1"), "account_id": s("111122223333"), "resource": s("bucket/x"),
		}), ""},
		{"arn_parse", []cty.Value{s("not-an-arn")}, cty.NilVal, "arn: invalid prefix"},
		{"arn_build", []cty.Value{s("aws"), s("iam"), s(""), s("444455556666"), s("role/example")}, s("arn:aws:iam::444455556666:role/example"), ""},
		{"trim_iam_role_path", []cty.Value{s("arn:aws:iam::444455556666:role/with/path/example")}, s("arn:aws:iam::444455556666:role/example"), ""},
		{"trim_iam_role_path", []cty.Value{s("arn:aws:iam::444455556666:role/example")}, s("arn:aws:iam::444455556666:role/example"), ""},
		{"trim_iam_role_path", []cty.Value{s("arn:aws:s3:::bucket")}, cty.NilVal, "is not an IAM role ARN"},
	}
	for _, tt := range tests {
		got, err := fns[tt.fn].Call(tt.args)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s%v: error %v, want %q", tt.fn, tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !got.RawEquals(tt.want) {
			t.Errorf("%s%v = %#v, %v; want %#v", tt.fn, tt.args, got, err, tt.want)
		}
	}
}
