package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// realTFFixture is the module tree that real Terraform 1.11 and
// terraform-provider-aws v3.49.0 applied against moto (its README.md says
// how). go:embed would skip its .terraform directory, so it is read from
// the repository.
const realTFFixture = "../../fixtures/modules_realtf"

// realTFEndpoint is the moto host:port the fixture was applied against; it
// is in providers.tf (every endpoint) and in terraform.tfstate (the SQS
// queue URLs moto built from it).
const realTFEndpoint = "127.0.0.1:45173"

// realTFResource is what a scan must say about one address of the
// fixture's `terraform state list`.
type realTFResource struct {
	typ, id, provider, region, status string
}

// realTFState is `terraform state list` of the fixture (README.md) with
// the IDs the state holds; PORT stands for the test's moto port. Types
// driftctl has no reader for are unknown, the others in sync.
var realTFState = map[string]realTFResource{
	`module.audit_logs.aws_cloudwatch_log_group.this`:  {"aws_cloudwatch_log_group", "/platform/platform-prod/audit", "aws.west", "us-west-2", "unknown"},
	`module.audit_logs.aws_sns_topic.alerts`:           {"aws_sns_topic", "arn:aws:sns:us-west-2:123456789012:platform-prod-audit-alerts", "aws.west", "us-west-2", "unknown"},
	`module.buckets[0].aws_s3_bucket.this`:             {"aws_s3_bucket", "platform-prod-data-0", "aws", "us-east-1", "in_sync"},
	`module.buckets[1].aws_s3_bucket.this`:             {"aws_s3_bucket", "platform-prod-data-1", "aws", "us-east-1", "in_sync"},
	`module.network.aws_subnet.private["us-east-1a"]`:  {"aws_subnet", "subnet-f7d97f6179858c7ea", "aws", "us-east-1", "in_sync"},
	`module.network.aws_subnet.private["us-east-1b"]`:  {"aws_subnet", "subnet-01d932b451045c422", "aws", "us-east-1", "in_sync"},
	`module.network.aws_vpc.this`:                      {"aws_vpc", "vpc-192a0188283d9f258", "aws", "us-east-1", "in_sync"},
	`module.svc["api"].aws_iam_role.this`:              {"aws_iam_role", "prod-api-task", "aws", "global", "in_sync"},
	`module.svc["api"].aws_iam_role_policy.network`:    {"aws_iam_role_policy", "prod-api-task:network", "aws", "us-east-1", "unknown"},
	`module.svc["api"].aws_sqs_queue.this`:             {"aws_sqs_queue", "http://127.0.0.1:PORT/123456789012/prod-api-jobs", "aws", "us-east-1", "unknown"},
	`module.svc["worker"].aws_iam_role.this`:           {"aws_iam_role", "prod-worker-task", "aws", "global", "in_sync"},
	`module.svc["worker"].aws_iam_role_policy.network`: {"aws_iam_role_policy", "prod-worker-task:network", "aws", "us-east-1", "unknown"},
	`module.svc["worker"].aws_sqs_queue.this`:          {"aws_sqs_queue", "http://127.0.0.1:PORT/123456789012/prod-worker-jobs", "aws", "us-east-1", "unknown"},
	`module.network.module.sg.aws_security_group.this`: {"aws_security_group", "sg-916c87ac5bbf13907", "aws", "us-east-1", "in_sync"},
}

// realTFReport is the part of the JSON report (report/json.go, schema
// version 1) the test reads.
type realTFReport struct {
	Summary   map[string]float64 `json:"summary"`
	Resources []struct {
		Address     *string      `json:"address"`
		Type        string       `json:"type"`
		ID          string       `json:"id"`
		Provider    string       `json:"provider"`
		Region      string       `json:"region"`
		Status      string       `json:"status"`
		Reason      string       `json:"reason"`
		Unsupported bool         `json:"unsupported"`
		Diffs       []realTFDiff `json:"diffs"`
	} `json:"resources"`
	Errors   []json.RawMessage `json:"errors"`
	Withheld []json.RawMessage `json:"withheld_unmanaged"`
}

// realTFDiff is one diff of the JSON report.
type realTFDiff struct {
	Path string  `json:"path"`
	Want any     `json:"want"`
	Got  any     `json:"got"`
	File *string `json:"file"`
	Line *int    `json:"line"`
}

func (d realTFDiff) String() string {
	file, line := "<nil>", 0
	if d.File != nil {
		file = *d.File
	}
	if d.Line != nil {
		line = *d.Line
	}
	return fmt.Sprintf("%s: %#v -> %#v at %s:%d", d.Path, d.Want, d.Got, file, line)
}

