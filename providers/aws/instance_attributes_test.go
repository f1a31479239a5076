package aws

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// instanceAttributeNames are the aws_instance attributes that only
// DescribeInstanceAttribute returns.
var instanceAttributeNames = []string{
	"user_data", "user_data_base64", "disable_api_termination", "disable_api_stop", "instance_initiated_shutdown_behavior",
}

// launchInstance runs one instance of motoAMI with in's settings. moto
// (5.2) ignores RunInstances' DisableApiTermination: protected sets it
// afterwards with ModifyInstanceAttribute.
func launchInstance(t *testing.T, c *ec2.Client, in *ec2.RunInstancesInput, protected bool) string {
	t.Helper()
	ctx := context.Background()
	in.ImageId, in.InstanceType = aws.String(motoAMI), ec2types.InstanceTypeT3Micro
	in.MinCount, in.MaxCount = aws.Int32(1), aws.Int32(1)
	out, err := c.RunInstances(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.Instances[0].InstanceId)
	if protected {
		if _, err := c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: aws.String(id), DisableApiTermination: attributeBool(true)}); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

// The DescribeInstanceAttribute attributes cost a call per instance and
// attribute; they are read only when a configuration writes them, and then
// compare as Terraform compares them.
func TestInstanceAttributesReadOnlyWhenWritten(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	c := ec2Seed(srv)
	script := "#!/bin/sh\necho protected\n"
	encoded := base64.StdEncoding.EncodeToString([]byte(script))
	protected := launchInstance(t, c, &ec2.RunInstancesInput{
		UserData:                          aws.String(encoded),
		InstanceInitiatedShutdownBehavior: ec2types.ShutdownBehaviorTerminate,
	}, true)
	plain := launchInstance(t, c, &ec2.RunInstancesInput{}, false)
	s := instanceSchema()

	read := func(t *testing.T, attrs []string) (map[string]*providers.Live, *emulator.Proxy) {
		t.Helper()
		proxy := srv.StartProxy(t)
		p := testProvider(t, proxy.URL(), "us-east-1")
		resp, err := p.Read(ctx, providers.ReadRequest{Type: "aws_instance", Attributes: attrs})
		if err != nil {
			t.Fatal(err)
		}
		checkConforms(t, p, resp.Resources)
		got := map[string]*providers.Live{}
		for _, l := range resp.Resources {
			got[l.ID] = l
		}
		if got[protected] == nil || got[plain] == nil {
			t.Fatalf("read %v, want %s and %s", ids(resp.Resources), protected, plain)
		}
		return got, proxy
	}
	diffs := func(t *testing.T, vals map[string]cty.Value, live *providers.Live) []string {
		t.Helper()
		vals["ami"] = cty.StringVal(motoAMI)
		d, err := changedAttributes(s, objectOf(s.Attributes, vals), live.Attrs)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}

	t.Run("not written", func(t *testing.T) {
		got, proxy := read(t, []string{"ami", "instance_type", "tags"})
		if n := proxy.Calls("ec2", "DescribeInstanceAttribute"); n != 0 {
			t.Errorf("DescribeInstanceAttribute calls = %d, want 0", n)
		}
		for _, l := range got {
			for _, name := range instanceAttributeNames {
				if v := attrOf(l, name); !v.IsNull() {
					t.Errorf("%s %s = %#v, want null (not read)", l.ID, name, v)
				}
			}
			// Left out of configuration, they accept the null.
			if d := diffs(t, map[string]cty.Value{}, l); len(d) != 0 {
				t.Errorf("%s: diffs %v with a configuration that leaves them out", l.ID, d)
			}
		}
	})

	t.Run("user_data", func(t *testing.T) {
		got, proxy := read(t, []string{"ami", "user_data"})
		if n := proxy.Calls("ec2", "DescribeInstanceAttribute"); n != 2 {
			t.Errorf("DescribeInstanceAttribute calls = %d, want 2 (one per instance)", n)
		}
		wantAttrs(t, got[protected], map[string]cty.Value{
			"user_data":               cty.StringVal(userDataHashSum(script)),
			"user_data_base64":        cty.NullVal(cty.String),
			"disable_api_termination": cty.NullVal(cty.Bool),
		})
		for name, want := range map[string]string{"plain text": script, "base64": encoded, "state hash": userDataHashSum(script)} {
			if d := diffs(t, map[string]cty.Value{"user_data": cty.StringVal(want)}, got[protected]); len(d) != 0 {
				t.Errorf("user_data written as %s: diffs %v, want none", name, d)
			}
		}
		if d := diffs(t, map[string]cty.Value{"user_data": cty.StringVal("#!/bin/sh\necho other\n")}, got[protected]); len(d) != 1 || d[0] != "user_data" {
			t.Errorf("other user data: diffs %v, want one on user_data", d)
		}
		// moto answers an instance without user data with an empty
		// element: read as "", which equals user_data = "".
		if d := diffs(t, map[string]cty.Value{"user_data": cty.StringVal("")}, got[plain]); len(d) != 0 {
			t.Errorf("no user data, user_data = \"\": diffs %v, want none", d)
		}
		if d := diffs(t, map[string]cty.Value{"user_data": cty.StringVal(script)}, got[plain]); len(d) != 1 {
			t.Errorf("no user data, user_data set: diffs %v, want one", d)
		}
	})

	t.Run("user_data and user_data_base64 share a call", func(t *testing.T) {
		got, proxy := read(t, []string{"user_data", "user_data_base64"})
		if n := proxy.Calls("ec2", "DescribeInstanceAttribute"); n != 2 {
			t.Errorf("DescribeInstanceAttribute calls = %d, want 2", n)
		}
		wantAttrs(t, got[protected], map[string]cty.Value{"user_data_base64": cty.StringVal(encoded)})
		wantAttrs(t, got[plain], map[string]cty.Value{"user_data_base64": cty.StringVal("")})
		if d := diffs(t, map[string]cty.Value{"user_data_base64": cty.StringVal(encoded)}, got[protected]); len(d) != 0 {
			t.Errorf("user_data_base64: diffs %v, want none", d)
		}
		other := base64.StdEncoding.EncodeToString([]byte("other"))
		if d := diffs(t, map[string]cty.Value{"user_data_base64": cty.StringVal(other)}, got[protected]); len(d) != 1 || d[0] != "user_data_base64" {
			t.Errorf("other user_data_base64: diffs %v, want one on user_data_base64", d)
		}
	})

	t.Run("disable_api_termination", func(t *testing.T) {
		got, proxy := read(t, []string{"ami", "disable_api_termination"})
		if n := proxy.Calls("ec2", "DescribeInstanceAttribute"); n != 2 {
			t.Errorf("DescribeInstanceAttribute calls = %d, want 2 (one per instance)", n)
		}
		wantAttrs(t, got[protected], map[string]cty.Value{"disable_api_termination": cty.True, "user_data": cty.NullVal(cty.String)})
		wantAttrs(t, got[plain], map[string]cty.Value{"disable_api_termination": cty.False})
		if d := diffs(t, map[string]cty.Value{"disable_api_termination": cty.True}, got[protected]); len(d) != 0 {
			t.Errorf("disable_api_termination = true: diffs %v, want none", d)
		}
		if d := diffs(t, map[string]cty.Value{"disable_api_termination": cty.True}, got[plain]); len(d) != 1 || d[0] != "disable_api_termination" {
			t.Errorf("disable_api_termination = true on an unprotected instance: diffs %v, want one", d)
		}
	})

	t.Run("no list: everything", func(t *testing.T) {
		got, proxy := read(t, nil)
		// user data, termination and stop protection, shutdown behaviour.
		if n := proxy.Calls("ec2", "DescribeInstanceAttribute"); n != 8 {
			t.Errorf("DescribeInstanceAttribute calls = %d, want 8 (4 per instance)", n)
		}
		wantAttrs(t, got[protected], map[string]cty.Value{
			"user_data":                            cty.StringVal(userDataHashSum(script)),
			"user_data_base64":                     cty.StringVal(encoded),
			"disable_api_termination":              cty.True,
			"disable_api_stop":                     cty.False,
			"instance_initiated_shutdown_behavior": cty.StringVal("terminate"),
		})
	})
}

