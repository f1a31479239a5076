package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// TestRealTerraformModulesNotFetched: a scan of fixtures/modules_realtf,
// whose .terraform/modules was written by real `terraform init`, reads
// every module from the repository and from .terraform/modules and fetches
// nothing: the --cache-dir stays empty, even though the Git module's
// source (git::file:///tmp/realtf/mods.git) could not be fetched here.
// moto is empty, so the state's resources are missing (or unknown, for
// types driftctl does not read yet); what matters is that each is reported
// at its module address, none in a module left unread.
func TestRealTerraformModulesNotFetched(t *testing.T) {
	if _, err := exec.LookPath("moto_server"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(`moto_server is required in CI: pip install "moto[server]"`)
		}
		t.Skip(`moto_server is not installed: pip install "moto[server]"`)
	}
	srv, err := emulator.Launch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}

	// A copy, with the fixture's moto endpoint replaced by this test's
	// (see the fixture's README).
	dir := filepath.Join(t.TempDir(), "modules_realtf")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "fixtures", "modules_realtf"))); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"providers.tf", "terraform.tfstate"} {
		p := filepath.Join(dir, name)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, bytes.ReplaceAll(b, []byte("127.0.0.1:45173"), []byte(u.Host)), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	cache := t.TempDir()
	report := filepath.Join(t.TempDir(), "report.json")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"scan", "--no-color", "--unmanaged", "none", "--cache-dir", cache,
		"--state", filepath.Join(dir, "terraform.tfstate"), "-o", "json=" + report, dir}, &stdout, &stderr)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (the resources are missing)\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	if strings.Contains(stderr.String(), "fetch") {
		t.Errorf("stderr mentions a fetch:\n%s", stderr.String())
	}
	if entries, err := os.ReadDir(cache); err != nil || len(entries) != 0 {
		t.Errorf("--cache-dir holds %v (%v); nothing should have been fetched", entries, err)
	}

	var doc struct {
		Resources []struct {
			Address, Status, Region, Reason string
		}
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, r := range doc.Resources {
		status[r.Address] = r.Status + " " + r.Region
		// An unread module's resources would be unknown "(it is in
		// module.X ..., which is not read: ...)".
		if strings.Contains(r.Reason, "is not read") {
			t.Errorf("%s: %s", r.Address, r.Reason)
		}
	}
	for addr, want := range map[string]string{
		// Types driftctl has no reader for yet: unknown, but at their
		// address, in the region of the provider passed to the module.
		"module.audit_logs.aws_cloudwatch_log_group.this":  "unknown us-west-2",
		"module.audit_logs.aws_sns_topic.alerts":           "unknown us-west-2",
		"module.buckets[1].aws_s3_bucket.this":             "missing us-east-1",
		"module.network.module.sg.aws_security_group.this": "missing us-east-1",
		`module.network.aws_subnet.private["us-east-1b"]`:  "missing us-east-1",
		`module.svc["worker"].aws_iam_role.this`:           "missing global",
	} {
		if got := status[addr]; got != want {
			t.Errorf("%s: %q, want %q", addr, got, want)
		}
	}
	if t.Failed() {
		t.Logf("report: %v", status)
	}
}