// TestRealTerraformModuleTree scans fixtures/modules_realtf, a module tree
// (nested module, count, for_each, a Git module behind an aliased provider,
// a moved block) whose state real Terraform wrote, against a moto into
// which the recording of that apply is replayed: the live resources have
// the state's IDs. Everything is in sync; then the three hand changes of
// HANDCHANGES.md are drift at their module addresses and module lines,
// as `terraform plan -refresh-only` found them.
func TestRealTerraformModuleTree(t *testing.T) {
	awsCLI := needAWSCLI(t)
	// The recording replays into the IDs of the state only in a moto started
	// as the recording one was: MOTO_IAM_LOAD_MANAGED_POLICIES=true (loading
	// the managed policies draws from the seeded generator). The emulator
	// passes its environment on to moto_server. MOTO_RECORDER_FILEPATH is
	// where moto keeps the uploaded recording.
	t.Setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
	t.Setenv("MOTO_RECORDER_FILEPATH", filepath.Join(t.TempDir(), "recording.jsonl"))
	// driftctl must reach moto through the endpoints of providers.tf, as
	// Terraform did, and never a real account.
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	srv := emulator.Start(t)
	replayRecording(t, srv.URL(), filepath.Join(realTFFixture, "moto-recording.jsonl"))

	u, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	dir := copyRealTFFixture(t, u.Host)
	checkStateList(t, filepath.Join(dir, "terraform.tfstate"))
	want := map[string]realTFResource{}
	for addr, r := range realTFState {
		r.id = strings.ReplaceAll(r.id, "127.0.0.1:PORT", u.Host)
		want[addr] = r
	}

	// 1. As applied: every address in sync or unknown, no drift, nothing
	// missing or unmanaged. moto made a default VPC in us-east-1 and default
	// security groups (README.md, "Recreating the live resources"); the
	// cloud made them, so driftctl does not list them as unmanaged
	// (CloudManaged in providers/aws/vpc.go and security_group.go).
	defaults := runAWSCLI(t, awsCLI, srv.URL(), "ec2", "describe-security-groups", "--filters", "Name=group-name,Values=default",
		"--query", "SecurityGroups[].GroupId", "--output", "text")
	for _, id := range []string{"sg-b2a3784f225d10d1d", "sg-5666884c73be0b89b"} {
		if !strings.Contains(defaults, id) {
			t.Fatalf("moto has no default security group %s after the replay (it has %q): the replay did not recreate the cloud of README.md", id, defaults)
		}
	}
	rep := scanRealTF(t, dir, exitOK)
	checkSummary(t, rep, map[string]float64{"total": 14, "in_sync": 8, "drifted": 0, "missing": 0, "unmanaged": 0, "ignored": 0, "unknown": 6})
	checkResources(t, rep, want, nil, nil)

	// 2. The hand changes of HANDCHANGES.md, with its commands.
	for _, args := range [][]string{
		{"ec2", "create-tags", "--resources", "sg-916c87ac5bbf13907", "--tags", "Key=Owner,Value=alice"},
		{"ec2", "authorize-security-group-ingress", "--group-id", "sg-916c87ac5bbf13907", "--ip-permissions", "IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=0.0.0.0/0,Description=debug ssh}]"},
		{"s3api", "put-bucket-versioning", "--bucket", "platform-prod-data-1", "--versioning-configuration", "Status=Suspended"},
	} {
		runAWSCLI(t, awsCLI, srv.URL(), args...)
	}
	rep = scanRealTF(t, dir, exitDrift)
	checkSummary(t, rep, map[string]float64{"total": 14, "in_sync": 6, "drifted": 2, "missing": 0, "unmanaged": 0, "ignored": 0, "unknown": 6})
	for _, addr := range []string{`module.buckets[1].aws_s3_bucket.this`, `module.network.module.sg.aws_security_group.this`} {
		r := want[addr]
		r.status = "drifted"
		want[addr] = r
	}
	// File names are the module's files joined to the directory scanned, as
	// given (config/files.go). The added rule is the element that terraform
	// plan -refresh-only showed (HANDCHANGES.md), at the dynamic "ingress"
	// block that makes the declared ones; the tag at the module's tags
	// argument. tags_all, which Terraform also shows, is the provider's
	// merge of the same tag and not a separate difference.
	var ingress any
	if err := json.Unmarshal([]byte(`{"cidr_blocks": ["0.0.0.0/0"], "description": "debug ssh", "from_port": 22, "ipv6_cidr_blocks": [], "prefix_list_ids": [], "protocol": "tcp", "security_groups": [], "self": false, "to_port": 22}`), &ingress); err != nil {
		t.Fatal(err)
	}
	diffs := map[string][]realTFDiff{
		`module.buckets[1].aws_s3_bucket.this`: {
			{Path: "versioning[0].enabled", Want: true, Got: false, File: ptr(filepath.Join(dir, "modules/bucket/main.tf")), Line: ptr(34)},
		},
		`module.network.module.sg.aws_security_group.this`: {
			{Path: "ingress", Want: nil, Got: ingress, File: ptr(filepath.Join(dir, "modules/sg/main.tf")), Line: ptr(22)},
			{Path: "tags.Owner", Want: nil, Got: "alice", File: ptr(filepath.Join(dir, "modules/sg/main.tf")), Line: ptr(40)},
		},
	}
	checkResources(t, rep, want, diffs, nil)

	// 3. A control for "0 unmanaged" above: resources of declared types made
	// by hand, in the fixture's VPC, are listed; the defaults still are not.
	runAWSCLI(t, awsCLI, srv.URL(), "s3api", "create-bucket", "--bucket", "platform-prod-by-hand")
	sg := runAWSCLI(t, awsCLI, srv.URL(), "ec2", "create-security-group", "--group-name", "by-hand", "--description", "by hand",
		"--vpc-id", "vpc-192a0188283d9f258", "--query", "GroupId", "--output", "text")
	rep = scanRealTF(t, dir, exitDrift)
	checkSummary(t, rep, map[string]float64{"total": 16, "in_sync": 6, "drifted": 2, "missing": 0, "unmanaged": 2, "ignored": 0, "unknown": 6})
	checkResources(t, rep, want, diffs, map[string]string{"aws_s3_bucket": "platform-prod-by-hand", "aws_security_group": sg})
}

