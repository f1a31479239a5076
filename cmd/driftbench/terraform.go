package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// awsPackage is the terraform-provider-aws package a filesystem mirror
// (--plugin-dir, the layout `terraform providers mirror` writes, unpacked)
// holds: the binary driftctl's plugin mode and terraform both run.
type awsPackage struct {
	mirror  string
	version string
	major   int
}

// findAWSPackage finds the one version of hashicorp/aws for this platform
// in the mirror; several would leave which one a mode ran to chance.
func findAWSPackage(mirror string) (*awsPackage, error) {
	abs, err := filepath.Abs(mirror)
	if err != nil {
		return nil, err
	}
	platform := runtime.GOOS + "_" + runtime.GOARCH
	dirs, _ := filepath.Glob(filepath.Join(abs, "registry.terraform.io", "hashicorp", "aws", "*", platform))
	var versions []string
	for _, d := range dirs {
		if bins, _ := filepath.Glob(filepath.Join(d, "terraform-provider-aws_v*")); len(bins) == 1 {
			versions = append(versions, filepath.Base(filepath.Dir(d)))
		}
	}
	if len(versions) != 1 {
		return nil, fmt.Errorf("--plugin-dir %s: want one unpacked registry.terraform.io/hashicorp/aws/VERSION/%s/terraform-provider-aws_v* (a filesystem mirror), found %d %v",
			mirror, platform, len(versions), versions)
	}
	major, err := strconv.Atoi(strings.SplitN(versions[0], ".", 2)[0])
	if err != nil {
		return nil, fmt.Errorf("--plugin-dir %s: version %q: %w", mirror, versions[0], err)
	}
	return &awsPackage{mirror: abs, version: versions[0], major: major}, nil
}

// providerBlock is the configuration's terraform and provider blocks for
// the package: the exact version, static keys, no account lookup, and
// every service the 12 types call (and STS) at endpoint, with path-style
// S3. Option names changed in v4 (s3_force_path_style became
// s3_use_path_style); v3 asks EC2 for its platforms unless told not to
// (as cmd/driftctl's TestAWSProviderPlugin found).
func providerBlock(p *awsPackage, endpoint string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = %q }
  }
}

