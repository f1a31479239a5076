package aws

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

func TestDataCallerIdentity(t *testing.T) {
	srv := emulator.Start(t)
	p := testProvider(t, srv.URL(), "us-east-1")
	v, err := p.ReadData(context.Background(), "aws_caller_identity", cty.EmptyObjectVal)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Type().Equals(p.f.schema.DataSources["aws_caller_identity"].ImpliedType()) {
		t.Errorf("type %s is not the schema's", v.Type().GoString())
	}
	if got := v.GetAttr("account_id"); !got.RawEquals(cty.StringVal(motoAccount)) {
		t.Errorf("account_id = %#v", got)
	}
	if got := v.GetAttr("id"); !got.RawEquals(cty.StringVal(motoAccount)) {
		t.Errorf("id = %#v, want the account ID", got)
	}
	if arn := v.GetAttr("arn").AsString(); !strings.HasPrefix(arn, "arn:aws:") || !strings.Contains(arn, motoAccount) {
		t.Errorf("arn = %q", arn)
	}
	if v.GetAttr("user_id").AsString() == "" {
		t.Errorf("user_id is empty")
	}

	t.Run("failure names the operation", func(t *testing.T) {
		proxy := srv.StartProxy(t)
		proxy.Inject(emulator.Fault{Service: "sts", Operation: "GetCallerIdentity", Status: 403, Code: "AccessDenied"})
		// Without the identity check, which would fail New the same way
		// (TestIdentityCheck).
		p := offlineProvider(t, proxy.URL(), "us-east-1")
		_, err := p.ReadData(context.Background(), "aws_caller_identity", cty.EmptyObjectVal)
		if err == nil || !strings.Contains(err.Error(), "sts:GetCallerIdentity") {
			t.Errorf("err = %v, want one naming sts:GetCallerIdentity", err)
		}
	})
}

