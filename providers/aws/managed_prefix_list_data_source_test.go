package aws

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// TestDataManagedPrefixList reads aws_ec2_managed_prefix_list against moto
// by id, name and filter, with its entries as a set.
func TestDataManagedPrefixList(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	p := testProvider(t, srv.URL(), "us-east-1")
	create := func(name string, kv ...string) string {
		out, err := p.ec2.CreateManagedPrefixList(ctx, &ec2.CreateManagedPrefixListInput{
			PrefixListName: aws.String(name), AddressFamily: aws.String("IPv4"), MaxEntries: aws.Int32(5),
			Entries: []ec2types.AddPrefixListEntry{
				{Cidr: aws.String("10.0.0.0/16"), Description: aws.String("office")},
				{Cidr: aws.String("192.168.1.0/24")},
			},
			TagSpecifications: tagSpec(ec2types.ResourceTypePrefixList, kv...),
		})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.PrefixList.PrefixListId)
	}
	office := create("office", "Team", "net")
	create("office-backup", "Team", "net")

	tests := []struct {
		name, hcl string
		wantCount int // of a SingularMatchError; -1 for none
	}{
		{name: "id", hcl: `id = "` + office + `"`, wantCount: -1},
		{name: "name", hcl: `name = "office"`, wantCount: -1},
		{name: "filter", hcl: "filter {\n  name = \"prefix-list-id\"\n  values = [\"" + office + "\"]\n}", wantCount: -1},
		{name: "unknown id", hcl: `id = "pl-0123456789abcdef0"`, wantCount: 0},
		{name: "no match", hcl: `name = "nothing"`, wantCount: 0},
		{name: "several", hcl: "filter {\n  name = \"owner-id\"\n  values = [\"" + motoAccount + "\"]\n}", wantCount: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := p.ReadData(ctx, "aws_ec2_managed_prefix_list", decodeData(t, p, "aws_ec2_managed_prefix_list", tt.hcl))
			if tt.wantCount >= 0 {
				want := map[int]string{
					0: "reading data.aws_ec2_managed_prefix_list (ec2:DescribeManagedPrefixLists): no matching EC2 Managed Prefix List found",
					2: "reading data.aws_ec2_managed_prefix_list (ec2:DescribeManagedPrefixLists): multiple EC2 Managed Prefix Lists matched; use additional constraints to reduce matches to a single EC2 Managed Prefix List",
				}[tt.wantCount]
				wantMatchError(t, err, tt.wantCount, want)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			entry := func(cidr, desc string) cty.Value {
				return cty.ObjectVal(map[string]cty.Value{"cidr": cty.StringVal(cidr), "description": cty.StringVal(desc)})
			}
			wantDataAttrs(t, v, map[string]cty.Value{
				"id":             cty.StringVal(office),
				"name":           cty.StringVal("office"),
				"address_family": cty.StringVal("IPv4"),
				"arn":            cty.StringVal("arn:aws:ec2:us-east-1:" + motoAccount + ":prefix-list/" + office),
				"max_entries":    cty.NumberIntVal(5),
				"owner_id":       cty.StringVal(motoAccount),
				"version":        cty.NumberIntVal(1),
				"tags":           cty.MapVal(map[string]cty.Value{"Team": cty.StringVal("net")}),
				"entries":        cty.SetVal([]cty.Value{entry("10.0.0.0/16", "office"), entry("192.168.1.0/24", "")}),
			})
		})
	}
}
