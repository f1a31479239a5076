package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gitdrift/driftctl/providers/aws"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// TestGenImportRoundTrip proves gen-import type by type: for each native
// type that unmanaged discovery lists, resources of the type that no
// configuration declares are seeded in moto (genImportSeeds); gen-import
// writes their configuration; with that file added, a scan that fails on
// unmanaged resources too finds them in sync and exits 0. The
// configuration declares each type by a block of count = 0, which
// declares the type (discovery covers the declared types) and no
// resource. The subtests share one moto, reset between them, one at a
// time.
func TestGenImportRoundTrip(t *testing.T) {
	srv := emulator.Start(t)
	for _, kv := range emulator.Environ(srv.URL(), "us-east-1") {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	cfg := srv.Config("us-east-1")
	clients := seedClients{
		ec2: ec2.NewFromConfig(cfg),
		s3:  s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		iam: iam.NewFromConfig(cfg),
	}
	// Every type the registry can list has a seed.
	f := aws.NewFactory()
	var listable []string
	for _, typ := range f.ResourceTypes() {
		if !f.Schema().Resources[typ].ByInstance {
			listable = append(listable, typ)
		}
		if _, ok := genImportSeeds[typ]; !ok {
			t.Errorf("%s can be listed but genImportSeeds has no seed for it", typ)
		}
	}
	ctx := context.Background()
	for _, typ := range listable {
		t.Run(typ, func(t *testing.T) {
			if err := srv.Reset(ctx); err != nil {
				t.Fatal(err)
			}
			ids, err := genImportSeeds[typ](ctx, clients)
			if err != nil {
				t.Fatalf("seeding: %v", err)
			}
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "main.tf"), fmt.Sprintf("provider \"aws\" {\n  region = \"us-east-1\"\n}\n\nresource %q \"declared\" {\n  count = 0\n}\n", typ))
			generated := filepath.Join(dir, "generated.tf")
			code, _, stderr := runCLI(ctx, "gen-import", "--no-color", dir, "-o", generated)
			if code != exitOK {
				t.Fatalf("gen-import exit code %d:\n%s", code, stderr)
			}
			hcl, err := os.ReadFile(generated)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				if !bytes.Contains(hcl, []byte(fmt.Sprintf("id = %q", id))) {
					t.Errorf("no import block of %s in:\n%s", id, hcl)
				}
			}
			report := filepath.Join(t.TempDir(), "report.json")
			code, stdout, stderr := runCLI(ctx, "scan", "--no-color", dir, "--fail-on", "drifted,missing,unmanaged,unknown", "-o", "console", "-o", "json="+report)
			if code != exitOK {
				t.Errorf("the scan with the generated file exits %d, want 0:\n%s%s\ngenerated:\n%s", code, stdout, stderr, hcl)
			}
			statuses := reportStatuses(t, report)
			for _, id := range ids {
				if statuses[typ+" "+id] != "in_sync" {
					t.Errorf("%s %s is %q after the round trip, want in_sync", typ, id, statuses[typ+" "+id])
				}
			}
			t.Run("terraform fmt", func(t *testing.T) { terraformFmtCheck(t, generated) })
		})
	}
}

// runCLI runs driftctl in the test's process and returns its exit code,
// stdout and stderr.
func runCLI(ctx context.Context, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// reportStatuses reads a JSON report's statuses by "TYPE ID".
func reportStatuses(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Resources []struct {
			Type   string `json:"type"`
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("reading the JSON report: %v", err)
	}
	out := map[string]string{}
	for _, r := range rep.Resources {
		out[r.Type+" "+r.ID] = r.Status
	}
	return out
}

// terraformFmtCheck checks a generated file with `terraform fmt -check`,
// a check for developers' machines: CI has no terraform, so it skips
// without it whatever CI says.
func terraformFmtCheck(t *testing.T, path string) {
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform is not on PATH (a developer-machine check, skipped in CI too): install Terraform 1.11 to run it")
	}
	cmd := exec.Command(tf, "fmt", "-check", "-diff", "-no-color", filepath.Base(path))
	cmd.Dir = filepath.Dir(path)
	// terraform fmt reads no configuration of the user's.
	cmd.Env = append(slices.Clone(os.Environ()), "TF_CLI_CONFIG_FILE="+os.DevNull)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("terraform fmt -check %s: %v\n%s", path, err, out)
	}
}
