package report

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/drift"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// secret is a sensitive value that must never appear in any output.
const secret = "hunter2-do-not-print"

func rng(file string, line int) *hcl.Range {
	return &hcl.Range{Filename: file, Start: hcl.Pos{Line: line, Column: 3}, End: hcl.Pos{Line: line, Column: 30}}
}

// sampleReport covers every status, a set diff, a sensitive diff, a value
// with a sensitive part, a diff without a range, a long value, and errors.
func sampleReport() *drift.Report {
	rule := func(port int64, cidr string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			"from_port":   cty.NumberIntVal(port),
			"to_port":     cty.NumberIntVal(port),
			"protocol":    cty.StringVal("tcp"),
			"cidr_blocks": cty.ListVal([]cty.Value{cty.StringVal(cidr)}),
		})
	}
	policy := func(action string) cty.Value {
		return cty.StringVal(`{"Version":"2012-10-17","Statement":[{"Sid":"ReadLogs","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/reader"},"Action":["` +
			action + `"],"Resource":["arn:aws:s3:::acme-logs","arn:aws:s3:::acme-logs/*"],"Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`)
	}
	return &drift.Report{
		Stack: "prod-network",
		Commit: &drift.Commit{
			SHA:        "9fceb02d0ae598e95dc970b74767f19372d61af8",
			Ref:        "main",
			Author:     "Ada Lovelace",
			Email:      "ada@example.com",
			Time:       time.Date(2024, 5, 1, 9, 30, 0, 0, time.FixedZone("CEST", 2*3600)),
			Message:    "Open HTTPS to the world\n\nThe load balancer moved.",
			Repository: "https://git.example.com/acme/infra.git",
			Path:       "envs/prod",
		},
		StartedAt: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
		Duration:  12345 * time.Millisecond,
		Results: []drift.Result{
			{Address: "aws_vpc.main", Type: "aws_vpc", ID: "vpc-0a1", Provider: "aws", Region: "us-east-1", Status: drift.InSync},
			{Address: "aws_s3_bucket.logs", Type: "aws_s3_bucket", ID: "acme-logs", Provider: "aws", Region: "us-east-1", Status: drift.Missing},
			{Address: "aws_security_group.web", Type: "aws_security_group", ID: "sg-0123", Provider: "aws", Region: "us-east-1", Status: drift.Drifted,
				Diffs: []drift.Diff{
					{
						Path:  "ingress",
						Want:  cty.SetVal([]cty.Value{rule(443, "0.0.0.0/0"), rule(80, "0.0.0.0/0")}),
						Got:   cty.SetVal([]cty.Value{rule(443, "0.0.0.0/0"), rule(22, "10.0.0.0/8"), rule(80, "0.0.0.0/0")}),
						Range: rng("network/main.tf", 12),
					},
					{Path: "tags.Env", Want: cty.StringVal("prod"), Got: cty.StringVal("dev"), Range: rng("network/main.tf", 20),
						Blame: &drift.Blame{SHA: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", Author: "Jane Doe", Email: "jane@example.com", Time: time.Date(2024, 4, 28, 9, 0, 0, 0, time.UTC)}},
					{Path: "tags.Owner", Want: cty.NullVal(cty.String), Got: cty.StringVal("someone-in-the-console")},
				}},
			{Address: "aws_db_instance.main", Type: "aws_db_instance", ID: "main", Provider: "aws", Region: "us-east-1", Status: drift.Drifted,
				Diffs: []drift.Diff{
					{Path: "password", Want: cty.StringVal(secret), Got: cty.StringVal(secret + "-changed"), Sensitive: true, Range: rng("db.tf", 7)},
					{
						Path: "parameters",
						Want: cty.MapVal(map[string]cty.Value{"log_min_duration": cty.StringVal("500"), "token": cty.StringVal(secret).Mark("sensitive")}),
						Got:  cty.MapVal(map[string]cty.Value{"log_min_duration": cty.StringVal("1000"), "token": cty.StringVal(secret).Mark("sensitive")}),
					},
					{Path: "allocated_storage", Want: cty.NumberIntVal(20), Got: cty.NumberIntVal(50), Range: rng("db.tf", 9)},
				}},
			{Address: "aws_s3_bucket_policy.logs", Type: "aws_s3_bucket_policy", ID: "acme-logs", Provider: "aws", Region: "us-east-1", Status: drift.Drifted,
				Diffs: []drift.Diff{{Path: "policy", Want: policy("s3:GetObject"), Got: policy("s3:*"), Range: rng("logs.tf", 31)}}},
			{Type: "aws_vpc", ID: "vpc-0999", Provider: "aws", Region: "us-west-2", Status: drift.Unmanaged},
			{Address: `aws_instance.web["a"]`, Type: "aws_instance", ID: "i-0abc", Provider: "aws", Region: "us-east-1", Status: drift.Unknown,
				Reason: "ec2:DescribeInstances in us-east-1 failed: Throttling"},
			{Address: "aws_iam_role.ci", Type: "aws_iam_role", ID: "ci", Provider: "aws", Status: drift.Ignored,
				Reason: ".driftignore line 3: aws_iam_role.*"},
			{Address: "aws_subnet.a", Type: "aws_subnet", ID: "subnet-1", Provider: "aws", Region: "us-east-1", Status: drift.InSync},
		},
		Errors: []drift.Error{
			{Type: "aws_instance", Region: "us-east-1", Operation: "ec2:DescribeInstances", Message: "api error Throttling: Rate exceeded"},
			{Type: "aws_vpc", Region: "eu-west-1", Operation: "ec2:DescribeVpcs", Message: "AccessDenied \x1b]0;pwned\x07 by a hostile proxy"},
		},
		Providers: []drift.ProviderInfo{
			{Name: "aws", Account: "123456789012", Region: "us-east-1"},
			// The identity check skipped: no account.
			{Name: "aws.west", Region: "us-west-2"},
		},
	}
}

func inSyncReport() *drift.Report {
	return &drift.Report{
		Stack:     "dev",
		StartedAt: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
		Duration:  1500 * time.Millisecond,
		Results: []drift.Result{
			{Address: "aws_vpc.main", Type: "aws_vpc", ID: "vpc-0a1", Provider: "aws", Region: "us-east-1", Status: drift.InSync},
		},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; run go test ./report -update after review):\n%s", path, diff)
	}
}

func TestConsoleGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		report *drift.Report
		opts   ConsoleOptions
	}{
		{"console.golden", sampleReport(), ConsoleOptions{}},
		{"console_color.golden", sampleReport(), ConsoleOptions{Color: true}},
		{"console_quiet.golden", sampleReport(), ConsoleOptions{Quiet: true}},
		{"console_in_sync.golden", inSyncReport(), ConsoleOptions{}},
		{"console_empty.golden", &drift.Report{}, ConsoleOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := Console(&buf, tt.report, tt.opts); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, buf.Bytes())
		})
	}
}

func TestJSONGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		report *drift.Report
	}{
		{"report.json.golden", sampleReport()},
		{"report_in_sync.json.golden", inSyncReport()},
		{"report_empty.json.golden", &drift.Report{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := JSON(&buf, tt.report); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, buf.Bytes())
		})
	}
}

// render runs every renderer and option set over r.
func render(t *testing.T, r *drift.Report) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, opts := range []ConsoleOptions{{}, {Color: true}, {Quiet: true}, {Color: true, Quiet: true}} {
		var buf bytes.Buffer
		if err := Console(&buf, r, opts); err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprintf("Console %+v", opts)] = buf.String()
	}
	var buf bytes.Buffer
	if err := JSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	out["JSON"] = buf.String()
	for _, f := range []Format{FormatMarkdown, FormatSARIF, FormatJUnit, FormatHTML} {
		out[string(f)] = renderString(t, f, r, Options{})
	}
	return out
}

func TestSensitiveValuesNeverPrinted(t *testing.T) {
	t.Parallel()
	for name, text := range render(t, sampleReport()) {
		if strings.Contains(text, secret) {
			t.Errorf("%s prints the sensitive value %q", name, secret)
		}
		if !strings.Contains(text, sensitiveText) {
			t.Errorf("%s does not print %s", name, sensitiveText)
		}
	}
}

func TestNoANSIWithoutColor(t *testing.T) {
	t.Parallel()
	for _, r := range []*drift.Report{sampleReport(), inSyncReport(), {}} {
		for name, text := range render(t, r) {
			hasESC := strings.Contains(text, "\x1b")
			if wantESC := strings.Contains(name, "Color:true"); hasESC != wantESC {
				t.Errorf("%s: escape sequences present = %v, want %v", name, hasESC, wantESC)
			}
		}
	}
}

// An unmanaged resource names its account when the scan read several: the
// same role name in two accounts is two lines that say which.
func TestConsoleUnmanagedAccount(t *testing.T) {
	t.Parallel()
	unmanaged := []drift.Result{
		{Type: "aws_iam_role", ID: "ci", Provider: "aws", Account: "123456789012", Region: "global", Status: drift.Unmanaged},
		{Type: "aws_iam_role", ID: "ci", Provider: "aws.prod", Account: "111111111111", Region: "global", Status: drift.Unmanaged},
	}
	tests := []struct {
		name      string
		providers []drift.ProviderInfo
		want      []string
	}{
		{"two accounts", []drift.ProviderInfo{{Name: "aws", Account: "123456789012"}, {Name: "aws.prod", Account: "111111111111"}},
			[]string{"+ aws_iam_role (ci) in global of account 111111111111\n", "+ aws_iam_role (ci) in global of account 123456789012\n"}},
		{"one account, two aliases", []drift.ProviderInfo{{Name: "aws", Account: "123456789012"}, {Name: "aws.west", Account: "123456789012"}, {Name: "aws.x"}},
			[]string{"+ aws_iam_role (ci) in global\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := Console(&buf, &drift.Report{Results: unmanaged, Providers: tt.providers}, ConsoleOptions{}); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("no %q in:\n%s", w, buf.String())
				}
			}
		})
	}
}
