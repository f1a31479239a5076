package aws

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// kmsKeyData is the aws_kms_key data source: the key that key_id names
// (a key ID, a key ARN, an alias name or an alias ARN), described by
// kms:DescribeKey, as terraform-provider-aws v5's dataSourceKeyRead
// (internal/service/kms/key_data_source.go). id is the key's ID; key_id
// stays as configured.
func kmsKeyData() *dataSource {
	regionKey := cty.Object(map[string]cty.Type{"arn": cty.String, "region": cty.String})
	schema := &providers.Schema{
		Type: "aws_kms_key",
		Attributes: map[string]*providers.Attribute{
			"id":                       computed(cty.String),
			"arn":                      computed(cty.String),
			"aws_account_id":           computed(cty.String),
			"cloud_hsm_cluster_id":     computed(cty.String),
			"creation_date":            computed(cty.String),
			"customer_master_key_spec": computed(cty.String),
			"custom_key_store_id":      computed(cty.String),
			"deletion_date":            computed(cty.String),
			"description":              computed(cty.String),
			"enabled":                  computed(cty.Bool),
			"expiration_model":         computed(cty.String),
			"grant_tokens":             {Type: cty.List(cty.String), Optional: true},
			"key_id":                   {Type: cty.String, Required: true},
			"key_manager":              computed(cty.String),
			"key_spec":                 computed(cty.String),
			"key_state":                computed(cty.String),
			"key_usage":                computed(cty.String),
			"multi_region":             computed(cty.Bool),
			"multi_region_configuration": computed(cty.List(cty.Object(map[string]cty.Type{
				"multi_region_key_type": cty.String,
				"primary_key":           cty.List(regionKey),
				"replica_keys":          cty.List(regionKey),
			}))),
			"origin":                          computed(cty.String),
			"pending_deletion_window_in_days": computed(cty.Number),
			"valid_to":                        computed(cty.String),
			"xks_key_configuration":           computed(cty.List(cty.Object(map[string]cty.Type{"id": cty.String}))),
		},
	}
	return &dataSource{
		schema: schema,
		read: func(ctx context.Context, p *Provider, config cty.Value) (cty.Value, error) {
			keyID := attrString(config, "key_id")
			if !validKeyOrAlias(keyID) {
				return cty.NilVal, fmt.Errorf("key_id %q is not a key ID, a key ARN, an alias name (alias/...) or an alias ARN", keyID)
			}
			out, err := p.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyID), GrantTokens: stringElems(attr(config, "grant_tokens"))})
			if err != nil {
				return cty.NilVal, fmt.Errorf("describing KMS key %q: %w", keyID, err)
			}
			if out.KeyMetadata == nil {
				return cty.NilVal, fmt.Errorf("describing KMS key %q: the answer has no key metadata", keyID)
			}
			return kmsKeyDataValue(schema, config, out.KeyMetadata), nil
		},
	}
}

// kmsKeyDataValue is the aws_kms_key value of a key's metadata. Dates are
// RFC 3339 as the provider formats them; deletion_date and valid_to are ""
// when the key has none, and the blocks empty lists.
func kmsKeyDataValue(schema *providers.Schema, config cty.Value, k *kmstypes.KeyMetadata) cty.Value {
	date := func(t *time.Time) cty.Value {
		if t == nil {
			return cty.StringVal("")
		}
		return cty.StringVal(t.Format(time.RFC3339))
	}
	vals := map[string]cty.Value{
		"id":                              str(k.KeyId),
		"arn":                             str(k.Arn),
		"aws_account_id":                  str(k.AWSAccountId),
		"cloud_hsm_cluster_id":            str(k.CloudHsmClusterId),
		"creation_date":                   cty.StringVal(aws.ToTime(k.CreationDate).Format(time.RFC3339)),
		"customer_master_key_spec":        cty.StringVal(string(k.CustomerMasterKeySpec)),
		"custom_key_store_id":             str(k.CustomKeyStoreId),
		"deletion_date":                   date(k.DeletionDate),
		"description":                     str(k.Description),
		"enabled":                         cty.BoolVal(k.Enabled),
		"expiration_model":                cty.StringVal(string(k.ExpirationModel)),
		"key_id":                          attr(config, "key_id"),
		"key_manager":                     cty.StringVal(string(k.KeyManager)),
		"key_spec":                        cty.StringVal(string(k.KeySpec)),
		"key_state":                       cty.StringVal(string(k.KeyState)),
		"key_usage":                       cty.StringVal(string(k.KeyUsage)),
		"multi_region":                    boolean(k.MultiRegion),
		"origin":                          cty.StringVal(string(k.Origin)),
		"pending_deletion_window_in_days": num(k.PendingDeletionWindowInDays),
		"valid_to":                        date(k.ValidTo),
	}
	if v := attr(config, "grant_tokens"); !v.IsNull() {
		vals["grant_tokens"] = v
	}
	mrcType := schema.Attributes["multi_region_configuration"].Type.ElementType()
	vals["multi_region_configuration"] = cty.ListValEmpty(mrcType)
	if c := k.MultiRegionConfiguration; c != nil {
		regionKey := mrcType.AttributeType("primary_key").ElementType()
		key := func(m kmstypes.MultiRegionKey) cty.Value {
			return cty.ObjectVal(map[string]cty.Value{"arn": str(m.Arn), "region": str(m.Region)})
		}
		primary, replicas := cty.ListValEmpty(regionKey), cty.ListValEmpty(regionKey)
		if c.PrimaryKey != nil {
			primary = cty.ListVal([]cty.Value{key(*c.PrimaryKey)})
		}
		if len(c.ReplicaKeys) > 0 {
			var rs []cty.Value
			for _, r := range c.ReplicaKeys {
				rs = append(rs, key(r))
			}
			replicas = cty.ListVal(rs)
		}
		vals["multi_region_configuration"] = cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
			"multi_region_key_type": cty.StringVal(string(c.MultiRegionKeyType)), "primary_key": primary, "replica_keys": replicas,
		})})
	}
	xksType := schema.Attributes["xks_key_configuration"].Type.ElementType()
	vals["xks_key_configuration"] = cty.ListValEmpty(xksType)
	if x := k.XksKeyConfiguration; x != nil {
		vals["xks_key_configuration"] = cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"id": str(x.Id)})})
	}
	return objectOf(schema.Attributes, vals)
}

// kmsKeyIDPattern is a key ID (a UUID, or mrk- and 32 hex digits for a
// multi-Region key); kmsAliasPattern an alias name.
const (
	kmsKeyIDPattern = `(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})`
	kmsAliasPattern = `alias/[0-9A-Za-z_/-]+`
)

var (
	kmsKeyOrAlias    = regexp.MustCompile(`^(?:` + kmsKeyIDPattern + `|` + kmsAliasPattern + `)$`)
	kmsKeyResource   = regexp.MustCompile(`^key/` + kmsKeyIDPattern + `$`)
	kmsAliasResource = regexp.MustCompile(`^` + kmsAliasPattern + `$`)
)

// validKeyOrAlias reports whether s is what the provider's
// validateKeyOrAlias accepts: a key ID, an alias name, or the ARN of a key
// or an alias.
func validKeyOrAlias(s string) bool {
	if kmsKeyOrAlias.MatchString(s) {
		return true
	}
	a, err := arn.Parse(s)
	return err == nil && a.Service == "kms" && (kmsKeyResource.MatchString(a.Resource) || kmsAliasResource.MatchString(a.Resource))
}
