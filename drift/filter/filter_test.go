package filter

import (
	"strings"
	"testing"

	"github.com/gitdrift/driftctl/drift"
)

func TestKeep(t *testing.T) {
	t.Parallel()
	bucket := drift.Result{Address: "aws_s3_bucket.b", Type: "aws_s3_bucket", ID: "my-bucket", Region: "eu-west-1", Account: "123456789012",
		Status: drift.Drifted, Tags: map[string]string{"Env": "prod", "Terraform": "true"}}
	subnet := drift.Result{Address: `module.net["a.b"].module.sub.aws_subnet.private[0]`, Type: "aws_subnet", ID: "subnet-1", Status: drift.InSync}
	unmanaged := drift.Result{Type: "aws_s3_bucket", ID: "stray", Status: drift.Unmanaged, Tags: map[string]string{"Env": "dev"}}
	tests := []struct {
		name          string
		expr          string
		onlyManaged   bool
		onlyUnmanaged bool
		want          []bool // bucket, subnet, unmanaged
	}{
		{"no filter", "", false, false, []bool{true, true, true}},
		{"snyk's documented example", "Type=='aws_s3_bucket' && Id=='my-bucket'", false, false, []bool{true, false, false}},
		{"snyk: not a type", "Type!='aws_s3_bucket'", false, false, []bool{false, true, false}},
		{"snyk: a tag through Attr", "Attr.Tags.Terraform=='true'", false, false, []bool{true, false, false}},
		{"tags", "tags.Env=='prod' || tags.Env=='dev'", false, false, []bool{true, false, true}},
		{"status", "status=='unmanaged'", false, false, []bool{false, false, true}},
		{"region and account", "region=='eu-west-1' && account=='123456789012'", false, false, []bool{true, false, false}},
		{"module", "module=='module.net[\"a.b\"].module.sub'", false, false, []bool{false, true, false}},
		{"root module", "module==''", false, false, []bool{true, false, true}},
		{"starts_with on the address", "starts_with(address, 'module.')", false, false, []bool{false, true, false}},
		{"a string is not true", "id", false, false, []bool{false, false, false}},
		{"only managed", "", true, false, []bool{true, true, false}},
		{"only unmanaged", "", false, true, []bool{false, false, true}},
		{"only managed and an expression", "type=='aws_s3_bucket'", true, false, []bool{true, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := New(tt.expr, tt.onlyManaged, tt.onlyUnmanaged)
			if err != nil {
				t.Fatal(err)
			}
			for i, res := range []drift.Result{bucket, subnet, unmanaged} {
				got, err := f.Keep(&res)
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want[i] {
					t.Errorf("%s (%s): keep = %v, want %v", res.Address, res.ID, got, tt.want[i])
				}
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	if _, err := New("Type==", false, false); err == nil || !strings.Contains(err.Error(), `--filter "Type=="`) {
		t.Errorf("bad expression: error %v", err)
	}
	if _, err := New("", true, true); err == nil || !strings.Contains(err.Error(), "exclude each other") {
		t.Errorf("both only flags: error %v", err)
	}
}

func TestApplyError(t *testing.T) {
	t.Parallel()
	f, err := New("abs(type) > `1`", false, false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Apply([]drift.Result{{Address: "aws_s3_bucket.b", Type: "aws_s3_bucket"}})
	if err == nil || !strings.Contains(err.Error(), "aws_s3_bucket.b") {
		t.Errorf("error %v, want one naming aws_s3_bucket.b", err)
	}
}

func TestModulePath(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"aws_s3_bucket.b":                     "",
		"module.net.aws_subnet.a":             "module.net",
		`module.net["x.y"].aws_subnet.a["k"]`: `module.net["x.y"]`,
		"module.a[0].module.b.aws_vpc.v":      "module.a[0].module.b",
		`module.a["]"].aws_vpc.v`:             `module.a["]"]`,
		"":                                    "",
	}
	for addr, want := range tests {
		if got := ModulePath(addr); got != want {
			t.Errorf("ModulePath(%q) = %q, want %q", addr, got, want)
		}
	}
}
