package aws

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// TestDataKMSKey reads aws_kms_key against moto by key ID, key ARN, alias
// name and alias ARN; a malformed key_id fails before any call, an unknown
// one names kms:DescribeKey.
func TestDataKMSKey(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	p := testProvider(t, srv.URL(), "eu-west-1")
	// The seed client has no answer validator: moto (5.x) sends KMS's
	// answers as text/html, which driftctl accepts only for the
	// operations it reads (a JSON object is no web page).
	seed := kms.NewFromConfig(srv.Config("eu-west-1"))
	// AWS defaults KeyUsage to ENCRYPT_DECRYPT and answers it; moto
	// (5.x) answers KeyUsage only when CreateKey was given one.
	out, err := seed.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("app secrets"), KeyUsage: kmstypes.KeyUsageTypeEncryptDecrypt})
	if err != nil {
		t.Fatal(err)
	}
	id, arn := aws.ToString(out.KeyMetadata.KeyId), aws.ToString(out.KeyMetadata.Arn)
	if _, err := seed.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	for _, keyID := range []string{id, arn, "alias/app", "arn:aws:kms:eu-west-1:" + motoAccount + ":alias/app"} {
		t.Run(keyID, func(t *testing.T) {
			v, err := p.ReadData(ctx, "aws_kms_key", decodeData(t, p, "aws_kms_key", `key_id = "`+keyID+`"`))
			if err != nil {
				t.Fatal(err)
			}
			wantDataAttrs(t, v, map[string]cty.Value{
				"id":                              cty.StringVal(id),
				"key_id":                          cty.StringVal(keyID),
				"arn":                             cty.StringVal(arn),
				"aws_account_id":                  cty.StringVal(motoAccount),
				"description":                     cty.StringVal("app secrets"),
				"enabled":                         cty.True,
				"key_manager":                     cty.StringVal("CUSTOMER"),
				"key_spec":                        cty.StringVal("SYMMETRIC_DEFAULT"),
				"customer_master_key_spec":        cty.StringVal("SYMMETRIC_DEFAULT"),
				"key_state":                       cty.StringVal("Enabled"),
				"key_usage":                       cty.StringVal("ENCRYPT_DECRYPT"),
				"multi_region":                    cty.False,
				"origin":                          cty.StringVal("AWS_KMS"),
				"deletion_date":                   cty.StringVal(""),
				"valid_to":                        cty.StringVal(""),
				"pending_deletion_window_in_days": cty.Zero,
			})
			if _, err := time.Parse(time.RFC3339, v.GetAttr("creation_date").AsString()); err != nil {
				t.Errorf("creation_date: %v", err)
			}
			if n := v.GetAttr("multi_region_configuration").LengthInt(); n != 0 {
				t.Errorf("multi_region_configuration has %d blocks for a single-Region key", n)
			}
		})
	}
	tests := []struct{ name, keyID, want string }{
		{"malformed", "not-a-key", `reading data.aws_kms_key: key_id "not-a-key" is not a key ID, a key ARN, an alias name (alias/...) or an alias ARN`},
		{"ARN of another service", "arn:aws:s3:::bucket", `reading data.aws_kms_key: key_id "arn:aws:s3:::bucket" is not`},
		{"unknown key", "0b6fc4e4-1d9c-4a0b-9ab4-1c2d3e4f5a6b", `reading data.aws_kms_key (kms:DescribeKey): describing KMS key "0b6fc4e4-1d9c-4a0b-9ab4-1c2d3e4f5a6b": `},
		{"unknown alias", "alias/none", `reading data.aws_kms_key (kms:DescribeKey): describing KMS key "alias/none": `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.ReadData(ctx, "aws_kms_key", decodeData(t, p, "aws_kms_key", `key_id = "`+tt.keyID+`"`))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to start with %q", err, tt.want)
			}
		})
	}
}
