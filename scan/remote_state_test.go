package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/go-git/go-git/v5"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// remoteStateJSON is a state (format 4) of another configuration whose
// root outputs are name (its value given) and secret (sensitive).
func remoteStateJSON(name, secret string) []byte {
	return fmt.Appendf(nil, `{"version": 4, "terraform_version": "1.11.0", "serial": 3, "lineage": "net",
  "outputs": {
    "name":   {"value": %q, "type": "string"},
    "secret": {"value": %q, "type": "string", "sensitive": true}
  },
  "resources": []}`, name, secret)
}

// writeFile writes data at dir/rel, making its directories.
func writeFile(t *testing.T, dir, rel string, data []byte) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRemoteStateLocal: terraform_remote_state with the local backend
// reads another configuration's state in the repository, relative to the
// root module's directory: its outputs feed resources (in sync), a
// sensitive one stays sensitive, a workspace's state is under the
// workspace_dir, defaults fill what the state lacks, and no provider
// "terraform" is configured.
func TestRemoteStateLocal(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-from-net"
	root := t.TempDir()
	// The stacks are in one repository: what a configuration reads beside
	// its files is confined to the repository's working tree.
	if _, err := git.PlainInit(root, false); err != nil {
		t.Fatal(err)
	}
	writeFile(t, root, "net/terraform.tfstate", remoteStateJSON("net-a", secret))
	writeFile(t, root, "net/terraform.tfstate.d/staging/terraform.tfstate", remoteStateJSON("net-staging", "other"))
	writeFile(t, root, "app/main.tf", []byte(`
data "terraform_remote_state" "net" {
  backend = "local"
  config = {
    path = "../net/terraform.tfstate"
  }
}
data "terraform_remote_state" "staging" {
  backend   = "local"
  workspace = "staging"
  config = {
    workspace_dir = "../net/terraform.tfstate.d"
  }
  defaults = {
    name  = "overridden by the state"
    extra = "from-defaults"
  }
}
resource "test_thing" "a" { name = data.terraform_remote_state.net.outputs.name }
resource "test_thing" "b" { name = data.terraform_remote_state.net.outputs.secret }
resource "test_thing" "c" { name = data.terraform_remote_state.staging.outputs.name }
resource "test_thing" "d" { name = data.terraform_remote_state.staging.outputs.extra }
`))
	s := testSchema()
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
		live(t, s, "t-a", map[string]cty.Value{"name": cty.StringVal("net-a")}),
		live(t, s, "t-b", map[string]cty.Value{"name": cty.StringVal("changed-by-hand")}),
		live(t, s, "t-c", map[string]cty.Value{"name": cty.StringVal("net-staging")}),
		live(t, s, "t-d", map[string]cty.Value{"name": cty.StringVal("from-defaults")}),
	}}}
	st := writeStateJSON(t, stateResource("test_thing.a", "t-a"), stateResource("test_thing.b", "t-b"),
		stateResource("test_thing.c", "t-c"), stateResource("test_thing.d", "t-d"))
	res, err := Run(context.Background(), f, Options{Location: filepath.Join(root, "app"), States: []string{st}})
	if err != nil {
		t.Fatal(err)
	}
	got := resultsByAddress(res.Report)
	for _, addr := range []string{"test_thing.a", "test_thing.c", "test_thing.d"} {
		if r := got[addr]; r.Status != drift.InSync {
			t.Errorf("%s: %s (%s) %+v, want in sync with the remote state's output", addr, r.Status, r.Reason, r.Diffs)
		}
	}
	b := got["test_thing.b"]
	if b.Status != drift.Drifted || len(b.Diffs) != 1 || !b.Diffs[0].Sensitive {
		t.Errorf("test_thing.b: %s %+v, want drifted with a sensitive diff", b.Status, b.Diffs)
	}
	for _, d := range res.Diagnostics {
		// No "not yet supported", no state's value, no provider terraform.
		t.Errorf("diagnostic: %s", d.Error())
		if strings.Contains(d.Error(), secret) {
			t.Errorf("a diagnostic shows the sensitive output")
		}
	}
}

