package main

import (
	"fmt"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCheckNumbers(t *testing.T) {
	t.Parallel()
	good := options{concurrency: 32, repeat: 3, workers: 16, perFile: 1000, latency: 10 * time.Millisecond}
	if err := good.checkNumbers(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	tests := []struct {
		name string
		set  func(*options)
		want string
	}{
		{"concurrency 0", func(o *options) { o.concurrency = 0 }, "-concurrency 0: expected 1 or more"},
		{"repeat -1", func(o *options) { o.repeat = -1 }, "-repeat -1: expected 1 or more"},
		{"seed-workers 0", func(o *options) { o.workers = 0 }, "-seed-workers 0: expected 1 or more"},
		{"per-file 0", func(o *options) { o.perFile = 0 }, "-per-file 0: expected 1 or more"},
		{"parallelism -5", func(o *options) { o.parallelism = -5 }, "-parallelism -5: expected 0 or more"},
		{"api-rate -1", func(o *options) { o.apiRate = -1 }, "-api-rate -1: expected"},
		{"api-rate NaN", func(o *options) { o.apiRate = math.NaN() }, "-api-rate NaN: expected"},
		{"latency -1s", func(o *options) { o.latency = -time.Second }, "-latency -1s: expected 0 or more"},
	}
	for _, tt := range tests {
		o := good
		tt.set(&o)
		if err := o.checkNumbers(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestParseModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		modes, pluginPar string
		want             string // the modes' String, or the error's start
	}{
		{"native", "10", "[native/32]"},
		{"native,plugin,terraform", "10", "[native/32 plugin/10 terraform/10]"},
		{"plugin,terraform", "10,32", "[plugin/10 plugin/32 terraform/10]"},
		{"terraform-plan,plugin", "10", "[terraform-plan/10 plugin/10]"},
		{"native,native", "10", "--modes \"native,native\": native twice"},
		{"plan", "10", "--modes \"plan\": the modes are"},
		{"plugin", "0", "--plugin-parallelism \"0\": expected"},
	}
	for _, tt := range tests {
		ms, err := parseModes(tt.modes, tt.pluginPar, 10, 0)
		got := fmt.Sprint(ms)
		if err != nil {
			got = err.Error()
		}
		if !strings.HasPrefix(got, tt.want) {
			t.Errorf("parseModes(%q, %q) = %s, want %s", tt.modes, tt.pluginPar, got, tt.want)
		}
	}
}

func TestFindAWSPackage(t *testing.T) {
	t.Parallel()
	mirror := t.TempDir()
	pkg := func(version string) {
		dir := filepath.Join(mirror, "registry.terraform.io", "hashicorp", "aws", version, runtime.GOOS+"_"+runtime.GOARCH)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "terraform-provider-aws_v"+version+"_x5"), nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := findAWSPackage(mirror); err == nil || !strings.Contains(err.Error(), "found 0") {
		t.Errorf("an empty mirror: %v, want found 0", err)
	}
	pkg("5.100.0")
	p, err := findAWSPackage(mirror)
	if err != nil || p.version != "5.100.0" || p.major != 5 {
		t.Fatalf("findAWSPackage = %+v, %v; want 5.100.0", p, err)
	}
	block := providerBlock(p, "http://127.0.0.1:1")
	for _, want := range []string{`version = "5.100.0"`, "s3_use_path_style", `ec2 = "http://127.0.0.1:1"`, `sts = "http://127.0.0.1:1"`} {
		if !strings.Contains(block, want) {
			t.Errorf("the provider block lacks %s:\n%s", want, block)
		}
	}
	pkg("3.49.0")
	if _, err := findAWSPackage(mirror); err == nil || !strings.Contains(err.Error(), "found 2") {
		t.Errorf("two versions: %v, want found 2", err)
	}
}

func TestExpectedThroughProvider(t *testing.T) {
	t.Parallel()
	l := newLayout(200)
	want := expectedOf(l)
	v5 := want.throughProvider(5)
	if v5.Unmanaged != nil || !slices.Equal(v5.Missing, want.Missing) || !slices.Equal(v5.Drifted, want.Drifted) {
		t.Errorf("v5: %+v, want %+v without unmanaged", v5, want)
	}
	v3 := want.throughProvider(3)
	for _, a := range want.Missing {
		isPolicy := strings.HasPrefix(a, "aws_s3_bucket_policy.")
		if slices.Contains(v3.Drifted, a) != isPolicy || slices.Contains(v3.Missing, a) == isPolicy {
			t.Errorf("v3: %s drifted %v, missing %v", a, slices.Contains(v3.Drifted, a), slices.Contains(v3.Missing, a))
		}
	}
	refresh := refreshOnlyExpected(l, v5, 5)
	for _, a := range []string{"aws_s3_bucket.b4", "aws_s3_bucket.b9"} { // policy deleted, versioning suspended
		if !slices.Contains(refresh.Drifted, a) {
			t.Errorf("refresh-only with v5: %s is not drifted", a)
		}
	}
}

func TestS3Subresource(t *testing.T) {
	t.Parallel()
	for q, want := range map[string]string{"cors": "GetBucketCors", "lifecycle": "GetBucketLifecycleConfiguration", "prefix=a": "ListObjects"} {
		v, _ := url.ParseQuery(q)
		if got := s3Subresource(v, "ListObjects"); got != want {
			t.Errorf("?%s: %s, want %s", q, got, want)
		}
	}
	if got := s3Subresource(url.Values{"cors": nil}, "GetBucketTagging"); got != "GetBucketTagging" {
		t.Errorf("a named operation became %s", got)
	}
}

func TestSampleTree(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	t.Parallel()
	cmd := exec.Command("sleep", "0.3")
	pr, err := measure(cmd)
	if err != nil {
		t.Fatal(err)
	}
	if pr.Tree.Peak <= 0 || pr.Tree.SumHWM < pr.Tree.Peak || pr.Tree.Commands["sleep"] != 1 || pr.Wall < 300*time.Millisecond {
		t.Errorf("measure(sleep 0.3) = %+v", pr)
	}
}

func TestPlanArgs(t *testing.T) {
	t.Parallel()
	if got, want := strings.Join(planArgs(true, 10, "p"), " "), "plan -refresh-only -lock=false -input=false -no-color -parallelism=10 -out=p"; got != want {
		t.Errorf("refresh-only: %s, want %s", got, want)
	}
	if got, want := strings.Join(planArgs(false, 4, "p"), " "), "plan -lock=false -input=false -no-color -parallelism=4 -out=p"; got != want {
		t.Errorf("plan: %s, want %s", got, want)
	}
}