func ptr[T any](v T) *T { return &v }

// needAWSCLI finds the AWS CLI, which makes the hand changes: it skips the
// test locally when absent and fails it in CI.
func needAWSCLI(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("aws")
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("the AWS CLI is required in CI: pip install awscli")
	}
	t.Skip("the AWS CLI is not installed: pip install awscli")
	return ""
}

// replayRecording recreates the fixture's live resources in a fresh moto
// as README.md describes: seed moto's random generator first, upload the
// recording, replay it.
func replayRecording(t *testing.T, base, recording string) {
	t.Helper()
	data, err := os.ReadFile(recording)
	if err != nil {
		t.Fatal(err)
	}
	// The replay (every request of two applies) is synchronous: seconds.
	client := &http.Client{Timeout: 2 * time.Minute}
	post := func(path, contentType string, body []byte) {
		t.Helper()
		resp, err := client.Post(base+path, contentType, bytes.NewReader(body))
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		defer resp.Body.Close()
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %s: %s", path, resp.Status, msg)
		}
	}
	post("/moto-api/seed?a=42", "", nil)
	// moto quirk: with a form Content-Type (curl's default) moto stores an
	// empty recording and the replay silently does nothing.
	post("/moto-api/recorder/upload-recording", "application/octet-stream", data)
	post("/moto-api/recorder/replay-recording", "", nil)
}