// TestRemoteStateErrors: a state that does not exist (defaults or not, as
// Terraform's "Unable to find remote state"), a backend driftctl does not
// read and settings a backend lacks fail the scan at the data block.
func TestRemoteStateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		block string
		want  string
	}{
		{"missing file", `backend = "local"
  config = { path = "nowhere/terraform.tfstate" }
  defaults = { name = "x" }`, `unable to find remote state: no state of workspace "default" in the local backend at `},
		{"missing workspace", `backend = "local"
  workspace = "qa"`, `unable to find remote state: no state of workspace "qa" in the local backend at `},
		{"unsupported backend", `backend = "gcs"
  config = { bucket = "b", prefix = "p" }`, `the "gcs" backend is not one driftctl reads: it reads local, s3, http and remote`},
		{"s3 without key", `backend = "s3"
  config = { bucket = "b", region = "us-east-1" }`, `the s3 backend has no bucket or key`},
		{"http workspace", `backend = "http"
  workspace = "qa"
  config = { address = "https://user:pa55w0rd@state.example.com/net" }`, `the http backend has only the default workspace, not "qa"`},
		{"config of another type", `backend = "local"
  config = "terraform.tfstate"`, `config must be an object of the backend's settings`},
		{"outside the directory scanned", `backend = "local"
  config = { path = "/etc/passwd" }`, `the local state /etc/passwd is outside the stack's repository (or the directory scanned)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeModule(t, `
data "terraform_remote_state" "net" {
  `+tt.block+`
}
resource "test_thing" "a" { name = data.terraform_remote_state.net.outputs.name }
`)
			s := testSchema()
			_, err := Run(context.Background(), &fakeFactory{schema: s}, Options{Location: dir})
			var scanErr *Error
			if !errors.As(err, &scanErr) || scanErr.Stage != StageEvaluate {
				t.Fatalf("error %v, want an evaluation error", err)
			}
			var found *hcl.Diagnostic
			for _, d := range scanErr.Diagnostics {
				if d.Severity == hcl.DiagError {
					found = d
				}
			}
			if found == nil || found.Subject == nil || found.Subject.Filename != filepath.Join(dir, "main.tf") || found.Subject.Start.Line != 2 {
				t.Fatalf("diagnostics %v, want an error at main.tf:2", scanErr.Diagnostics)
			}
			if !strings.Contains(found.Detail, "reading data.terraform_remote_state.net: "+tt.want) {
				t.Errorf("detail %q, want it to hold %q", found.Detail, tt.want)
			}
			if strings.Contains(found.Detail, "pa55w0rd") {
				t.Errorf("detail %q shows a password", found.Detail)
			}
		})
	}
}

// TestRemoteStateS3: the s3 backend against moto: the workspace's object
// under env:/, read with the access keys of config (the secret key from a
// sensitive variable, never shown), and a missing object is located.
func TestRemoteStateS3(t *testing.T) {
	t.Parallel()
	srv := emulator.Start(t)
	ctx := context.Background()
	client := s3.NewFromConfig(srv.Config("us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("tf-remote")}); err != nil {
		t.Fatal(err)
	}
	for key, name := range map[string]string{
		"net/terraform.tfstate":              "net-default",
		"env:/staging/net/terraform.tfstate": "net-staging",
	} {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String("tf-remote"), Key: aws.String(key), Body: bytes.NewReader(remoteStateJSON(name, "x")),
		}); err != nil {
			t.Fatal(err)
		}
	}
	const secretKey = "moto-accepts-any-secret"
	module := func(key string) string {
		return fmt.Sprintf(`
variable "secret_key" {
  sensitive = true
  default   = %q
}
data "terraform_remote_state" "net" {
  backend   = "s3"
  workspace = "staging"
  config = {
    bucket         = "tf-remote"
    key            = %q
    region         = "us-east-1"
    endpoints      = { s3 = %q }
    use_path_style = true
    access_key     = "testing"
    secret_key     = var.secret_key
  }
}
resource "test_thing" "a" { name = data.terraform_remote_state.net.outputs.name }
`, secretKey, key, srv.URL())
	}
	s := testSchema()
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
		live(t, s, "t-a", map[string]cty.Value{"name": cty.StringVal("net-staging")}),
	}}}
	st := writeStateJSON(t, stateResource("test_thing.a", "t-a"))
	res, err := Run(ctx, f, Options{Location: writeModule(t, module("net/terraform.tfstate")), States: []string{st}})
	if err != nil {
		t.Fatal(err)
	}
	if a := resultsByAddress(res.Report)["test_thing.a"]; a.Status != drift.InSync {
		t.Errorf("test_thing.a: %s (%s) %+v, want in sync with the staging workspace's output", a.Status, a.Reason, a.Diffs)
	}

	_, err = Run(ctx, f, Options{Location: writeModule(t, module("nope/terraform.tfstate")), States: []string{st}})
	var scanErr *Error
	if !errors.As(err, &scanErr) || !scanErr.Diagnostics.HasErrors() {
		t.Fatalf("error %v, want the missing object's", err)
	}
	msg := scanErr.Diagnostics.Error()
	if !strings.Contains(msg, "main.tf:6") || !strings.Contains(msg, `unable to find remote state: no state of workspace "staging" in the s3 backend at s3://tf-remote/env:/staging/nope/terraform.tfstate`) {
		t.Errorf("error %s, want the missing object at main.tf:6", msg)
	}
	if strings.Contains(msg, secretKey) {
		t.Errorf("error %s shows the secret key", msg)
	}
}
