package aws

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// motoAccount is the account moto answers for.
const motoAccount = "123456789012"

// ec2Seed is an EC2 client for seeding the moto server in us-east-1.
func ec2Seed(srv *emulator.Server) *ec2.Client {
	return ec2.NewFromConfig(srv.Config("us-east-1"))
}

// tagSpec tags a resource at creation.
func tagSpec(rt ec2types.ResourceType, kv ...string) []ec2types.TagSpecification {
	var tags []ec2types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		tags = append(tags, ec2types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return []ec2types.TagSpecification{{ResourceType: rt, Tags: tags}}
}

// mustRead reads typ limited to ids, failing the test on error.
func mustRead(t *testing.T, p *Provider, typ string, ids ...string) []*providers.Live {
	t.Helper()
	resp, err := p.Read(context.Background(), providers.ReadRequest{Type: typ, IDs: ids})
	if err != nil {
		t.Fatalf("reading %s %v: %v", typ, ids, err)
	}
	return resp.Resources
}

// checkConforms fails when a live value does not have its schema's type.
func checkConforms(t *testing.T, p *Provider, live []*providers.Live) {
	t.Helper()
	for _, l := range live {
		want := p.f.schema.Resources[l.Type].ImpliedType()
		if !l.Attrs.Type().Equals(want) {
			t.Errorf("%s %s: Attrs type %s does not equal the schema's %s", l.Type, l.ID, l.Attrs.Type().GoString(), want.GoString())
		}
	}
}

// attrOf returns a live attribute.
func attrOf(l *providers.Live, name string) cty.Value { return l.Attrs.GetAttr(name) }

// wantAttrs compares some attributes of a live resource.
func wantAttrs(t *testing.T, l *providers.Live, want map[string]cty.Value) {
	t.Helper()
	for name, w := range want {
		if got := attrOf(l, name); !got.RawEquals(w) {
			t.Errorf("%s %s: %s = %#v, want %#v", l.Type, l.ID, name, got, w)
		}
	}
}

// ids lists the IDs of live resources.
func ids(live []*providers.Live) []string {
	var out []string
	for _, l := range live {
		out = append(out, l.ID)
	}
	return out
}

func TestEC2ReadFailureNamesOperation(t *testing.T) {
	srv := emulator.Start(t)
	tests := []struct {
		typ, operation string
	}{
		{"aws_vpc", "DescribeVpcs"},
		{"aws_vpc", "DescribeVpcAttribute"},
		{"aws_vpc", "DescribeRouteTables"},
		{"aws_subnet", "DescribeSubnets"},
		{"aws_security_group", "DescribeSecurityGroups"},
		{"aws_instance", "DescribeInstances"},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"/"+tt.operation, func(t *testing.T) {
			proxy := srv.StartProxy(t)
			proxy.Inject(emulator.Fault{Service: "ec2", Operation: tt.operation, Status: 403, Code: "UnauthorizedOperation"})
			p := testProvider(t, proxy.URL(), "us-east-1")
			_, err := p.Read(context.Background(), providers.ReadRequest{Type: tt.typ})
			var re *providers.ReadError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want a *providers.ReadError", err)
			}
			if re.Operation != "ec2:"+tt.operation || re.Type != tt.typ || re.Region != "us-east-1" {
				t.Errorf("ReadError = %+v, want operation ec2:%s for %s in us-east-1", re, tt.operation, tt.typ)
			}
		})
	}
}

func TestCanonicalCIDR(t *testing.T) {
	tests := []struct{ in, want string }{
		{"10.0.0.0/16", "10.0.0.0/16"},
		{"10.0.1.7/16", "10.0.0.0/16"},
		{" 192.168.1.0/24 ", "192.168.1.0/24"},
		{"2001:DB8:0:0::/56", "2001:db8::/56"},
		{"not a cidr", "not a cidr"},
	}
	for _, tt := range tests {
		if got := canonicalCIDR(tt.in); got != tt.want {
			t.Errorf("canonicalCIDR(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPartitionOf(t *testing.T) {
	tests := []struct{ region, partition, suffix string }{
		{"us-east-1", "aws", "amazonaws.com"},
		{"eu-west-3", "aws", "amazonaws.com"},
		{"cn-north-1", "aws-cn", "amazonaws.com.cn"},
		{"us-gov-west-1", "aws-us-gov", "amazonaws.com"},
		{"us-iso-east-1", "aws-iso", "c2s.ic.gov"},
		{"us-isob-east-1", "aws-iso-b", "sc2s.sgov.gov"},
	}
	for _, tt := range tests {
		p := partitionOf(tt.region)
		if p.name != tt.partition || p.dnsSuffix != tt.suffix {
			t.Errorf("partitionOf(%q) = %+v, want %s %s", tt.region, p, tt.partition, tt.suffix)
		}
	}
}
