package aws

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// TestDataVPC reads aws_vpc by each of its arguments against moto: one
// match gives the VPC's attributes, none or several give the provider's
// errors.
func TestDataVPC(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	p := testProvider(t, srv.URL(), "eu-west-1")
	create := func(cidr string, kv ...string) string {
		out, err := p.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(cidr), TagSpecifications: tagSpec(ec2types.ResourceTypeVpc, kv...)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Vpc.VpcId)
	}
	app := create("10.40.0.0/16", "Name", "app", "Tier", "shared")
	create("10.41.0.0/16", "Name", "db", "Tier", "shared")
	if _, err := p.ec2.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(app), EnableDnsHostnames: attributeBool(true)}); err != nil {
		t.Fatal(err)
	}
	rts, err := p.ec2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{filter("vpc-id", app), filter("association.main", "true")}})
	if err != nil || len(rts.RouteTables) != 1 {
		t.Fatalf("main route table of %s: %v, %v", app, rts, err)
	}
	mainRT := aws.ToString(rts.RouteTables[0].RouteTableId)

	tests := []struct {
		name, hcl string
		wantID    string // "" for the default VPC
		wantCount int    // of a SingularMatchError; -1 for none
	}{
		{name: "id", hcl: `id = "` + app + `"`, wantID: app, wantCount: -1},
		{name: "cidr_block", hcl: `cidr_block = "10.40.0.0/16"`, wantID: app, wantCount: -1},
		{name: "tags", hcl: `tags = { Name = "app" }`, wantID: app, wantCount: -1},
		{name: "filter", hcl: "filter {\n  name = \"tag:Name\"\n  values = [\"app\"]\n}", wantID: app, wantCount: -1},
		{name: "state and cidr", hcl: "state = \"available\"\ncidr_block = \"10.40.0.0/16\"", wantID: app, wantCount: -1},
		// moto makes the default VPC (172.31.0.0/16) of each region, as AWS.
		{name: "default", hcl: `default = true`, wantCount: -1},
		{name: "unknown id", hcl: `id = "vpc-0123456789abcdef0"`, wantCount: 0},
		{name: "no match", hcl: `tags = { Name = "none" }`, wantCount: 0},
		{name: "several", hcl: `tags = { Tier = "shared" }`, wantCount: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := p.ReadData(ctx, "aws_vpc", decodeData(t, p, "aws_vpc", tt.hcl))
			if tt.wantCount >= 0 {
				var me *SingularMatchError
				if !errors.As(err, &me) || me.Count != tt.wantCount {
					t.Fatalf("err = %v, want %d matches", err, tt.wantCount)
				}
				want := map[int]string{0: "reading data.aws_vpc: no matching EC2 VPC found",
					2: "reading data.aws_vpc: multiple EC2 VPCs matched; use additional constraints to reduce matches to a single EC2 VPC"}[tt.wantCount]
				if err.Error() != want {
					t.Errorf("err = %q, want %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !v.Type().Equals(p.f.schema.DataSources["aws_vpc"].ImpliedType()) {
				t.Errorf("type %s is not the schema's", v.Type().GoString())
			}
			if tt.wantID == "" {
				if !v.GetAttr("default").True() || v.GetAttr("cidr_block").AsString() != "172.31.0.0/16" {
					t.Errorf("default = %#v, cidr_block = %#v: not the default VPC", v.GetAttr("default"), v.GetAttr("cidr_block"))
				}
				return
			}
			want := map[string]cty.Value{
				"id":                                   cty.StringVal(app),
				"arn":                                  cty.StringVal("arn:aws:ec2:eu-west-1:" + motoAccount + ":vpc/" + app),
				"cidr_block":                           cty.StringVal("10.40.0.0/16"),
				"default":                              cty.False,
				"enable_dns_hostnames":                 cty.True,
				"enable_dns_support":                   cty.True,
				"enable_network_address_usage_metrics": cty.False,
				"instance_tenancy":                     cty.StringVal("default"),
				"main_route_table_id":                  cty.StringVal(mainRT),
				"owner_id":                             cty.StringVal(motoAccount),
				"state":                                cty.StringVal("available"),
				"tags":                                 cty.MapVal(map[string]cty.Value{"Name": cty.StringVal("app"), "Tier": cty.StringVal("shared")}),
				"ipv6_cidr_block":                      cty.StringVal(""),
			}
			for k, w := range want {
				if got := v.GetAttr(k); !got.RawEquals(w) {
					t.Errorf("%s = %#v, want %#v", k, got, w)
				}
			}
			if v.GetAttr("dhcp_options_id").AsString() == "" {
				t.Errorf("dhcp_options_id is empty")
			}
			assocs := v.GetAttr("cidr_block_associations")
			if assocs.LengthInt() != 1 {
				t.Fatalf("cidr_block_associations = %#v", assocs)
			}
			a := assocs.Index(cty.NumberIntVal(0))
			if a.GetAttr("cidr_block").AsString() != "10.40.0.0/16" || a.GetAttr("state").AsString() != "associated" || a.GetAttr("association_id").AsString() == "" {
				t.Errorf("cidr_block_associations[0] = %#v", a)
			}
		})
	}
	t.Run("unknown", func(t *testing.T) {
		config := decodeData(t, p, "aws_vpc", `id = "x"`)
		config = cty.ObjectVal(map[string]cty.Value{"id": cty.UnknownVal(cty.String), "filter": config.GetAttr("filter"), "timeouts": config.GetAttr("timeouts"),
			"cidr_block": cty.NullVal(cty.String), "default": cty.NullVal(cty.Bool), "dhcp_options_id": cty.NullVal(cty.String), "state": cty.NullVal(cty.String), "tags": cty.NullVal(cty.Map(cty.String))})
		v, err := p.ReadData(ctx, "aws_vpc", config)
		if err != nil {
			t.Fatal(err)
		}
		if v.GetAttr("arn").IsKnown() {
			t.Errorf("arn is known for an unknown id")
		}
	})
}