provider "aws" {
  region                      = %q
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
`, p.version, region)
	if p.major < 4 {
		b.WriteString("  s3_force_path_style         = true\n  skip_get_ec2_platforms      = true\n")
	} else {
		b.WriteString("  s3_use_path_style           = true\n")
	}
	b.WriteString("  endpoints {\n")
	for _, svc := range []string{"ec2", "iam", "s3", "sts"} {
		fmt.Fprintf(&b, "    %-3s = %q\n", svc, endpoint)
	}
	b.WriteString("  }\n}\n")
	return b.String()
}

// scanEnviron is the environment of every scan (driftctl's child,
// terraform and the provider under either): the emulator's endpoint and
// keys, and nothing of the user's that would change what runs (a
// profile, TF_LOG, a plugin cache, CLI arguments). An empty AWS_PROFILE
// would be a profile named "" to the SDKs: it is removed, not emptied.
func scanEnviron(endpoint, cliConfig string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "AWS_PROFILE" || k == "AWS_DEFAULT_PROFILE" || strings.HasPrefix(k, "TF_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
		"TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	if cliConfig != "" {
		env = append(env, "TF_CLI_CONFIG_FILE="+cliConfig)
	}
	return append(env, emulator.Environ(endpoint, region)...)
}

// tfStack runs terraform in the generated stack, installing the provider
// from the mirror only.
type tfStack struct {
	dir string
	env []string
}

// newTFStack writes a CLI configuration (in work, outside the stack)
// whose only installation method for hashicorp/aws is the mirror.
func newTFStack(dir, work string, p *awsPackage, endpoint string) (*tfStack, error) {
	if _, err := exec.LookPath("terraform"); err != nil {
		return nil, fmt.Errorf("the terraform mode needs terraform on PATH: %w", err)
	}
	rc := filepath.Join(work, "terraform.rc")
	cfg := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path    = %q\n    include = [\"registry.terraform.io/hashicorp/aws\"]\n  }\n}\n", p.mirror)
	if err := os.WriteFile(rc, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	return &tfStack{dir: dir, env: scanEnviron(endpoint, rc)}, nil
}

// run runs an untimed terraform command and returns its standard output.
func (s *tfStack) run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "terraform", args...)
	cmd.Dir, cmd.Env = s.dir, s.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("terraform %s: %w\n%s%s", strings.Join(args, " "), err, tail(stdout.String(), 4000), tail(stderr.String(), 4000))
	}
	return stdout.Bytes(), nil
}

// tail is the end of s, at most n bytes.
func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// procRun is how one measured process ran.
type procRun struct {
	Wall time.Duration
	Tree treeUsage
	// CPU is the user and system time of the process and of the
	// children it waited for (the provider).
	CPU time.Duration
	// EmulatorCPU and BenchCPU are what moto and this process (the
	// proxies) spent meanwhile: the cloud's side of the run.
	EmulatorCPU, BenchCPU time.Duration
}

// cpuMeter reads the CPU time of moto and of this process.
type cpuMeter struct{ moto int }

func (m cpuMeter) now() (moto, self time.Duration) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if m.moto > 0 {
		moto = cpuTime(m.moto)
	}
	return moto, self
}

// since records in r what moto and this process spent since now()
// returned moto0 and self0.
func (m cpuMeter) since(r *procRun, moto0, self0 time.Duration) {
	moto, self := m.now()
	r.EmulatorCPU, r.BenchCPU = moto-moto0, self-self0
}

// measure runs cmd, timing it from start to exit and sampling its
// process tree's memory every 50 ms.
func measure(cmd *exec.Cmd) (procRun, error) {
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return procRun{}, err
	}
	stop := sampleTree(cmd.Process.Pid, 50*time.Millisecond)
	err := cmd.Wait()
	r := procRun{Wall: time.Since(start)}
	r.Tree = stop()
	if cmd.ProcessState != nil {
		r.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	return r, err
}

// planArgs is a measured terraform command: terraform plan
// -refresh-only, Terraform's refresh of every resource in the state
// (UpgradeResourceState and ReadResource), or, when not refreshOnly, a
// whole plan, which also plans each against its configuration
// (PlanResourceChange), the calls a driftctl plugin scan makes; without
// the state lock (driftctl takes none), at the parallelism given
// (terraform's own default is 10), saving the plan to planFile (part of
// the measured run; reading it is not).
func planArgs(refreshOnly bool, parallelism int, planFile string) []string {
	args := []string{"plan", "-lock=false", "-input=false", "-no-color",
		"-parallelism=" + strconv.Itoa(parallelism), "-out=" + planFile}
	if refreshOnly {
		args = append(args[:1], append([]string{"-refresh-only"}, args[1:]...)...)
	}
	return args
}

// timedPlan runs terraform with args, measured.
func (s *tfStack) timedPlan(ctx context.Context, args []string) (procRun, error) {
	cmd := exec.CommandContext(ctx, "terraform", args...)
	cmd.Dir, cmd.Env = s.dir, s.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	r, err := measure(cmd)
	if err != nil {
		return r, fmt.Errorf("terraform %s: %w\n%s", strings.Join(args, " "), err, tail(out.String(), 4000))
	}
	return r, nil
}

// planChanges are the addresses a saved plan says differ from the cloud.
type planChanges struct {
	Drifted, Missing []string
}

// changes reads a saved plan (terraform show -json, untimed): of a
// refresh-only plan, its resource_drift (what the refresh found changed
// since the state: an update is drifted, a delete missing); of a normal
// plan, its resource_changes (an update or a replacement is drifted, a
// create missing).
func (s *tfStack) changes(ctx context.Context, planFile string, refreshOnly bool) (planChanges, error) {
	out, err := s.run(ctx, "show", "-json", "-no-color", planFile)
	if err != nil {
		return planChanges{}, err
	}
	var plan struct {
		Drift   []tfChange `json:"resource_drift"`
		Changes []tfChange `json:"resource_changes"`
	}
	if err := json.Unmarshal(out, &plan); err != nil {
		return planChanges{}, fmt.Errorf("reading the plan's JSON: %w", err)
	}
	list := plan.Changes
	if refreshOnly {
		list = plan.Drift
	}
	var c planChanges
	for _, rc := range list {
		a := rc.Change.Actions
		switch {
		case slices.Equal(a, []string{"update"}), len(a) == 2:
			c.Drifted = append(c.Drifted, rc.Address)
		case slices.Equal(a, []string{"delete"}), slices.Equal(a, []string{"create"}):
			c.Missing = append(c.Missing, rc.Address)
		}
	}
	slices.Sort(c.Drifted)
	slices.Sort(c.Missing)
	return c, nil
}

type tfChange struct {
	Address string `json:"address"`
	Change  struct {
		Actions []string `json:"actions"`
	} `json:"change"`
}
