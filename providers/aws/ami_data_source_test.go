package aws

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// wantDataAttrs checks attributes of a data source's value.
func wantDataAttrs(t *testing.T, v cty.Value, want map[string]cty.Value) {
	t.Helper()
	for k, w := range want {
		if got := v.GetAttr(k); !got.RawEquals(w) {
			t.Errorf("%s = %#v, want %#v", k, got, w)
		}
	}
}

// wantMatchError checks that err is ReadData's error for a query that
// matched count resources, naming the data source and the operation.
func wantMatchError(t *testing.T, err error, count int, want string) {
	t.Helper()
	var me *SingularMatchError
	if !errors.As(err, &me) || me.Count != count {
		t.Fatalf("err = %v, want %d matches", err, count)
	}
	if err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

// TestDataAMI reads aws_ami against moto: images the account made from an
// instance, selected by owners, name_regex, filter blocks and most_recent.
func TestDataAMI(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	p := testProvider(t, srv.URL(), "us-east-1")
	run, err := p.ec2.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: aws.String(motoAMI), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
	})
	if err != nil {
		t.Fatal(err)
	}
	instance := aws.ToString(run.Instances[0].InstanceId)
	create := func(name string) string {
		out, err := p.ec2.CreateImage(ctx, &ec2.CreateImageInput{
			InstanceId: aws.String(instance), Name: aws.String(name), Description: aws.String("image " + name),
			TagSpecifications: tagSpec(ec2types.ResourceTypeImage, "Name", name, "Team", "web"),
		})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.ImageId)
	}
	older := create("web-1")
	// moto dates an image to the second (CreationDate); the next one must
	// be strictly newer for most_recent to choose it.
	time.Sleep(1100 * time.Millisecond)
	newer := create("web-2")

	const several = "reading data.aws_ami (ec2:DescribeImages): Your query returned more than one result. Please try a more specific search criteria, or set `most_recent` attribute to true."
	const none = "reading data.aws_ami (ec2:DescribeImages): Your query returned no results. Please change your search criteria and try again."
	tests := []struct {
		name, hcl string
		wantID    string
		wantCount int // of a SingularMatchError; -1 for none
		wantErr   string
	}{
		{name: "name_regex", hcl: "owners = [\"self\"]\nname_regex = \"^web-1$\"", wantID: older, wantCount: -1},
		{name: "filter", hcl: "owners = [\"self\"]\nfilter {\n  name = \"name\"\n  values = [\"web-2\"]\n}", wantID: newer, wantCount: -1},
		{name: "owner id", hcl: "owners = [\"" + motoAccount + "\"]\nname_regex = \"-2$\"", wantID: newer, wantCount: -1},
		{name: "most_recent", hcl: "owners = [\"self\"]\nmost_recent = true\nname_regex = \"^web-\"", wantID: newer, wantCount: -1},
		{name: "several", hcl: "owners = [\"self\"]\nname_regex = \"^web-\"", wantCount: 2, wantErr: several},
		{name: "none", hcl: "owners = [\"self\"]\nname_regex = \"^db-\"", wantCount: 0, wantErr: none},
		{name: "tag filter none", hcl: "owners = [\"self\"]\nfilter {\n  name = \"tag:Team\"\n  values = [\"db\"]\n}", wantCount: 0, wantErr: none},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := p.ReadData(ctx, "aws_ami", decodeData(t, p, "aws_ami", tt.hcl))
			if tt.wantCount >= 0 {
				wantMatchError(t, err, tt.wantCount, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !v.Type().Equals(p.f.schema.DataSources["aws_ami"].ImpliedType()) {
				t.Errorf("type %s is not the schema's", v.Type().GoString())
			}
			name := map[string]string{older: "web-1", newer: "web-2"}[tt.wantID]
			wantDataAttrs(t, v, map[string]cty.Value{
				"id":                  cty.StringVal(tt.wantID),
				"image_id":            cty.StringVal(tt.wantID),
				"arn":                 cty.StringVal("arn:aws:ec2:us-east-1::image/" + tt.wantID),
				"name":                cty.StringVal(name),
				"description":         cty.StringVal("image " + name),
				"owner_id":            cty.StringVal(motoAccount),
				"state":               cty.StringVal("available"),
				"tags":                cty.MapVal(map[string]cty.Value{"Name": cty.StringVal(name), "Team": cty.StringVal("web")}),
				"state_reason":        cty.MapVal(map[string]cty.Value{"code": cty.StringVal("UNSET"), "message": cty.StringVal("UNSET")}),
				"include_deprecated":  cty.False,
				"virtualization_type": cty.StringVal("hvm"),
			})
			for _, a := range []string{"creation_date", "architecture", "root_device_name"} {
				if v.GetAttr(a).AsString() == "" {
					t.Errorf("%s is empty", a)
				}
			}
			if _, err := time.Parse(time.RFC3339, v.GetAttr("creation_date").AsString()); err != nil {
				t.Errorf("creation_date: %v", err)
			}
			root := v.GetAttr("root_device_name").AsString()
			found := false
			for it := v.GetAttr("block_device_mappings").ElementIterator(); it.Next(); {
				_, m := it.Element()
				if m.GetAttr("device_name").AsString() == root {
					found = true
				}
			}
			if !found {
				t.Errorf("block_device_mappings %#v has no mapping of the root device %s", v.GetAttr("block_device_mappings"), root)
			}
		})
	}
	t.Run("bad name_regex", func(t *testing.T) {
		_, err := p.ReadData(ctx, "aws_ami", decodeData(t, p, "aws_ami", "owners = [\"self\"]\nname_regex = \"(\""))
		if err == nil || !strings.HasPrefix(err.Error(), "reading data.aws_ami: name_regex \"(\" is not a valid regular expression") {
			t.Errorf("err = %v", err)
		}
	})
}