func TestInstanceAttributeReadFailureNamesOperation(t *testing.T) {
	srv := emulator.Start(t)
	launchInstance(t, ec2Seed(srv), &ec2.RunInstancesInput{}, false)
	for _, attrs := range [][]string{{"user_data"}, {"disable_api_stop"}, nil} {
		proxy := srv.StartProxy(t)
		proxy.Inject(emulator.Fault{Service: "ec2", Operation: "DescribeInstanceAttribute", Status: 403, Code: "UnauthorizedOperation"})
		p := testProvider(t, proxy.URL(), "us-east-1")
		_, err := p.Read(context.Background(), providers.ReadRequest{Type: "aws_instance", Attributes: attrs})
		var re *providers.ReadError
		if !errors.As(err, &re) || re.Operation != "ec2:DescribeInstanceAttribute" {
			t.Errorf("attributes %v: err = %v, want a ReadError naming ec2:DescribeInstanceAttribute", attrs, err)
		}
	}
	// Not written: no call, so the fault does not matter.
	proxy := srv.StartProxy(t)
	proxy.Inject(emulator.Fault{Service: "ec2", Operation: "DescribeInstanceAttribute", Status: 403, Code: "UnauthorizedOperation"})
	p := testProvider(t, proxy.URL(), "us-east-1")
	if _, err := p.Read(context.Background(), providers.ReadRequest{Type: "aws_instance", Attributes: []string{"ami"}}); err != nil {
		t.Errorf("read not writing them: %v", err)
	}
}

