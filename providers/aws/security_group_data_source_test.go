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

// TestDataSecurityGroup reads aws_security_group by each of its arguments
// against moto.
func TestDataSecurityGroup(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	p := testProvider(t, srv.URL(), "eu-west-1")
	v, err := p.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.60.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vpc := aws.ToString(v.Vpc.VpcId)
	create := func(name string) string {
		out, err := p.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
			GroupName: aws.String(name), Description: aws.String(name + " servers"), VpcId: aws.String(vpc),
			TagSpecifications: tagSpec(ec2types.ResourceTypeSecurityGroup, "Name", name, "Stack", "shop"),
		})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.GroupId)
	}
	web := create("web")
	create("api")
	tests := []struct {
		name, hcl string
		wantCount int // of a SingularMatchError; -1 for one match (web)
	}{
		{"id", `id = "` + web + `"`, -1},
		{"name and vpc", "name = \"web\"\nvpc_id = \"" + vpc + "\"", -1},
		{"tags", `tags = { Name = "web" }`, -1},
		{"filter", "filter {\n  name = \"description\"\n  values = [\"web servers\"]\n}", -1},
		{"unknown id", `id = "sg-0123456789abcdef0"`, 0},
		{"no match", "name = \"db\"\nvpc_id = \"" + vpc + "\"", 0},
		// web, api and the VPC's default group.
		{"several", `vpc_id = "` + vpc + `"`, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := p.ReadData(ctx, "aws_security_group", decodeData(t, p, "aws_security_group", tt.hcl))
			if tt.wantCount >= 0 {
				var me *SingularMatchError
				if !errors.As(err, &me) || me.Count != tt.wantCount || me.Kind != "EC2 Security Group" {
					t.Fatalf("err = %v, want %d matches", err, tt.wantCount)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !v.Type().Equals(p.f.schema.DataSources["aws_security_group"].ImpliedType()) {
				t.Errorf("type %s is not the schema's", v.Type().GoString())
			}
			want := map[string]cty.Value{
				"id":          cty.StringVal(web),
				"arn":         cty.StringVal("arn:aws:ec2:eu-west-1:" + motoAccount + ":security-group/" + web),
				"name":        cty.StringVal("web"),
				"description": cty.StringVal("web servers"),
				"vpc_id":      cty.StringVal(vpc),
				"tags":        cty.MapVal(map[string]cty.Value{"Name": cty.StringVal("web"), "Stack": cty.StringVal("shop")}),
			}
			for k, w := range want {
				if got := v.GetAttr(k); !got.RawEquals(w) {
					t.Errorf("%s = %#v, want %#v", k, got, w)
				}
			}
		})
	}
}
