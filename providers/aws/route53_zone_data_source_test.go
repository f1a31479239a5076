package aws

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// TestDataRoute53Zone reads aws_route53_zone against moto by zone_id, by
// name (with or without the trailing dot, in any case), private with a
// VPC, and by tags; the name read has no trailing dot.
func TestDataRoute53Zone(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	p := testProvider(t, srv.URL(), "us-east-1")
	vpc, err := p.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.60.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vpcID := aws.ToString(vpc.Vpc.VpcId)
	create := func(name, ref string, private bool, kv ...string) string {
		in := &route53.CreateHostedZoneInput{Name: aws.String(name), CallerReference: aws.String(ref),
			HostedZoneConfig: &r53types.HostedZoneConfig{Comment: aws.String("zone " + ref), PrivateZone: private}}
		if private {
			in.VPC = &r53types.VPC{VPCId: aws.String(vpcID), VPCRegion: r53types.VPCRegionUsEast1}
		}
		out, err := p.route53.CreateHostedZone(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		id := cleanZoneID(aws.ToString(out.HostedZone.Id))
		var tags []r53types.Tag
		for i := 0; i+1 < len(kv); i += 2 {
			tags = append(tags, r53types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		if len(tags) > 0 {
			if _, err := p.route53.ChangeTagsForResource(ctx, &route53.ChangeTagsForResourceInput{
				ResourceId: aws.String(id), ResourceType: r53types.TagResourceTypeHostedzone, AddTags: tags,
			}); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	public := create("example.com", "public", false, "Env", "prod")
	private := create("example.com", "private", true, "Env", "internal")
	create("example.org", "org", false, "Env", "prod")

	tests := []struct {
		name, hcl string
		wantID    string
		wantErr   string // the start of the error, "" for none
	}{
		{name: "zone_id", hcl: `zone_id = "` + public + `"`, wantID: public},
		{name: "name", hcl: `name = "example.com"`, wantID: public},
		{name: "name with dot and capitals", hcl: `name = "Example.COM."`, wantID: public},
		{name: "private", hcl: "name = \"example.com\"\nprivate_zone = true", wantID: private},
		{name: "vpc_id", hcl: "name = \"example.com\"\nvpc_id = \"" + vpcID + "\"", wantID: private},
		{name: "tags", hcl: `tags = { Env = "internal" }` + "\nprivate_zone = true", wantID: private},
		{name: "several", hcl: `tags = { Env = "prod" }`,
			wantErr: "reading data.aws_route53_zone (route53:ListHostedZones): multiple Route 53 Hosted Zones matched"},
		{name: "no match", hcl: `name = "example.net"`,
			wantErr: "reading data.aws_route53_zone (route53:ListHostedZones): no matching Route 53 Hosted Zone found"},
		{name: "unknown zone_id", hcl: `zone_id = "Z0123456789ABCDEFGHIJ"`,
			wantErr: "reading data.aws_route53_zone (route53:GetHostedZone): no matching Route 53 Hosted Zone found"},
		{name: "zone_id and name", hcl: "zone_id = \"" + public + "\"\nname = \"example.com\"",
			wantErr: "reading data.aws_route53_zone: only one of zone_id or name may be set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := p.ReadData(ctx, "aws_route53_zone", decodeData(t, p, "aws_route53_zone", tt.hcl))
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to start with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			isPrivate := tt.wantID == private
			ref, env := map[bool]string{false: "public", true: "private"}[isPrivate], map[bool]string{false: "prod", true: "internal"}[isPrivate]
			wantDataAttrs(t, v, map[string]cty.Value{
				"id":                        cty.StringVal(tt.wantID),
				"zone_id":                   cty.StringVal(tt.wantID),
				"arn":                       cty.StringVal("arn:aws:route53:::hostedzone/" + tt.wantID),
				"name":                      cty.StringVal("example.com"),
				"comment":                   cty.StringVal("zone " + ref),
				"caller_reference":          cty.StringVal(ref),
				"private_zone":              cty.BoolVal(isPrivate),
				"resource_record_set_count": cty.NumberIntVal(2), // SOA and NS
				"tags":                      cty.MapVal(map[string]cty.Value{"Env": cty.StringVal(env)}),
			})
			ns := v.GetAttr("name_servers")
			if ns.LengthInt() == 0 || !v.GetAttr("primary_name_server").RawEquals(ns.Index(cty.Zero)) {
				t.Errorf("name_servers = %#v, primary_name_server = %#v", ns, v.GetAttr("primary_name_server"))
			}
		})
	}
}