// userDataShim stands between the provider and moto and records the
// UserData.Value of ModifyInstanceAttribute requests. moto (5.2) decodes that
// blob and then requires the result to be base64 again, where EC2 takes the
// user data itself (the SDK encodes the blob once, which is what
// terraform-provider-aws relies on): the shim encodes it once more for moto.
type userDataShim struct {
	mu   sync.Mutex
	sent []string
}

func (u *userDataShim) start(t *testing.T, target string) string {
	t.Helper()
	to, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(to)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if form, err := url.ParseQuery(string(body)); err == nil && form.Get("Action") == "ModifyInstanceAttribute" && form.Has("UserData.Value") {
			v := form.Get("UserData.Value")
			u.mu.Lock()
			u.sent = append(u.sent, v)
			u.mu.Unlock()
			form.Set("UserData.Value", base64.StdEncoding.EncodeToString([]byte(v)))
			body = []byte(form.Encode())
		}
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// moto quirks: RunInstances ignores DisableApiTermination (launchInstance);
// ModifyInstanceAttribute stores DisableApiTermination.Value and
// DisableApiStop.Value as the strings it was sent, which it answers
// correctly but no longer enforces; it does not implement the
// InstanceInitiatedShutdownBehavior.Value form (the update uses the
// Attribute/Value form, which EC2 documents too); it wants user data
// encoded twice (userDataShim); it stops and starts instances at once.
func TestInstanceAttributesApply(t *testing.T) {
	srv := emulator.Start(t)
	c := ec2Seed(srv)
	shim := &userDataShim{}
	p := testProvider(t, shim.start(t, srv.URL()), "us-east-1")
	s := instanceSchema()
	desired := func(vals map[string]cty.Value) cty.Value {
		all := map[string]cty.Value{"ami": cty.StringVal(motoAMI), "instance_type": cty.StringVal("t3.micro")}
		for k, v := range vals {
			all[k] = v
		}
		return ec2Config(s, all)
	}
	script := "#!/bin/sh\necho v1\n"
	seed := func(t *testing.T) string {
		return launchInstance(t, c, &ec2.RunInstancesInput{
			UserData: aws.String(base64.StdEncoding.EncodeToString([]byte(script))),
		}, true)
	}
	tests := []struct {
		name string
		vals map[string]cty.Value
	}{
		{"termination protection lifted", map[string]cty.Value{"disable_api_termination": cty.False}},
		{"stop protection set", map[string]cty.Value{"disable_api_stop": cty.True}},
		{"shutdown behaviour", map[string]cty.Value{"instance_initiated_shutdown_behavior": cty.StringVal("terminate")}},
		{"user data", map[string]cty.Value{"user_data": cty.StringVal("#!/bin/sh\necho v2\n")}},
		{"user data base64", map[string]cty.Value{"user_data_base64": cty.StringVal(base64.StdEncoding.EncodeToString([]byte("v3")))}},
		{"user data and type at once", map[string]cty.Value{"user_data": cty.StringVal("v4"), "instance_type": cty.StringVal("t3.small")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := seed(t)
			shim.sent = nil
			ec2UpdateToward(t, p, "aws_instance", id, desired(tt.vals))
			// EC2 gets the user data encoded once, whichever way it
			// was written.
			for _, name := range []string{"user_data", "user_data_base64"} {
				v, ok := tt.vals[name]
				if !ok {
					continue
				}
				want := base64.StdEncoding.EncodeToString(userDataBytes(v.AsString()))
				if len(shim.sent) != 1 || shim.sent[0] != want {
					t.Errorf("ModifyInstanceAttribute UserData.Value = %q, want [%q]", shim.sent, want)
				}
			}
			if state := ec2ReadOne(t, p, "aws_instance", id).Attrs.GetAttr("instance_state"); !state.RawEquals(cty.StringVal("running")) {
				t.Errorf("instance_state = %#v after the update, want running", state)
			}
		})
	}

	t.Run("user data with user_data_replace_on_change", func(t *testing.T) {
		id := seed(t)
		live := ec2ReadOne(t, p, "aws_instance", id)
		_, err := p.Apply(context.Background(), providers.ApplyRequest{
			Type: "aws_instance", Kind: providers.Update, ID: id, Live: live.Attrs,
			Desired: desired(map[string]cty.Value{"user_data": cty.StringVal("v5"), "user_data_replace_on_change": cty.True}),
			Changed: []string{"user_data"},
		})
		if !errors.Is(err, providers.ErrNotSupported) {
			t.Errorf("err = %v, want one wrapping providers.ErrNotSupported", err)
		}
	})
}