func TestDataRegionAndPartition(t *testing.T) {
	// Both are computed locally; the endpoint is never called.
	config := func(kv ...string) cty.Value {
		attrs := map[string]cty.Value{"name": cty.NullVal(cty.String), "region": cty.NullVal(cty.String), "endpoint": cty.NullVal(cty.String)}
		for i := 0; i+1 < len(kv); i += 2 {
			attrs[kv[i]] = cty.StringVal(kv[i+1])
		}
		return cty.ObjectVal(attrs)
	}
	regions := []struct {
		name, provider string
		config         cty.Value
		want           map[string]string
		wantErr        bool
	}{
		{name: "provider region", provider: "eu-west-1", config: config(), want: map[string]string{
			"name": "eu-west-1", "region": "eu-west-1", "id": "eu-west-1", "endpoint": "ec2.eu-west-1.amazonaws.com", "description": "Europe (Ireland)",
		}},
		{name: "named region", provider: "us-east-1", config: config("name", "cn-north-1"), want: map[string]string{
			"name": "cn-north-1", "endpoint": "ec2.cn-north-1.amazonaws.com.cn", "description": "China (Beijing)",
		}},
		{name: "by endpoint", provider: "us-east-1", config: config("endpoint", "ec2.us-west-2.amazonaws.com"), want: map[string]string{
			"name": "us-west-2", "description": "US West (Oregon)",
		}},
		{name: "unknown endpoint", provider: "us-east-1", config: config("endpoint", "example.com"), wantErr: true},
	}
	for _, tt := range regions {
		t.Run("region/"+tt.name, func(t *testing.T) {
			p := offlineProvider(t, "http://127.0.0.1:1", tt.provider)
			v, err := p.ReadData(context.Background(), "aws_region", tt.config)
			if tt.wantErr {
				if err == nil {
					t.Errorf("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !v.Type().Equals(p.f.schema.DataSources["aws_region"].ImpliedType()) {
				t.Errorf("type %s is not the schema's", v.Type().GoString())
			}
			for k, want := range tt.want {
				if got := v.GetAttr(k).AsString(); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
	partitions := []struct{ region, partition, suffix, reverse string }{
		{"us-east-1", "aws", "amazonaws.com", "com.amazonaws"},
		{"cn-northwest-1", "aws-cn", "amazonaws.com.cn", "cn.com.amazonaws"},
		{"us-gov-west-1", "aws-us-gov", "amazonaws.com", "com.amazonaws"},
	}
	for _, tt := range partitions {
		t.Run("partition/"+tt.region, func(t *testing.T) {
			p := offlineProvider(t, "http://127.0.0.1:1", tt.region)
			v, err := p.ReadData(context.Background(), "aws_partition", cty.EmptyObjectVal)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"partition": tt.partition, "id": tt.partition, "dns_suffix": tt.suffix, "reverse_dns_prefix": tt.reverse}
			for k, w := range want {
				if got := v.GetAttr(k).AsString(); got != w {
					t.Errorf("%s = %q, want %q", k, got, w)
				}
			}
		})
	}
}

// TestDataAvailabilityZones reads aws_availability_zones configured as
// real modules do, against moto: sorted names with their zone IDs, the
// region as id, exclusions applied after the call, filters sent with it.
func TestDataAvailabilityZones(t *testing.T) {
	srv := emulator.Start(t)
	p := testProvider(t, srv.URL(), "eu-west-1")
	raw, err := p.ec2.DescribeAvailabilityZones(context.Background(), &ec2.DescribeAvailabilityZonesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	zoneID := map[string]string{}
	for _, z := range raw.AvailabilityZones {
		all = append(all, aws.ToString(z.ZoneName))
		zoneID[aws.ToString(z.ZoneName)] = aws.ToString(z.ZoneId)
	}
	slices.Sort(all)
	if len(all) < 3 {
		t.Fatalf("moto has %d zones in eu-west-1: %v", len(all), all)
	}
	tests := []struct {
		name, hcl string
		want      []string
	}{
		{"all available", `state = "available"`, all},
		{"exclude_names", `exclude_names = ["` + all[0] + `"]`, all[1:]},
		{"exclude_zone_ids", `exclude_zone_ids = ["` + zoneID[all[1]] + `"]`, append([]string{all[0]}, all[2:]...)},
		{"filter", "filter {\n  name   = \"zone-name\"\n  values = [\"" + all[2] + "\"]\n}", all[2:3]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := p.ReadData(context.Background(), "aws_availability_zones", decodeData(t, p, "aws_availability_zones", tt.hcl))
			if err != nil {
				t.Fatal(err)
			}
			if !v.Type().Equals(p.f.schema.DataSources["aws_availability_zones"].ImpliedType()) {
				t.Errorf("type %s is not the schema's", v.Type().GoString())
			}
			names := stringElems(v.GetAttr("names"))
			if !slices.Equal(names, tt.want) {
				t.Errorf("names %v, want %v", names, tt.want)
			}
			ids := stringElems(v.GetAttr("zone_ids"))
			for i, n := range names {
				if i >= len(ids) || ids[i] != zoneID[n] {
					t.Errorf("zone_ids %v do not follow names %v", ids, names)
					break
				}
			}
			if got := v.GetAttr("id"); !got.RawEquals(cty.StringVal("eu-west-1")) {
				t.Errorf("id = %#v, want the region", got)
			}
		})
	}
}

// TestDataDefaultTags: aws_default_tags is the provider block's
// default_tags less the ignored ones; id is the partition.
func TestDataDefaultTags(t *testing.T) {
	srv := emulator.Start(t)
	tests := []struct {
		name     string
		defaults map[string]string
		want     cty.Value
	}{
		{"tags", map[string]string{"Team": "infra", "Skip": "x", "Env": "prod"}, cty.MapVal(map[string]cty.Value{"Team": cty.StringVal("infra"), "Env": cty.StringVal("prod")})},
		// tftags.FlattenStringValueMap: an empty map, not null.
		{"none", map[string]string{"Skip": "x"}, cty.MapValEmpty(cty.String)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ignoreTagsProvider(t, srv.URL(), []string{"Skip"}, nil, tt.defaults)
			v, err := p.ReadData(context.Background(), "aws_default_tags", decodeData(t, p, "aws_default_tags", ""))
			if err != nil {
				t.Fatal(err)
			}
			if !v.Type().Equals(p.f.schema.DataSources["aws_default_tags"].ImpliedType()) {
				t.Errorf("type %s is not the schema's", v.Type().GoString())
			}
			if got := v.GetAttr("tags"); !got.RawEquals(tt.want) {
				t.Errorf("tags = %#v, want %#v", got, tt.want)
			}
			if got := v.GetAttr("id"); !got.RawEquals(cty.StringVal("aws")) {
				t.Errorf("id = %#v, want the partition", got)
			}
		})
	}
}

// TestDataARN parses ARNs locally.
func TestDataARN(t *testing.T) {
	p := offlineProvider(t, "http://127.0.0.1:1", "us-east-1")
	tests := []struct {
		arn     string
		want    map[string]string
		wantErr bool
	}{
		{arn: "arn:aws:rds:eu-west-1:123456789012:db:mysql-db", want: map[string]string{
			"partition": "aws", "service": "rds", "region": "eu-west-1", "account": "123456789012", "resource": "db:mysql-db",
		}},
		{arn: "arn:aws-cn:iam::123456789012:role/path/app", want: map[string]string{
			"partition": "aws-cn", "service": "iam", "region": "", "account": "123456789012", "resource": "role/path/app",
		}},
		{arn: "arn:aws:s3:::bucket/key:with:colons", want: map[string]string{
			"service": "s3", "account": "", "resource": "bucket/key:with:colons",
		}},
		{arn: "not-an-arn", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.arn, func(t *testing.T) {
			v, err := p.ReadData(context.Background(), "aws_arn", decodeData(t, p, "aws_arn", `arn = "`+tt.arn+`"`))
			if tt.wantErr {
				if err == nil {
					t.Errorf("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !v.Type().Equals(p.f.schema.DataSources["aws_arn"].ImpliedType()) {
				t.Errorf("type %s is not the schema's", v.Type().GoString())
			}
			tt.want["id"] = tt.arn
			for k, w := range tt.want {
				if got := v.GetAttr(k).AsString(); got != w {
					t.Errorf("%s = %q, want %q", k, got, w)
				}
			}
		})
	}
	t.Run("unknown", func(t *testing.T) {
		v, err := p.ReadData(context.Background(), "aws_arn", cty.ObjectVal(map[string]cty.Value{"arn": cty.UnknownVal(cty.String)}))
		if err != nil {
			t.Fatal(err)
		}
		if v.GetAttr("partition").IsKnown() {
			t.Errorf("partition is known for an unknown ARN")
		}
	})
}

// decodeData decodes a data source block's body as the configuration's
// evaluation does.
func decodeData(t *testing.T, p *Provider, typ, body string) cty.Value {
	t.Helper()
	f, diags := hclsyntax.ParseConfig([]byte(body), "main.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	v, diags := hcldec.Decode(f.Body, p.f.schema.DataSources[typ].DecoderSpec(), nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return v
}
