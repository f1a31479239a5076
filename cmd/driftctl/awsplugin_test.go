package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// awsPluginFixture holds the configuration TestAWSProviderPlugin applies:
// plugin.tf (types driftctl has no native reader for), native.tf (types
// it has one for), versioning.tf.v4 (added for provider v4 and later) and
// import.tf.later (added after the apply).
const awsPluginFixture = "testdata/awsplugin"

// TestAWSProviderPlugin holds driftctl's plugin path against the real
// terraform-provider-aws: real Terraform applies testdata/awsplugin
// against moto through the binary DRIFTCTL_TEST_AWS_PROVIDER names
// (terraform-provider-aws_v3.49.0, terraform-provider-aws_v5.100.0_x5,
// ...); driftctl then scans it, by default and with --plugin-types all.
// Untouched, everything is in sync both ways; after hand changes with the
// AWS CLI, the resources drifted or missing are exactly those terraform
// plan would change, the same both ways, with the attribute paths and
// file:line the table says.
//
// It is a developer-machine check and is skipped unless the variable is
// set, in CI too (CI=true does not make it fail): the provider binaries
// are hundreds of megabytes, and the apply takes a minute or two.
func TestAWSProviderPlugin(t *testing.T) {
	bin := os.Getenv("DRIFTCTL_TEST_AWS_PROVIDER")
	if bin == "" {
		t.Skip("set DRIFTCTL_TEST_AWS_PROVIDER to a terraform-provider-aws binary (v3.49.0, v5.x), on a machine with terraform 1.5+, moto_server and the AWS CLI, to hold the plugin path against it")
	}
	m := regexp.MustCompile(`terraform-provider-aws_v((\d+)\.\d+\.\d+)`).FindStringSubmatch(filepath.Base(bin))
	if m == nil {
		t.Fatalf("DRIFTCTL_TEST_AWS_PROVIDER=%s: the file name does not say the version (terraform-provider-aws_vX.Y.Z...)", bin)
	}
	version := m[1]
	major, _ := strconv.Atoi(m[2])
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Fatal("DRIFTCTL_TEST_AWS_PROVIDER is set but terraform (1.5 or later, for import blocks) is not on PATH")
	}
	awsCLI := needAWSCLI(t)
	// driftctl and the plugin reach moto through the provider block's
	// endpoints only, and never a real account. (An empty AWS_PROFILE
	// would be a profile named "" to moto's botocore too: every call a
	// 500; it is unset.)
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": "", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED": "true", "TF_LOG": "", "TF_PLUGIN_CACHE_DIR": "",
	} {
		t.Setenv(k, v)
	}
	if p, ok := os.LookupEnv("AWS_PROFILE"); ok {
		os.Unsetenv("AWS_PROFILE")
		t.Cleanup(func() { os.Setenv("AWS_PROFILE", p) })
	}
	srv := emulator.Start(t)
	endpoint := srv.URL()
	tf := newTFStack(t, bin, version, major, endpoint)
	cacheDir := t.TempDir()

	tf.run(0, "init")
	tf.run(0, "apply", "-auto-approve")
	// The referee: Terraform sees nothing to change right after its apply
	// (a moto quirk would show here first).
	tf.run(0, "plan", "-detailed-exitcode")

	native := nativeTypes(major)
	for _, all := range []bool{false, true} {
		rep := scanAWSPlugin(t, tf.dir, cacheDir, all, exitOK)
		for _, r := range rep.Resources {
			if r.Address == nil {
				t.Errorf("unmanaged %s %s", r.Type, r.ID)
				continue
			}
			wantReader := "plugin"
			if !all && native[r.Type] {
				wantReader = "native"
			}
			if r.Status != "in_sync" || r.Reader != wantReader {
				t.Errorf("all=%v: %s is %s (%s) through %s, want in_sync through %s: %v", all, *r.Address, r.Status, r.Reason, r.Reader, wantReader, r.Diffs)
			}
		}
	}

	// By hand. The queue to import is made now, and its import block
	// written: the state does not have it. (Its maximum message size is
	// given: moto's default is 1 MiB, AWS's since 2025, and the
	// provider's 262144.)
	cli := func(args ...string) string { return runAWSCLI(t, awsCLI, endpoint, args...) }
	cli("sqs", "create-queue", "--queue-name", "byhand", "--attributes", "VisibilityTimeout=45,MaximumMessageSize=262144")
	tf.write("import.tf", strings.ReplaceAll(tf.fixture("import.tf.later"), "ENDPOINT", endpoint))
	q := func(name string) string { return endpoint + "/123456789012/" + name }
	cli("sqs", "set-queue-attributes", "--queue-url", q("jobs"), "--attributes", "VisibilityTimeout=60")
	cli("sqs", "delete-queue", "--queue-url", q("gone"))
	cli("sqs", "tag-queue", "--queue-url", q("ignored"), "--tags", "Team=by-hand")
	cli("sns", "tag-resource", "--resource-arn", "arn:aws:sns:us-east-1:123456789012:events", "--tags", "Key=Team,Value=by-hand")
	cli("sns", "untag-resource", "--resource-arn", "arn:aws:sns:us-east-1:123456789012:defaults", "--tag-keys", "Stack")
	cli("dynamodb", "update-time-to-live", "--table-name", "items", "--time-to-live-specification", "Enabled=false,AttributeName=expires")
	cli("logs", "put-retention-policy", "--log-group-name", "/app/web", "--retention-in-days", "30")
	cli("kms", "update-key-description", "--key-id", tf.attr("aws_kms_key.main", "key_id"), "--description", "by hand")
	cli("ssm", "put-parameter", "--name", "/app/secret", "--type", "SecureString", "--value", "leaked-by-hand", "--overwrite")
	cli("ec2", "create-route", "--route-table-id", tf.attr("aws_route_table.public", "id"), "--destination-cidr-block", "192.168.0.0/16",
		"--gateway-id", tf.attr("aws_internet_gateway.gw", "id"))
	cli("ec2", "create-tags", "--resources", tf.attr("aws_vpc.main", "id"), "--tags", "Key=Name,Value=by-hand")
	cli("ec2", "create-tags", "--resources", tf.attr("aws_instance.app", "id"), "--tags", "Key=Name,Value=by-hand")
	cli("ec2", "authorize-security-group-ingress", "--group-id", tf.attr("aws_security_group.web", "id"), "--protocol", "tcp", "--port", "22", "--cidr", "10.0.0.0/8")
	cli("s3api", "put-public-access-block", "--bucket", "assets", "--public-access-block-configuration",
		"BlockPublicAcls=false,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true")
	cli("iam", "tag-role", "--role-name", "app", "--tags", "Key=Team,Value=by-hand")
	cli("iam", "detach-role-policy", "--role-name", "app", "--policy-arn", "arn:aws:iam::123456789012:policy/read")

	// What a scan must say: status and diffs (path, and the text on the
	// line that declares it, "" for none) by address.
	plugin, nat := tf.fixture("plugin.tf"), tf.fixture("native.tf")
	at := func(file, text string) awsPluginDiff { return awsPluginDiff{file: file, text: text} }
	want := map[string]awsPluginResult{
		"aws_sqs_queue.jobs":                       {"drifted", map[string]awsPluginDiff{"visibility_timeout_seconds": at("plugin.tf", "visibility_timeout_seconds = 30")}},
		"aws_sqs_queue.gone":                       {"missing", nil},
		"aws_sqs_queue.ignored":                    {"ignored", nil},
		"aws_sns_topic.events":                     {"drifted", map[string]awsPluginDiff{"tags.Team": at("plugin.tf", `Team = "events-team"`)}},
		"aws_sns_topic.defaults":                   {"drifted", map[string]awsPluginDiff{"tags_all.Stack": {}}},
		"aws_dynamodb_table.items":                 {"drifted", map[string]awsPluginDiff{"ttl[0].enabled": at("plugin.tf", "enabled        = true")}},
		"aws_cloudwatch_log_group.app":             {"drifted", map[string]awsPluginDiff{"retention_in_days": at("plugin.tf", "retention_in_days = 14")}},
		"aws_kms_key.main":                         {"drifted", map[string]awsPluginDiff{"description": at("plugin.tf", `description             = "main key"`)}},
		"aws_ssm_parameter.secret":                 {"drifted", map[string]awsPluginDiff{"value": at("plugin.tf", `value = "s3cret-value"`)}},
		"aws_internet_gateway.gw":                  {"in_sync", nil},
		"aws_route_table.public":                   {"drifted", map[string]awsPluginDiff{"route": at("plugin.tf", "route {")}},
		"aws_sqs_queue.byhand":                     {"drifted", map[string]awsPluginDiff{"visibility_timeout_seconds": at("import.tf", "visibility_timeout_seconds = 30"), "tags_all.Stack": {}}},
		"aws_vpc.main":                             {"drifted", map[string]awsPluginDiff{"tags.Name": at("native.tf", `Name = "main-vpc"`)}},
		"aws_subnet.a":                             {"in_sync", nil},
		"aws_security_group.web":                   {"drifted", map[string]awsPluginDiff{"ingress": at("native.tf", "ingress {")}},
		"aws_instance.app":                         {"drifted", map[string]awsPluginDiff{"tags.Name": at("native.tf", `Name = "app-instance"`)}},
		"aws_s3_bucket.assets":                     {"in_sync", nil},
		"aws_s3_bucket_policy.assets":              {"in_sync", nil},
		"aws_iam_role.app":                         {"drifted", map[string]awsPluginDiff{"tags.Team": at("native.tf", `Team = "role-team"`)}},
		"aws_iam_policy.read":                      {"in_sync", nil},
		"aws_iam_user.deploy":                      {"in_sync", nil},
		"aws_iam_role_policy_attachment.app_read":  {"missing", nil},
		"aws_s3_bucket_public_access_block.assets": {"drifted", map[string]awsPluginDiff{"block_public_acls": at("native.tf", "block_public_acls       = true")}},
	}
	if major >= 4 {
		cli("s3api", "put-bucket-versioning", "--bucket", "assets", "--versioning-configuration", "Status=Suspended")
		want["aws_s3_bucket_versioning.assets"] = awsPluginResult{"drifted", map[string]awsPluginDiff{
			"versioning_configuration[0].status": at("versioning.tf", `status = "Enabled"`)}}
	}
	files := map[string]string{"plugin.tf": plugin, "native.tf": nat, "import.tf": tf.fixture("import.tf.later"), "versioning.tf": tf.fixture("versioning.tf.v4")}

	// The referee: what terraform plan would change is what drifted or
	// is missing, and nothing else.
	changed := tf.planned()
	var wantChanged []string
	for addr, w := range want {
		if w.status == "drifted" || w.status == "missing" {
			wantChanged = append(wantChanged, addr)
		}
	}
	slices.Sort(wantChanged)
	if !slices.Equal(changed, wantChanged) {
		t.Errorf("terraform plan changes\n  %v\nthe test expects drifted or missing\n  %v", changed, wantChanged)
	}

	for _, all := range []bool{false, true} {
		rep := scanAWSPlugin(t, tf.dir, cacheDir, all, exitDrift)
		if bytes.Contains(rep.raw, []byte("s3cret-value")) || bytes.Contains(rep.raw, []byte("leaked-by-hand")) {
			t.Errorf("all=%v: the report holds the SecureString's value", all)
		}
		seen := map[string]bool{}
		for _, r := range rep.Resources {
			if r.Address == nil {
				t.Errorf("all=%v: unmanaged %s %s", all, r.Type, r.ID)
				continue
			}
			addr := *r.Address
			seen[addr] = true
			w, ok := want[addr]
			if !ok {
				t.Errorf("all=%v: %s is not in the table", all, addr)
				continue
			}
			// IAM is global, whichever path reads it.
			wantRegion := "us-east-1"
			if strings.HasPrefix(r.Type, "aws_iam_") {
				wantRegion = "global"
			}
			if r.Region != wantRegion {
				t.Errorf("all=%v: %s is in region %q, want %q", all, addr, r.Region, wantRegion)
			}
			if r.Status != w.status {
				t.Errorf("all=%v: %s is %s (%s), want %s: %v", all, addr, r.Status, r.Reason, w.status, r.Diffs)
				continue
			}
			got := map[string]awsPluginDiff{}
			for _, d := range r.Diffs {
				g := awsPluginDiff{}
				if d.File != nil && d.Line != nil {
					g.file, g.line = filepath.Base(*d.File), *d.Line
				}
				got[d.Path] = g
				if d.Path == "value" && !d.Sensitive {
					t.Errorf("all=%v: %s: value is not sensitive", all, addr)
				}
			}
			wantDiffs := map[string]awsPluginDiff{}
			for p, d := range w.diffs {
				if d.file != "" {
					d.line = lineOf(t, files[d.file], d.text)
				}
				wantDiffs[p] = awsPluginDiff{file: d.file, line: d.line}
			}
			if fmt.Sprint(got) != fmt.Sprint(wantDiffs) {
				t.Errorf("all=%v: %s diffs (path: file line)\n  %v\nwant\n  %v", all, addr, got, wantDiffs)
			}
		}
		for addr := range want {
			if !seen[addr] {
				t.Errorf("all=%v: %s is not in the report", all, addr)
			}
		}
	}
}