// copyRealTFFixture copies the fixture, .terraform included, into a
// temporary directory and points it at hostPort in place of the moto it
// was applied against.
func copyRealTFFixture(t *testing.T, hostPort string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(realTFFixture, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(realTFFixture, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if rel == "moto-recording.jsonl" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if rel == "providers.tf" || rel == "terraform.tfstate" {
			if !bytes.Contains(data, []byte(realTFEndpoint)) {
				return fmt.Errorf("%s does not name %s", rel, realTFEndpoint)
			}
			data = bytes.ReplaceAll(data, []byte(realTFEndpoint), []byte(hostPort))
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatalf("copying the fixture: %v", err)
	}
	return dst
}

// checkStateList checks that realTFState is the state's `terraform state
// list`: the test's expectations cover every instance Terraform recorded.
func checkStateList(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Module, Mode, Type, Name string
			Instances                []struct {
				IndexKey any `json:"index_key"`
			}
		}
	}
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range st.Resources {
		if r.Mode != "managed" {
			continue
		}
		prefix := r.Type + "." + r.Name
		if r.Module != "" {
			prefix = r.Module + "." + prefix
		}
		for _, in := range r.Instances {
			switch k := in.IndexKey.(type) {
			case nil:
				got = append(got, prefix)
			case string:
				got = append(got, fmt.Sprintf("%s[%q]", prefix, k))
			case float64:
				got = append(got, fmt.Sprintf("%s[%d]", prefix, int(k)))
			}
		}
	}
	var want []string
	for addr := range realTFState {
		want = append(want, addr)
	}
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("terraform state list of the fixture:\n%s\nthe test expects:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// runAWSCLI runs the AWS CLI against moto and returns its output, trimmed.
func runAWSCLI(t *testing.T, bin, endpoint string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--endpoint-url", endpoint}, args...)...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_PAGER=",
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// scanRealTF runs driftctl scan on dir (its terraform.tfstate beside the
// configuration), checks the exit code and returns the JSON report.
func scanRealTF(t *testing.T, dir string, wantCode int) *realTFReport {
	t.Helper()
	jsonPath := filepath.Join(t.TempDir(), "report.json")
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := run(ctx, []string{"scan", "--no-color", "--cache-dir", t.TempDir(), "-o", "console", "-o", "json=" + jsonPath, dir}, &stdout, &stderr)
	if code != wantCode {
		t.Fatalf("driftctl scan: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, wantCode, &stdout, &stderr)
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var rep realTFReport
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("reading the JSON report: %v", err)
	}
	if len(rep.Errors) > 0 || len(rep.Withheld) > 0 {
		t.Errorf("errors %s, withheld_unmanaged %s; want none\nstdout:\n%s", rep.Errors, rep.Withheld, &stdout)
	}
	t.Logf("driftctl scan, exit %d:\n%s", code, &stdout)
	return &rep
}

// checkSummary compares the report's summary counts (not coverage).
func checkSummary(t *testing.T, rep *realTFReport, want map[string]float64) {
	t.Helper()
	for k, v := range want {
		if rep.Summary[k] != v {
			t.Errorf("summary %s = %v, want %v (summary %v)", k, rep.Summary[k], v, rep.Summary)
		}
	}
}

// checkResources checks that the report lists exactly the addresses of
// want, each once, as want says, with exactly the diffs of diffs (none
// where diffs has no entry), and exactly the unmanaged resources of
// unmanaged (type => ID), in us-east-1.
func checkResources(t *testing.T, rep *realTFReport, want map[string]realTFResource, diffs map[string][]realTFDiff, unmanaged map[string]string) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range rep.Resources {
		if r.Address == nil {
			if id, ok := unmanaged[r.Type]; !ok || r.ID != id || r.Status != "unmanaged" || r.Region != "us-east-1" || seen[r.Type] {
				t.Errorf("%s %s %s in %s: the configuration declares it or moto made it", r.Status, r.Type, r.ID, r.Region)
			}
			seen[r.Type] = true
			continue
		}
		addr := *r.Address
		w, ok := want[addr]
		if !ok {
			t.Errorf("%s (%s %s): not in terraform state list", addr, r.Type, r.ID)
			continue
		}
		if seen[addr] {
			t.Errorf("%s: listed twice", addr)
		}
		seen[addr] = true
		got := realTFResource{r.Type, r.ID, r.Provider, r.Region, r.Status}
		if got != w {
			t.Errorf("%s: got %+v, want %+v", addr, got, w)
		}
		if w.status == "unknown" {
			if reason := "no reader for " + w.typ; !r.Unsupported || !strings.HasPrefix(r.Reason, reason) {
				t.Errorf("%s: reason %q (unsupported %v), want %q...", addr, r.Reason, r.Unsupported, reason)
			}
		}
		gotDiffs := append([]realTFDiff(nil), r.Diffs...)
		sort.Slice(gotDiffs, func(i, j int) bool { return gotDiffs[i].Path < gotDiffs[j].Path })
		wantDiffs := diffs[addr]
		if len(gotDiffs) != len(wantDiffs) {
			t.Errorf("%s: diffs %v, want %v", addr, gotDiffs, wantDiffs)
			continue
		}
		for i := range wantDiffs {
			if !reflect.DeepEqual(gotDiffs[i], wantDiffs[i]) {
				t.Errorf("%s: diff %v, want %v", addr, gotDiffs[i], wantDiffs[i])
			}
		}
	}
	for addr := range want {
		if !seen[addr] {
			t.Errorf("%s: not in the report", addr)
		}
	}
	for typ, id := range unmanaged {
		if !seen[typ] {
			t.Errorf("unmanaged %s %s: not in the report", typ, id)
		}
	}
}
