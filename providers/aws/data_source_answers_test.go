package aws

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// TestLyingAnswersAreDataErrors is TestLyingAnswersAreReadErrors for the
// data sources of SSM, KMS, Route 53, AMIs and prefix lists: each
// operation they call, answered with a 200 web page, fails the read with
// an InvalidAnswerError and an error that names the data source and the
// operation.
func TestLyingAnswersAreDataErrors(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	if _, err := ssm.NewFromConfig(srv.Config("us-east-1")).PutParameter(ctx, &ssm.PutParameterInput{
		Name: aws.String("/p"), Value: aws.String("v"), Type: ssmtypes.ParameterTypeString,
	}); err != nil {
		t.Fatal(err)
	}
	key, err := kms.NewFromConfig(srv.Config("us-east-1")).CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	vpc, err := ec2Seed(srv).CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	zones := route53.NewFromConfig(srv.Config("us-east-1"))
	for _, in := range []*route53.CreateHostedZoneInput{
		{Name: aws.String("example.com"), CallerReference: aws.String("public")},
		{Name: aws.String("internal.example"), CallerReference: aws.String("private"),
			HostedZoneConfig: &r53types.HostedZoneConfig{PrivateZone: true},
			VPC:              &r53types.VPC{VPCId: vpc.Vpc.VpcId, VPCRegion: r53types.VPCRegionUsEast1}},
	} {
		if _, err := zones.CreateHostedZone(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ec2Seed(srv).CreateManagedPrefixList(ctx, &ec2.CreateManagedPrefixListInput{
		PrefixListName: aws.String("pl"), AddressFamily: aws.String("IPv4"), MaxEntries: aws.Int32(1),
		Entries: []ec2types.AddPrefixListEntry{{Cidr: aws.String("10.0.0.0/8")}},
	}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		typ, hcl, service, operation string
	}{
		{"aws_ssm_parameter", `name = "/p"`, "ssm", "GetParameter"},
		{"aws_kms_key", `key_id = "` + aws.ToString(key.KeyMetadata.KeyId) + `"`, "kms", "DescribeKey"},
		{"aws_route53_zone", `name = "example.com"`, "route53", "ListHostedZones"},
		{"aws_route53_zone", `name = "example.com"`, "route53", "GetHostedZone"},
		{"aws_route53_zone", `name = "example.com"`, "route53", "ListTagsForResource"},
		{"aws_route53_zone", "name = \"internal.example\"\nprivate_zone = true", "route53", "ListResourceRecordSets"},
		{"aws_ami", `owners = ["self"]`, "ec2", "DescribeImages"},
		{"aws_ec2_managed_prefix_list", `name = "pl"`, "ec2", "DescribeManagedPrefixLists"},
		{"aws_ec2_managed_prefix_list", `name = "pl"`, "ec2", "GetManagedPrefixListEntries"},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"/"+tt.operation, func(t *testing.T) {
			t.Parallel()
			if lookupOperation(tt.service, tt.operation) == nil {
				t.Fatalf("%s:%s is not in the operations table", tt.service, tt.operation)
			}
			proxy := srv.StartProxy(t)
			proxy.Inject(emulator.Fault{Service: tt.service, Operation: tt.operation, Lie: true})
			p := newTestProvider(t, NewFactory(WithLoadOptions(config.WithCredentialsProvider(emulator.Credentials), config.WithBaseEndpoint(proxy.URL()))))
			_, err := p.ReadData(ctx, tt.typ, decodeData(t, p, tt.typ, tt.hcl))
			var ia *InvalidAnswerError
			if !errors.As(err, &ia) {
				t.Fatalf("err = %v, want an InvalidAnswerError", err)
			}
			if want := "reading data." + tt.typ + " (" + tt.service + ":" + tt.operation + "): "; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("err = %q, want it to start with %q", err, want)
			}
			if proxy.Calls(tt.service, tt.operation) != 1 {
				t.Errorf("%s sent %d times: the invalid answer was retried", tt.operation, proxy.Calls(tt.service, tt.operation))
			}
		})
	}
}
