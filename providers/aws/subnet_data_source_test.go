package aws

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// subnetFixture makes a VPC with two tagged subnets in two zones.
func subnetFixture(t *testing.T, p *Provider) (vpc, a, b string) {
	t.Helper()
	ctx := context.Background()
	v, err := p.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.50.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vpc = aws.ToString(v.Vpc.VpcId)
	create := func(cidr, az, name string) string {
		out, err := p.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{
			VpcId: aws.String(vpc), CidrBlock: aws.String(cidr), AvailabilityZone: aws.String(az),
			TagSpecifications: tagSpec(ec2types.ResourceTypeSubnet, "Name", name, "Tier", "private"),
		})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Subnet.SubnetId)
	}
	return vpc, create("10.50.1.0/24", "eu-west-1a", "a"), create("10.50.2.0/24", "eu-west-1b", "b")
}

// TestDataSubnet reads aws_subnet by each of its arguments against moto.
func TestDataSubnet(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	p := testProvider(t, srv.URL(), "eu-west-1")
	vpc, a, _ := subnetFixture(t, p)
	tests := []struct {
		name, hcl string
		wantCount int // of a SingularMatchError; -1 for one match (subnet a)
	}{
		{"id", `id = "` + a + `"`, -1},
		{"vpc and cidr", "vpc_id = \"" + vpc + "\"\ncidr_block = \"10.50.1.0/24\"", -1},
		{"vpc and zone", "vpc_id = \"" + vpc + "\"\navailability_zone = \"eu-west-1a\"", -1},
		{"tags", `tags = { Name = "a" }`, -1},
		{"filter", "filter {\n  name = \"vpc-id\"\n  values = [\"" + vpc + "\"]\n}\nfilter {\n  name = \"tag:Name\"\n  values = [\"a\"]\n}", -1},
		{"unknown id", `id = "subnet-0123456789abcdef0"`, 0},
		{"no match", "vpc_id = \"" + vpc + "\"\ncidr_block = \"10.50.9.0/24\"", 0},
		{"several", `vpc_id = "` + vpc + `"`, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := p.ReadData(ctx, "aws_subnet", decodeData(t, p, "aws_subnet", tt.hcl))
			if tt.wantCount >= 0 {
				var me *SingularMatchError
				if !errors.As(err, &me) || me.Count != tt.wantCount || me.Kind != "EC2 Subnet" {
					t.Fatalf("err = %v, want %d matches", err, tt.wantCount)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !v.Type().Equals(p.f.schema.DataSources["aws_subnet"].ImpliedType()) {
				t.Errorf("type %s is not the schema's", v.Type().GoString())
			}
			want := map[string]cty.Value{
				"id":                      cty.StringVal(a),
				"arn":                     cty.StringVal("arn:aws:ec2:eu-west-1:" + motoAccount + ":subnet/" + a),
				"vpc_id":                  cty.StringVal(vpc),
				"cidr_block":              cty.StringVal("10.50.1.0/24"),
				"availability_zone":       cty.StringVal("eu-west-1a"),
				"default_for_az":          cty.False,
				"state":                   cty.StringVal("available"),
				"owner_id":                cty.StringVal(motoAccount),
				"outpost_arn":             cty.StringVal(""),
				"ipv6_cidr_block":         cty.StringVal(""),
				"tags":                    cty.MapVal(map[string]cty.Value{"Name": cty.StringVal("a"), "Tier": cty.StringVal("private")}),
				"map_public_ip_on_launch": cty.False,
			}
			for k, w := range want {
				if got := v.GetAttr(k); !got.RawEquals(w) {
					t.Errorf("%s = %#v, want %#v", k, got, w)
				}
			}
			// A /24 has 256 addresses, of which AWS keeps five.
			if got := v.GetAttr("available_ip_address_count"); !got.RawEquals(cty.NumberIntVal(251)) {
				t.Errorf("available_ip_address_count = %#v, want 251", got)
			}
			if v.GetAttr("availability_zone_id").AsString() == "" {
				t.Errorf("availability_zone_id is empty")
			}
		})
	}
}

// TestDataSubnets lists subnet IDs by tags and filters; no match is an
// empty list.
func TestDataSubnets(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	p := testProvider(t, srv.URL(), "eu-west-1")
	vpc, a, b := subnetFixture(t, p)
	tests := []struct {
		name, hcl string
		want      []string
	}{
		{"vpc filter", "filter {\n  name = \"vpc-id\"\n  values = [\"" + vpc + "\"]\n}", []string{a, b}},
		{"tags", `tags = { Tier = "private", Name = "b" }`, []string{b}},
		{"none", `tags = { Tier = "public" }`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := p.ReadData(ctx, "aws_subnets", decodeData(t, p, "aws_subnets", tt.hcl))
			if err != nil {
				t.Fatal(err)
			}
			if !v.Type().Equals(p.f.schema.DataSources["aws_subnets"].ImpliedType()) {
				t.Errorf("type %s is not the schema's", v.Type().GoString())
			}
			got := stringElems(v.GetAttr("ids"))
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("ids = %v, want %v", got, want)
			}
			if id := v.GetAttr("id"); !id.RawEquals(cty.StringVal("eu-west-1")) {
				t.Errorf("id = %#v, want the region", id)
			}
		})
	}
}
