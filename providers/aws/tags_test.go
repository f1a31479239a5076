package aws

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// TestTagsDropAWSPrefix: terraform-provider-aws drops the reserved "aws:"
// tags (IgnoreAWS) of every type, not only EC2's; S3 buckets and IAM roles
// made by CloudFormation carry aws:cloudformation:* tags.
func TestTagsDropAWSPrefix(t *testing.T) {
	tests := []struct {
		name string
		got  cty.Value
		want cty.Value
	}{
		{"iam", iamTags([]iamtypes.Tag{
			{Key: aws.String("env"), Value: aws.String("prod")},
			{Key: aws.String("aws:cloudformation:stack-name"), Value: aws.String("s")},
		}), cty.MapVal(map[string]cty.Value{"env": cty.StringVal("prod")})},
		{"iam only aws", iamTags([]iamtypes.Tag{
			{Key: aws.String("aws:cloudformation:stack-id"), Value: aws.String("s")},
		}), cty.NullVal(cty.Map(cty.String))},
		{"s3", tagsValue(map[string]string{"team": "core", "aws:cloudformation:logical-id": "B"}),
			cty.MapVal(map[string]cty.Value{"team": cty.StringVal("core")})},
		{"ec2", ec2Tags([]ec2types.Tag{{Key: aws.String("aws:ec2launchtemplate:id"), Value: aws.String("lt-1")}}),
			cty.NullVal(cty.Map(cty.String))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.got.RawEquals(tt.want) {
				t.Errorf("tags = %#v, want %#v", tt.got, tt.want)
			}
		})
	}
}

// ignoreTagsProvider configures a provider whose block has ignore_tags and
// default_tags.
func ignoreTagsProvider(t *testing.T, endpoint string, keys, prefixes []string, defaults map[string]string) *Provider {
	t.Helper()
	set := func(ss []string) cty.Value {
		if len(ss) == 0 {
			return cty.NullVal(cty.Set(cty.String))
		}
		return stringSet(ss)
	}
	def := map[string]cty.Value{}
	for k, v := range defaults {
		def[k] = cty.StringVal(v)
	}
	f := NewFactory(WithLoadOptions(
		config.WithCredentialsProvider(emulator.Credentials),
		config.WithBaseEndpoint(endpoint),
		config.WithRetryMaxAttempts(2),
	))
	p, err := f.New(context.Background(), providers.Config{
		Name: "aws",
		Attrs: cty.ObjectVal(map[string]cty.Value{
			"region": cty.StringVal("us-east-1"),
			"ignore_tags": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
				"keys": set(keys), "key_prefixes": set(prefixes),
			})}),
			"default_tags": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
				"tags": cty.MapVal(def),
			})}),
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return p.(*Provider)
}

// TestIgnoreTags: the provider block's ignore_tags (keys and key_prefixes)
// leave tags out of what is read, as terraform-provider-aws's read does, so
// that the tags EKS puts on subnets (kubernetes.io/cluster/NAME) or a tag
// policy's are not drift; default_tags that it names are not expected.
func TestIgnoreTags(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	c := ec2Seed(srv)
	out, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{
		CidrBlock: aws.String("10.2.0.0/16"),
		TagSpecifications: tagSpec(ec2types.ResourceTypeVpc,
			"Name", "app", "kubernetes.io/cluster/main", "shared", "CostCenter", "42"),
	})
	if err != nil {
		t.Fatal(err)
	}
	vpcID := aws.ToString(out.Vpc.VpcId)
	onlyAWS, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{
		CidrBlock:         aws.String("10.3.0.0/16"),
		TagSpecifications: tagSpec(ec2types.ResourceTypeVpc, "kubernetes.io/role/elb", "1"),
	})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name          string
		keys, prefix  []string
		want, wantAll cty.Value
		wantDefaults  map[string]string
	}{
		{
			name: "none", want: cty.MapVal(map[string]cty.Value{
				"Name": cty.StringVal("app"), "kubernetes.io/cluster/main": cty.StringVal("shared"), "CostCenter": cty.StringVal("42"),
			}),
			wantAll:      cty.MapVal(map[string]cty.Value{"kubernetes.io/role/elb": cty.StringVal("1")}),
			wantDefaults: map[string]string{"CostCenter": "1", "Team": "core"},
		},
		{
			name: "keys and prefixes", keys: []string{"CostCenter"}, prefix: []string{"kubernetes.io/"},
			want:         cty.MapVal(map[string]cty.Value{"Name": cty.StringVal("app")}),
			wantAll:      cty.NullVal(cty.Map(cty.String)),
			wantDefaults: map[string]string{"Team": "core"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ignoreTagsProvider(t, srv.URL(), tt.keys, tt.prefix, map[string]string{"CostCenter": "1", "Team": "core"})
			live := mustRead(t, p, "aws_vpc")
			checkConforms(t, p, live)
			if got := attrOf(liveByID(t, live, vpcID), "tags"); !got.RawEquals(tt.want) {
				t.Errorf("tags = %#v, want %#v", got, tt.want)
			}
			if got := attrOf(liveByID(t, live, aws.ToString(onlyAWS.Vpc.VpcId)), "tags"); !got.RawEquals(tt.wantAll) {
				t.Errorf("tags of a VPC with only ignored tags = %#v, want %#v", got, tt.wantAll)
			}
			if got := p.DefaultTags(); !sameMap(got, tt.wantDefaults) {
				t.Errorf("DefaultTags = %v, want %v", got, tt.wantDefaults)
			}
		})
	}
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}
