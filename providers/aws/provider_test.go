package aws

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// testProvider configures a provider for region that talks to endpoint (a
// moto server or a proxy in front of it).
func testProvider(t *testing.T, endpoint, region string) *Provider {
	t.Helper()
	return testProviderAttrs(t, endpoint, map[string]cty.Value{"region": cty.StringVal(region)})
}

// offlineProvider is testProvider without the identity check, for tests
// that call nothing (endpoint is never reached) or test the call itself.
func offlineProvider(t *testing.T, endpoint, region string) *Provider {
	t.Helper()
	return testProviderAttrs(t, endpoint, map[string]cty.Value{"region": cty.StringVal(region), "skip_credentials_validation": cty.True})
}

func testProviderAttrs(t *testing.T, endpoint string, attrs map[string]cty.Value) *Provider {
	t.Helper()
	f := NewFactory(WithLoadOptions(
		config.WithCredentialsProvider(emulator.Credentials),
		config.WithBaseEndpoint(endpoint),
		config.WithRetryMaxAttempts(2),
	))
	p, err := f.New(context.Background(), providers.Config{Name: "aws", Attrs: cty.ObjectVal(attrs)})
	if err != nil {
		t.Fatal(err)
	}
	return p.(*Provider)
}

// liveByID finds a live resource by ID, failing the test when absent.
func liveByID(t *testing.T, live []*providers.Live, id string) *providers.Live {
	t.Helper()
	for _, l := range live {
		if l.ID == id {
			return l
		}
	}
	t.Fatalf("no live resource with ID %q among %d", id, len(live))
	return nil
}

func TestEndpointOverrideImpliesPathStyle(t *testing.T) {
	f := NewFactory()
	attrs := func(pathStyle cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			"region":                      cty.StringVal("eu-west-1"),
			"skip_credentials_validation": cty.True,
			"access_key":                  cty.StringVal("a"),
			"secret_key":                  cty.StringVal("b"),
			"s3_use_path_style":           pathStyle,
			"endpoints": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
				"s3": cty.StringVal("http://127.0.0.1:1"),
			})}),
		})
	}
	tests := []struct {
		name      string
		pathStyle cty.Value
		want      bool
	}{
		{"implied by the endpoint", cty.NullVal(cty.Bool), true},
		{"explicitly off", cty.False, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := f.New(context.Background(), providers.Config{Name: "aws", Attrs: attrs(tt.pathStyle)})
			if err != nil {
				t.Fatal(err)
			}
			if got := p.(*Provider).s3.Options().UsePathStyle; got != tt.want {
				t.Errorf("UsePathStyle = %v, want %v", got, tt.want)
			}
			if got := p.Region(); got != "eu-west-1" {
				t.Errorf("Region = %q", got)
			}
		})
	}
}

// TestDataSourceServiceEndpoints: the endpoints { } block's ssm, kms and
// route53 reach the clients of the data sources that use them, with no
// other endpoint configured (the SDK's default would be AWS itself).
func TestDataSourceServiceEndpoints(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	seed := ssm.NewFromConfig(srv.Config("eu-west-1"))
	if _, err := seed.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/x"), Value: aws.String("1"), Type: ssmtypes.ParameterTypeString}); err != nil {
		t.Fatal(err)
	}
	f := NewFactory(WithLoadOptions(config.WithCredentialsProvider(emulator.Credentials)))
	p, err := f.New(ctx, providers.Config{Name: "aws", Attrs: cty.ObjectVal(map[string]cty.Value{
		"region":                      cty.StringVal("eu-west-1"),
		"skip_credentials_validation": cty.True,
		"endpoints": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
			"ssm": cty.StringVal(srv.URL()), "kms": cty.StringVal(srv.URL() + "/kms"), "route53": cty.StringVal(srv.URL() + "/r53"),
		})}),
	})})
	if err != nil {
		t.Fatal(err)
	}
	ap := p.(*Provider)
	for name, got := range map[string]*string{"kms": ap.kms.Options().BaseEndpoint, "route53": ap.route53.Options().BaseEndpoint} {
		if want := srv.URL() + map[string]string{"kms": "/kms", "route53": "/r53"}[name]; aws.ToString(got) != want {
			t.Errorf("%s endpoint = %q, want %q", name, aws.ToString(got), want)
		}
	}
	v, err := p.ReadData(ctx, "aws_ssm_parameter", decodeData(t, ap, "aws_ssm_parameter", `name = "/x"`))
	if err != nil {
		t.Fatal(err)
	}
	if got := v.GetAttr("insecure_value"); !got.RawEquals(cty.StringVal("1")) {
		t.Errorf("insecure_value = %#v", got)
	}
}