// awsPluginResult is what a scan must say of one address.
type awsPluginResult struct {
	status string
	diffs  map[string]awsPluginDiff // by path
}

// awsPluginDiff is where a diff points: the file and, in the table, the
// text of its line; in results, the line.
type awsPluginDiff struct {
	file, text string
	line       int
}

func (d awsPluginDiff) String() string {
	if d.file == "" {
		return "-"
	}
	return fmt.Sprintf("%s:%d", d.file, d.line)
}

// nativeTypes are the types of the fixture that driftctl reads natively.
func nativeTypes(major int) map[string]bool {
	m := map[string]bool{}
	for _, typ := range []string{"aws_vpc", "aws_subnet", "aws_security_group", "aws_instance", "aws_s3_bucket",
		"aws_s3_bucket_public_access_block", "aws_s3_bucket_policy", "aws_iam_role", "aws_iam_policy",
		"aws_iam_role_policy_attachment", "aws_iam_user"} {
		m[typ] = true
	}
	if major >= 4 {
		m["aws_s3_bucket_versioning"] = true
	}
	return m
}

// lineOf is the line of text in a file, which must hold it once.
func lineOf(t *testing.T, file, text string) int {
	t.Helper()
	if strings.Count(file, text) != 1 {
		t.Fatalf("the fixture holds %q %d times, want once", text, strings.Count(file, text))
	}
	return strings.Count(file[:strings.Index(file, text)], "\n") + 1
}

