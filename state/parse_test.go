package state

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// instanceSummary is what the tests compare of each instance.
type instanceSummary struct {
	Address, Module, Mode, Type, Name string
	Key                               any
	ProviderSource, ProviderAlias, ID string
	Tainted                           bool
}

func summarize(st *State) []instanceSummary {
	var out []instanceSummary
	for _, in := range st.Instances {
		out = append(out, instanceSummary{
			Address: in.Address, Module: in.Module, Mode: in.Mode, Type: in.Type, Name: in.Name, Key: in.Key,
			ProviderSource: in.ProviderSource, ProviderAlias: in.ProviderAlias, ID: in.ID, Tainted: in.Tainted,
		})
	}
	return out
}

func TestParseValid(t *testing.T) {
	const aws = "registry.terraform.io/hashicorp/aws"
	tests := []struct {
		name      string
		file      string
		wantTF    string
		wantSer   uint64
		instances []instanceSummary
	}{
		{
			name:    "terraform 1.x state with count, for_each, alias, data and module",
			file:    "valid.tfstate",
			wantTF:  "1.9.8",
			wantSer: 17,
			instances: []instanceSummary{
				{"data.aws_ami.ubuntu", "", "data", "aws_ami", "ubuntu", nil, aws, "", "ami-0c55b159cbfafe1f0", false},
				{"aws_db_instance.main", "", "managed", "aws_db_instance", "main", nil, aws, "", "db-ABCDEFGHIJKLMNOPQRSTUVWXY", false},
				{"aws_instance.web[0]", "", "managed", "aws_instance", "web", 0, aws, "west", "i-0123456789abcdef0", false},
				{"aws_instance.web[1]", "", "managed", "aws_instance", "web", 1, aws, "west", "i-0fedcba9876543210", true},
				{`aws_subnet.private["a"]`, "", "managed", "aws_subnet", "private", "a", aws, "", "subnet-0aaaaaaaaaaaaaaa1", false},
				{`aws_subnet.private["b"]`, "", "managed", "aws_subnet", "private", "b", aws, "", "subnet-0bbbbbbbbbbbbbbb2", false},
				{"aws_vpc.main", "", "managed", "aws_vpc", "main", nil, aws, "", "vpc-0a1b2c3d4e5f60718", false},
				{`module.net["eu"].aws_vpc.this`, `module.net["eu"]`, "managed", "aws_vpc", "this", nil, aws, "", "vpc-0eu0000000000000e", false},
			},
		},
		{
			name:    "terraform 0.12 provider addresses, flat attributes, deposed object skipped",
			file:    "legacy-provider.tfstate",
			wantTF:  "0.12.31",
			wantSer: 3,
			instances: []instanceSummary{
				{"aws_vpc.main[0]", "", "managed", "aws_vpc", "main", 0, "aws", "east", "vpc-0a1b2c3d4e5f60718", false},
				{"aws_security_group.old", "", "managed", "aws_security_group", "old", nil, "aws", "", "sg-0123", false},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, err := Parse(tt.file, readFixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if st.Version != 4 || st.TerraformVersion != tt.wantTF || st.Serial != tt.wantSer || st.Location != tt.file {
				t.Errorf("header = %d %q %d %q, want 4 %q %d %q", st.Version, st.TerraformVersion, st.Serial, st.Location, tt.wantTF, tt.wantSer, tt.file)
			}
			if diff := cmp.Diff(tt.instances, summarize(st)); diff != "" {
				t.Errorf("instances (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDetails(t *testing.T) {
	st, err := Parse("valid.tfstate", readFixture(t, "valid.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	web := st.Lookup("aws_instance.web[0]")
	if web == nil {
		t.Fatal("Lookup(aws_instance.web[0]) = nil")
	}
	if want := `provider["registry.terraform.io/hashicorp/aws"].west`; web.Provider != want {
		t.Errorf("Provider = %q, want %q", web.Provider, want)
	}
	if diff := cmp.Diff([]string{"data.aws_ami.ubuntu"}, web.Dependencies); diff != "" {
		t.Errorf("Dependencies (-want +got):\n%s", diff)
	}
	if got := web.Attributes()["instance_type"]; got != "t3.micro" {
		t.Errorf("Attributes[instance_type] = %v", got)
	}
	v := web.Value()
	if got := v.GetAttr("root_block_device").Index(cty.NumberIntVal(0)).GetAttr("volume_size"); !got.RawEquals(cty.NumberIntVal(8)) {
		t.Errorf("Value().root_block_device[0].volume_size = %#v, want 8", got)
	}
	if got := v.GetAttr("tags"); !got.IsNull() {
		t.Errorf("Value().tags = %#v, want null", got)
	}

	db := st.Lookup("aws_db_instance.main")
	wantPaths := []cty.Path{
		cty.GetAttrPath("password"),
		cty.GetAttrPath("tags").Index(cty.StringVal("Env")),
	}
	if len(db.SensitivePaths) != len(wantPaths) {
		t.Fatalf("SensitivePaths = %#v, want %#v", db.SensitivePaths, wantPaths)
	}
	for i, p := range wantPaths {
		if !p.Equals(db.SensitivePaths[i]) {
			t.Errorf("SensitivePaths[%d] = %#v, want %#v", i, db.SensitivePaths[i], p)
		}
	}
	sensitive := []struct {
		path cty.Path
		want bool
	}{
		{cty.GetAttrPath("password"), true},
		{cty.GetAttrPath("tags").Index(cty.StringVal("Env")), true},
		{cty.GetAttrPath("tags"), false},
		{cty.GetAttrPath("username"), false},
	}
	for _, s := range sensitive {
		if got := db.IsSensitive(s.path); got != s.want {
			t.Errorf("IsSensitive(%#v) = %v, want %v", s.path, got, s.want)
		}
	}

	out := st.Outputs["db_password"]
	if !out.Sensitive || out.Value.AsString() != "hunter2-output" {
		t.Errorf("Outputs[db_password] = %#v", out)
	}
	if st.Outputs["vpc_id"].Sensitive {
		t.Error("Outputs[vpc_id] is sensitive")
	}
}

func TestLookup(t *testing.T) {
	st, err := Parse("valid.tfstate", readFixture(t, "valid.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	byHand := &State{Instances: st.Instances}
	tests := []struct {
		address string
		wantID  string
	}{
		{"aws_vpc.main", "vpc-0a1b2c3d4e5f60718"},
		{`aws_subnet.private["b"]`, "subnet-0bbbbbbbbbbbbbbb2"},
		{"aws_instance.web[1]", "i-0fedcba9876543210"},
		{`module.net["eu"].aws_vpc.this`, "vpc-0eu0000000000000e"},
		{"data.aws_ami.ubuntu", ""}, // data resources are not managed
		{"aws_ami.ubuntu", ""},
		{"aws_instance.web", ""}, // the resource, not an instance
		{"aws_subnet.private[\"c\"]", ""},
	}
	for _, tt := range tests {
		t.Run(tt.address, func(t *testing.T) {
			for name, s := range map[string]*State{"parsed": st, "by hand": byHand} {
				got := s.Lookup(tt.address)
				gotID := ""
				if got != nil {
					gotID = got.ID
				}
				if gotID != tt.wantID {
					t.Errorf("%s: Lookup(%s).ID = %q, want %q", name, tt.address, gotID, tt.wantID)
				}
			}
		})
	}
	var nilState *State
	if nilState.Lookup("aws_vpc.main") != nil {
		t.Error("nil State found an instance")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		file    string
		want    string
		wantIs  []error
		wantPos [2]int
	}{
		{
			file:    "malformed.tfstate",
			want:    "reading state malformed.tfstate: line 3, column 15: invalid character ',' looking for beginning of object key string",
			wantIs:  []error{ErrInvalid},
			wantPos: [2]int{3, 15},
		},
		{
			file:    "truncated.tfstate",
			want:    "reading state truncated.tfstate: line 5, column 1: unexpected end of JSON input",
			wantIs:  []error{ErrInvalid},
			wantPos: [2]int{5, 1},
		},
		{
			file:    "wrong-type.tfstate",
			want:    "reading state wrong-type.tfstate: line 4, column 13: serial must be a number, not string",
			wantIs:  []error{ErrInvalid},
			wantPos: [2]int{4, 13},
		},
		{
			file:   "version3.tfstate",
			want:   "reading state version3.tfstate: unsupported state format version 3; driftctl reads version 4, written by Terraform 0.12 and later",
			wantIs: []error{ErrInvalid, ErrUnsupportedVersion},
		},
		{
			file:   "version5.tfstate",
			want:   "reading state version5.tfstate: unsupported state format version 5; driftctl reads version 4, written by Terraform 0.12 and later",
			wantIs: []error{ErrInvalid, ErrUnsupportedVersion},
		},
		{
			file:   "no-version.tfstate",
			want:   `reading state no-version.tfstate: the state has no "version" field`,
			wantIs: []error{ErrInvalid},
		},
		{
			file:   "empty.tfstate",
			want:   "reading state empty.tfstate: state is empty",
			wantIs: []error{ErrInvalid, ErrNoState},
		},
		{
			file:   "whitespace.tfstate",
			want:   "reading state whitespace.tfstate: state is empty",
			wantIs: []error{ErrInvalid, ErrNoState},
		},
		{
			file:   "duplicate.tfstate",
			want:   "reading state duplicate.tfstate: instance aws_vpc.main appears more than once",
			wantIs: []error{ErrInvalid},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			st, err := Parse(tt.file, readFixture(t, tt.file))
			if err == nil {
				t.Fatalf("Parse = %d instances, want error", len(st.Instances))
			}
			if err.Error() != tt.want {
				t.Errorf("error =\n  %s\nwant\n  %s", err, tt.want)
			}
			for _, target := range tt.wantIs {
				if !errors.Is(err, target) {
					t.Errorf("errors.Is(err, %v) = false", target)
				}
			}
			if errors.Is(err, ErrNotFound) {
				t.Error("a parse error matches ErrNotFound")
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is %T, want *ParseError", err)
			}
			if got := [2]int{pe.Line, pe.Column}; got != tt.wantPos {
				t.Errorf("position = %v, want %v", got, tt.wantPos)
			}
		})
	}
}

func TestParseInvalidInstances(t *testing.T) {
	const head = `{"version": 4, "terraform_version": "1.9.8", "serial": 1, "lineage": "x", "outputs": {}, "resources": [`
	const tail = `], "check_results": null}`
	tests := []struct {
		name     string
		resource string
		want     string
	}{
		{
			name:     "bad mode",
			resource: `{"mode": "ephemeral", "type": "aws_vpc", "name": "a", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]", "instances": []}`,
			want:     `reading state inline: resource aws_vpc.a has the unsupported mode "ephemeral"`,
		},
		{
			name:     "bad provider",
			resource: `{"mode": "managed", "type": "aws_vpc", "name": "a", "provider": "aws", "instances": []}`,
			want:     `reading state inline: resource aws_vpc.a has the invalid provider address "aws"`,
		},
		{
			name:     "bad status",
			resource: `{"mode": "managed", "type": "aws_vpc", "name": "a", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]", "instances": [{"status": "gone", "schema_version": 0, "attributes": {"id": "vpc-1"}}]}`,
			want:     `reading state inline: instance aws_vpc.a has the invalid status "gone"`,
		},
		{
			name:     "bad key",
			resource: `{"mode": "managed", "type": "aws_vpc", "name": "a", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]", "instances": [{"index_key": 1.5, "schema_version": 0, "attributes": {"id": "vpc-1"}}]}`,
			want:     `reading state inline: resource aws_vpc.a has an instance with the invalid key 1.5`,
		},
		{
			name:     "bad sensitive path",
			resource: `{"mode": "managed", "type": "aws_vpc", "name": "a", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]", "instances": [{"schema_version": 0, "attributes": {"id": "vpc-1"}, "sensitive_attributes": [[{"type": "splat", "value": 1}]]}]}`,
			want:     `reading state inline: instance aws_vpc.a: sensitive_attributes: unsupported path step type "splat"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("inline", []byte(head+tt.resource+tail))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error = %v, want %s", err, tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Error("error does not match ErrInvalid")
			}
		})
	}
}

func TestInstanceAddress(t *testing.T) {
	tests := []struct {
		module, mode, typ, name string
		key                     any
		want                    string
	}{
		{"", "managed", "aws_vpc", "main", nil, "aws_vpc.main"},
		{"", "managed", "aws_instance", "web", 3, "aws_instance.web[3]"},
		{"", "managed", "aws_subnet", "private", "a", `aws_subnet.private["a"]`},
		{"", "data", "aws_ami", "ubuntu", nil, "data.aws_ami.ubuntu"},
		{"module.x", "managed", "aws_vpc", "y", nil, "module.x.aws_vpc.y"},
		{`module.x[0].module.y["k"]`, "data", "aws_ami", "a", 1, `module.x[0].module.y["k"].data.aws_ami.a[1]`},
		{"", "managed", "aws_iam_user", "u", "a\"b\\c\n${x}%{y}", `aws_iam_user.u["a\"b\\c\n$${x}%%{y}"]`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := instanceAddress(tt.module, tt.mode, tt.typ, tt.name, tt.key); got != tt.want {
				t.Errorf("instanceAddress = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParseProvider(t *testing.T) {
	tests := []struct {
		addr, source, alias string
		ok                  bool
	}{
		{`provider["registry.terraform.io/hashicorp/aws"]`, "registry.terraform.io/hashicorp/aws", "", true},
		{`provider["registry.terraform.io/hashicorp/aws"].west`, "registry.terraform.io/hashicorp/aws", "west", true},
		{`module.net.provider["registry.terraform.io/hashicorp/aws"].eu`, "registry.terraform.io/hashicorp/aws", "eu", true},
		{`provider.aws`, "aws", "", true},
		{`module.a.provider.aws.east`, "aws", "east", true},
		{`provider["registry.terraform.io/hashicorp/aws"]west`, "", "", false},
		{`provider["registry.terraform.io/hashicorp/aws`, "", "", false},
		{`aws`, "", "", false},
		{`provider.`, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			source, alias, ok := parseProvider(tt.addr)
			if source != tt.source || alias != tt.alias || ok != tt.ok {
				t.Errorf("parseProvider = %q, %q, %v; want %q, %q, %v", source, alias, ok, tt.source, tt.alias, tt.ok)
			}
		})
	}
}

func TestValueOfHandMadeInstance(t *testing.T) {
	in := &Instance{raw: []byte(`{"id":"vpc-1","cidr_block":"10.0.0.0/16","tags":{"Name":"x"}}`)}
	v := in.Value()
	if got := v.GetAttr("tags").GetAttr("Name"); !got.RawEquals(cty.StringVal("x")) {
		t.Errorf("Value().tags.Name = %#v", got)
	}
	if got := (&Instance{}).Value(); !got.RawEquals(cty.EmptyObjectVal) {
		t.Errorf("empty Value() = %#v", got)
	}
}
