package aws

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
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

// Helpers of the EC2 Apply tests: desired values built as the configuration
// decoder builds them, Changed computed as drift would, and the check that
// an Apply converged (a read compares equal with the desired value).

// ec2Config builds a desired value of a schema as the configuration decoder
// does: every attribute present, null where configuration leaves it out and
// an empty collection for absent nested blocks.
func ec2Config(s *providers.Schema, vals map[string]cty.Value) cty.Value {
	return objectOf(s.Attributes, vals)
}

// ec2TagsVal is a tags map value.
func ec2TagsVal(kv ...string) cty.Value {
	m := map[string]cty.Value{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = cty.StringVal(kv[i+1])
	}
	return cty.MapVal(m)
}

// ec2Diffs names the top-level attributes where live differs from
// desired, as driftctl compares them (see changedAttributes).
func ec2Diffs(t *testing.T, s *providers.Schema, desired, live cty.Value) []string {
	t.Helper()
	changed, err := changedAttributes(s, desired, live)
	if err != nil {
		t.Fatal(err)
	}
	return changed
}

// ec2MustApply applies a change, failing the test on error.
func ec2MustApply(t *testing.T, p *Provider, req providers.ApplyRequest) *providers.ApplyResponse {
	t.Helper()
	resp, err := p.Apply(context.Background(), req)
	if err != nil {
		t.Fatalf("%s %s %s: %v", req.Kind, req.Type, req.ID, err)
	}
	return resp
}

// ec2ReadOne reads one resource by ID, failing the test when it is absent.
func ec2ReadOne(t *testing.T, p *Provider, typ, id string) *providers.Live {
	t.Helper()
	return liveByID(t, mustRead(t, p, typ, id), id)
}

// ec2CheckConverged fails when the live resource differs from desired.
func ec2CheckConverged(t *testing.T, p *Provider, typ, id string, desired cty.Value) {
	t.Helper()
	live := ec2ReadOne(t, p, typ, id)
	if diffs := ec2Diffs(t, p.f.schema.Resources[typ], desired, live.Attrs); len(diffs) > 0 {
		t.Errorf("%s %s has not converged: %s", typ, id, attrDiffText(diffs, desired, live.Attrs))
	}
}

// ec2UpdateToward drifts nothing itself: it computes Changed between desired
// and the live resource, applies the Update and checks convergence. It
// fails when there was no drift to remediate.
func ec2UpdateToward(t *testing.T, p *Provider, typ, id string, desired cty.Value) {
	t.Helper()
	live := ec2ReadOne(t, p, typ, id)
	changed := ec2Diffs(t, p.f.schema.Resources[typ], desired, live.Attrs)
	if len(changed) == 0 {
		t.Fatalf("%s %s: no drift to remediate", typ, id)
	}
	resp := ec2MustApply(t, p, providers.ApplyRequest{
		Type: typ, Kind: providers.Update, ID: id, Desired: desired, Live: live.Attrs, Changed: changed,
	})
	if resp.ID != id {
		t.Errorf("Update returned ID %q, want %q", resp.ID, id)
	}
	ec2CheckConverged(t, p, typ, id, desired)
}

// ec2CheckDeleted deletes a resource and checks that it is no longer read.
func ec2CheckDeleted(t *testing.T, p *Provider, typ, id string) {
	t.Helper()
	live := ec2ReadOne(t, p, typ, id)
	ec2MustApply(t, p, providers.ApplyRequest{Type: typ, Kind: providers.Delete, ID: id, Live: live.Attrs})
	if got := mustRead(t, p, typ, id); len(got) != 0 {
		t.Errorf("%s %s is still read after Delete", typ, id)
	}
}

// ec2CheckNotSupported fails unless an Update of changed is refused with
// providers.ErrNotSupported.
func ec2CheckNotSupported(t *testing.T, p *Provider, typ, id string, desired cty.Value, changed ...string) {
	t.Helper()
	live := ec2ReadOne(t, p, typ, id)
	_, err := p.Apply(context.Background(), providers.ApplyRequest{
		Type: typ, Kind: providers.Update, ID: id, Desired: desired, Live: live.Attrs, Changed: changed,
	})
	if !errors.Is(err, providers.ErrNotSupported) {
		t.Errorf("Update of %v: err = %v, want one wrapping providers.ErrNotSupported", changed, err)
	}
}