// awsPluginReport is the part of the JSON report the test reads.
type awsPluginReport struct {
	raw       []byte
	Resources []struct {
		Address *string `json:"address"`
		Type    string  `json:"type"`
		ID      string  `json:"id"`
		Region  string  `json:"region"`
		Status  string  `json:"status"`
		Reason  string  `json:"reason"`
		Reader  string  `json:"reader"`
		Diffs   []struct {
			Path      string  `json:"path"`
			File      *string `json:"file"`
			Line      *int    `json:"line"`
			Sensitive bool    `json:"sensitive"`
		} `json:"diffs"`
	} `json:"resources"`
	Errors []json.RawMessage `json:"errors"`
}

// scanAWSPlugin runs driftctl scan on dir, through the plugin for every
// type when all, checks the exit code and returns the JSON report.
func scanAWSPlugin(t *testing.T, dir, cacheDir string, all bool, wantCode int) *awsPluginReport {
	t.Helper()
	jsonPath := filepath.Join(t.TempDir(), "report.json")
	args := []string{"scan", "--no-color", "--cache-dir", cacheDir, "-o", "console", "-o", "json=" + jsonPath}
	if all {
		args = append(args, "--plugin-types", "all")
	}
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	code := run(ctx, append(args, dir), &stdout, &stderr)
	mode := "native types natively"
	if all {
		mode = "--plugin-types all"
	}
	t.Logf("driftctl scan, %s: exit %d in %v\n%s", mode, code, time.Since(start).Round(time.Millisecond), &stdout)
	if code != wantCode {
		t.Fatalf("driftctl scan (all=%v): exit %d, want %d\nstdout:\n%s\nstderr:\n%s", all, code, wantCode, &stdout, &stderr)
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	rep := &awsPluginReport{raw: append(data, append(stdout.Bytes(), stderr.Bytes()...)...)}
	if err := json.Unmarshal(data, rep); err != nil {
		t.Fatalf("reading the JSON report: %v", err)
	}
	if len(rep.Errors) > 0 {
		t.Errorf("all=%v: errors %s", all, rep.Errors)
	}
	return rep
}

// tfStack is the fixture in a directory, with the provider binary in a
// filesystem mirror that terraform init installs it from.
type tfStack struct {
	t        *testing.T
	dir, rc  string
	fixtures string
}

func newTFStack(t *testing.T, bin, version string, major int, endpoint string) *tfStack {
	t.Helper()
	root := t.TempDir()
	s := &tfStack{t: t, dir: filepath.Join(root, "stack"), rc: filepath.Join(root, "tf.rc"), fixtures: awsPluginFixture}
	mirror := filepath.Join(root, "mirror")
	pkg := filepath.Join(mirror, "registry.terraform.io", "hashicorp", "aws", version, runtime.GOOS+"_"+runtime.GOARCH)
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		t.Fatal(err)
	}
	// A hard link where it can (the same file system), else a symbolic
	// one: the binary is hundreds of megabytes.
	if err := os.Link(abs, filepath.Join(pkg, filepath.Base(bin))); err != nil {
		if err := os.Symlink(abs, filepath.Join(pkg, filepath.Base(bin))); err != nil {
			t.Fatal(err)
		}
	}
	rc := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path    = %q\n    include = [\"registry.terraform.io/hashicorp/aws\"]\n  }\n}\n", mirror)
	if err := os.WriteFile(s.rc, []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(s.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s.write("providers.tf", awsPluginProviders(version, major, endpoint))
	s.write("plugin.tf", s.fixture("plugin.tf"))
	s.write("native.tf", s.fixture("native.tf"))
	if major >= 4 {
		s.write("versioning.tf", s.fixture("versioning.tf.v4"))
	}
	return s
}

// awsPluginProviders is the provider block for the provider's major
// version: path-style S3 and the logs endpoint changed names in v4 and
// v5, and v3 asks EC2 for its platforms unless told not to.
func awsPluginProviders(version string, major int, endpoint string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = %q }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
`, version)
	logs := "logs"
	if major < 5 {
		logs = "cloudwatchlogs"
	}
	if major < 4 {
		b.WriteString("  s3_force_path_style         = true\n  skip_get_ec2_platforms      = true\n")
	} else {
		b.WriteString("  s3_use_path_style           = true\n")
	}
	b.WriteString("  endpoints {\n")
	for _, svc := range []string{"dynamodb", "ec2", "iam", "kms", logs, "s3", "sns", "sqs", "ssm", "sts"} {
		fmt.Fprintf(&b, "    %s = %q\n", svc, endpoint)
	}
	b.WriteString("  }\n  default_tags {\n    tags = {\n      Stack = \"awsplugin\"\n    }\n  }\n}\n")
	return b.String()
}

func (s *tfStack) fixture(name string) string {
	s.t.Helper()
	b, err := os.ReadFile(filepath.Join(s.fixtures, name))
	if err != nil {
		s.t.Fatal(err)
	}
	return string(b)
}

func (s *tfStack) write(name, content string) {
	s.t.Helper()
	if err := os.WriteFile(filepath.Join(s.dir, name), []byte(content), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// run runs terraform in the stack and wants the exit code; it returns
// the output.
func (s *tfStack) run(wantCode int, args ...string) string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "terraform", append(args, "-no-color")...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+s.rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		s.t.Fatalf("terraform %s: %v", strings.Join(args, " "), err)
	}
	s.t.Logf("terraform %s: exit %d in %v", strings.Join(args, " "), code, time.Since(start).Round(time.Millisecond))
	if code != wantCode {
		s.t.Fatalf("terraform %s: exit %d, want %d\n%s", strings.Join(args, " "), code, wantCode, out)
	}
	return string(out)
}

// attr is a string attribute of a resource of the root module in the
// state (read from terraform.tfstate: terraform state show takes seconds
// to load the provider's schema).
func (s *tfStack) attr(addr, name string) string {
	s.t.Helper()
	data, err := os.ReadFile(filepath.Join(s.dir, "terraform.tfstate"))
	if err != nil {
		s.t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Module, Mode, Type, Name string
			Instances                []struct {
				Attributes map[string]any `json:"attributes"`
			}
		}
	}
	if err := json.Unmarshal(data, &st); err != nil {
		s.t.Fatal(err)
	}
	for _, r := range st.Resources {
		if r.Module == "" && r.Mode == "managed" && r.Type+"."+r.Name == addr && len(r.Instances) == 1 {
			if v, ok := r.Instances[0].Attributes[name].(string); ok {
				return v
			}
		}
	}
	s.t.Fatalf("the state has no %s.%s", addr, name)
	return ""
}

// planned lists, sorted, the addresses that terraform plan would create,
// update, replace or delete.
func (s *tfStack) planned() []string {
	s.t.Helper()
	out := s.run(2, "plan", "-detailed-exitcode")
	var addrs []string
	for _, m := range regexp.MustCompile(`(?m)^\s+# (\S+) (?:will be (?:updated in-place|created|destroyed)|must be replaced)`).FindAllStringSubmatch(out, -1) {
		addrs = append(addrs, m[1])
	}
	slices.Sort(addrs)
	return addrs
}