// ec2ErrorCode is the AWS error code of err, "" when it has none.
func ec2ErrorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// ec2ProviderIgnoringTags configures a provider whose ignore_tags names keys.
func ec2ProviderIgnoringTags(t *testing.T, endpoint string, keys ...string) *Provider {
	t.Helper()
	f := NewFactory(WithLoadOptions(
		config.WithCredentialsProvider(emulator.Credentials),
		config.WithBaseEndpoint(endpoint),
		config.WithRetryMaxAttempts(2),
	))
	ks := make([]cty.Value, len(keys))
	for i, k := range keys {
		ks[i] = cty.StringVal(k)
	}
	p, err := f.New(context.Background(), providers.Config{
		Name: "aws",
		Attrs: cty.ObjectVal(map[string]cty.Value{
			"region": cty.StringVal("us-east-1"),
			"ignore_tags": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
				"keys":         cty.SetVal(ks),
				"key_prefixes": cty.NullVal(cty.Set(cty.String)),
			})}),
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return p.(*Provider)
}

func TestEC2ApplyFailureNamesOperation(t *testing.T) {
	srv := emulator.Start(t)
	proxy := srv.StartProxy(t)
	p := testProvider(t, proxy.URL(), "us-east-1")
	desired := ec2Config(vpcSchema(), map[string]cty.Value{"cidr_block": cty.StringVal("10.60.0.0/16")})
	id := ec2MustApply(t, p, providers.ApplyRequest{Type: "aws_vpc", Kind: providers.Create, Desired: desired}).ID

	proxy.Inject(emulator.Fault{Service: "ec2", Operation: "CreateTags", Status: 403, Code: "UnauthorizedOperation"})
	live := ec2ReadOne(t, p, "aws_vpc", id)
	tagged := ec2Config(vpcSchema(), map[string]cty.Value{"cidr_block": cty.StringVal("10.60.0.0/16"), "tags": ec2TagsVal("Name", "app")})
	_, err := p.Apply(context.Background(), providers.ApplyRequest{
		Type: "aws_vpc", Kind: providers.Update, ID: id, Desired: tagged, Live: live.Attrs, Changed: []string{"tags"},
	})
	if err == nil || !strings.Contains(err.Error(), "ec2:CreateTags") {
		t.Errorf("err = %v, want one naming ec2:CreateTags", err)
	}
	if code := ec2ErrorCode(err); code != "UnauthorizedOperation" {
		t.Errorf("error code = %q, want UnauthorizedOperation", code)
	}
}

func TestCheckUpdatable(t *testing.T) {
	s := subnetSchema()
	tests := []struct {
		name    string
		changed []string
		wantErr bool
	}{
		{"updatable", []string{"tags", "map_public_ip_on_launch"}, false},
		{"terraform-only is a no-op", []string{"timeouts"}, false},
		{"force new", []string{"tags", "cidr_block"}, true},
		{"not updatable", []string{"ipv6_cidr_block"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkUpdatable(s, tt.changed, "tags", "map_public_ip_on_launch")
			if got := errors.Is(err, providers.ErrNotSupported); got != tt.wantErr {
				t.Errorf("checkUpdatable(%v) = %v, want ErrNotSupported: %v", tt.changed, err, tt.wantErr)
			}
		})
	}
}

func TestPrefixedUniqueName(t *testing.T) {
	name := prefixedUniqueName("app-", ec2Time(t, "2024-05-06T07:08:09.123456789Z"))
	if len(name) != len("app-")+uniqueIDSuffixLength {
		t.Fatalf("name %q: suffix is not %d digits", name, uniqueIDSuffixLength)
	}
	if got := namePrefixFromName(name); !got.RawEquals(cty.StringVal("app-")) {
		t.Errorf("namePrefixFromName(%q) = %#v, want app-", name, got)
	}
}

func ec2Time(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}
