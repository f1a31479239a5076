package discovery

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSource(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want, wantErr string
	}{
		{in: "aws", want: "registry.terraform.io/hashicorp/aws"},
		{in: "hashicorp/aws", want: "registry.terraform.io/hashicorp/aws"},
		{in: "Integrations/GitHub", want: "registry.terraform.io/integrations/github"},
		{in: "Example.COM/acme/thing", want: "example.com/acme/thing"},
		{in: "a/b/c/d", wantErr: "[HOSTNAME/]NAMESPACE/TYPE"},
		{in: "hashicorp/-aws", wantErr: "the type must be"},
		{in: "hashi corp/aws", wantErr: "the namespace must be"},
		{in: "hashicorp/terraform-provider-aws", wantErr: "the type is the part after terraform-provider- (aws)"},
	}
	for _, tt := range tests {
		got, err := ParseSource(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseSource(%q) = %v, %v; want an error with %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("ParseSource(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestParseLockFile(t *testing.T) {
	t.Parallel()
	// As terraform 1.11 writes it, with the hashes published for
	// hashicorp/aws 5.100.0 (first three zh: only).
	const real = `# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.100.0"
  constraints = "~> 5.0"
  hashes = [
    "h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0=",
    "zh:054b8dd49f0549c9a7cc27d159e45327b7b65cf404da5e5a20da154b90b8a644",
    "zh:0b97bf8d5e03d15d83cc40b0530a1f84b459354939ba6f135a0086c20ebbe6b2",
    "zh:1589a2266af699cbd5d80737a0fe02e54ec9cf2ca54e7e00ac51c7359056f274",
  ]
}

provider "registry.terraform.io/hashicorp/null" {
  version = "3.2.4"
}
`
	lf, err := ParseLockFile("/r/.terraform.lock.hcl", []byte(real))
	if err != nil {
		t.Fatal(err)
	}
	aws := lf.Providers[Source{"registry.terraform.io", "hashicorp", "aws"}]
	if aws == nil || aws.Version.String() != "5.100.0" || aws.Constraints != "~> 5.0" || len(aws.Hashes) != 4 || aws.Hashes[0] != realAWSHash {
		t.Errorf("aws lock = %+v", aws)
	}
	if null := lf.Providers[Source{"registry.terraform.io", "hashicorp", "null"}]; null == nil || len(null.Hashes) != 0 {
		t.Errorf("null lock = %+v", null)
	}

	bad := []struct{ name, src, want string }{
		{"syntax", "provider \"registry.terraform.io/hashicorp/aws\" {\n  version = \n}\n", "/r/.terraform.lock.hcl:2,"},
		{"short address", "provider \"hashicorp/aws\" {\n  version = \"1.0.0\"\n}\n", "must be written in normal form: \"registry.terraform.io/hashicorp/aws\""},
		{"no version", "provider \"registry.terraform.io/hashicorp/aws\" {\n}\n", "version"},
		{"bad version", "provider \"registry.terraform.io/hashicorp/aws\" {\n  version = \"five\"\n}\n", "\"five\" is not a version"},
		{"hashes not a list", "provider \"registry.terraform.io/hashicorp/aws\" {\n  version = \"1.0.0\"\n  hashes = { a = 1 }\n}\n", "list of strings"},
		{"twice", "provider \"registry.terraform.io/hashicorp/aws\" {\n  version = \"1.0.0\"\n}\nprovider \"registry.terraform.io/hashicorp/aws\" {\n  version = \"1.0.0\"\n}\n", "locked twice"},
	}
	for _, tt := range bad {
		_, err := ParseLockFile("/r/.terraform.lock.hcl", []byte(tt.src))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "run `terraform init` to rewrite it") {
			t.Errorf("%s: error %v, want one with %q", tt.name, err, tt.want)
		}
	}
}

// TestFindRealProvider finds the real terraform-provider-aws 5.100.0 as
// terraform init leaves it (.terraform/providers/.../linux_amd64 a link
// to the plugin directory) and checks it against a lock file holding the
// hashes published for that release.
func TestFindRealProvider(t *testing.T) {
	skipWithoutRealAWS(t)
	root := t.TempDir()
	link := filepath.Join(root, ".terraform", "providers", "registry.terraform.io", "hashicorp", "aws", "5.100.0", "linux_amd64")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(realAWS, link); err != nil {
		t.Fatal(err)
	}
	writeLock(t, root, lockBlock(awsSource, "5.100.0", realAWSHash,
		"zh:054b8dd49f0549c9a7cc27d159e45327b7b65cf404da5e5a20da154b90b8a644"))
	results, err := Find(root, []Requirement{{LocalName: "aws", Source: "hashicorp/aws", VersionConstraint: "~> 5.0"}},
		Options{Environ: []string{}, OS: "linux", Arch: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	r := results[0]
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if !r.Provider.HashChecked || r.Provider.Path != filepath.Join(link, "terraform-provider-aws_v5.100.0_x5") {
		t.Errorf("got %+v", r.Provider)
	}
}

func TestFindSettings(t *testing.T) {
	t.Parallel()
	t.Run("TF_DATA_DIR moves .terraform, relative to the root module", func(t *testing.T) {
		t.Parallel()
		root := t.TempDir()
		dir := writePkg(t, filepath.Join(root, "data", "providers"), awsSource, "5.1.0", "linux_amd64")
		results, err := Find(root, []Requirement{{Source: "aws"}}, Options{Environ: []string{"TF_DATA_DIR=data"}, OS: "linux", Arch: "amd64"})
		if err != nil || results[0].Err != nil || results[0].Provider.Dir != dir {
			t.Errorf("got %+v, %v", results, err)
		}
	})
	t.Run("an invalid source or constraint fails the whole call", func(t *testing.T) {
		t.Parallel()
		for _, req := range []Requirement{{LocalName: "x", Source: "a/b/c/d"}, {Source: "aws", VersionConstraint: "~> five"}} {
			if _, err := Find(t.TempDir(), []Requirement{req}, Options{Environ: []string{}}); err == nil {
				t.Errorf("Find(%+v) succeeded", req)
			}
		}
	})
	t.Run("a broken lock file fails the whole call", func(t *testing.T) {
		t.Parallel()
		root := t.TempDir()
		writeLock(t, root, "provider {")
		if _, err := Find(root, []Requirement{{Source: "aws"}}, Options{Environ: []string{}}); err == nil || !strings.Contains(err.Error(), LockFileName) {
			t.Errorf("error %v", err)
		}
	})
	t.Run("the builtin terraform provider has no binary", func(t *testing.T) {
		t.Parallel()
		results, err := Find(t.TempDir(), []Requirement{{Source: "terraform.io/builtin/terraform"}}, Options{Environ: []string{}})
		if err != nil || results[0].Err == nil || !strings.Contains(results[0].Err.Error(), "built into Terraform") {
			t.Errorf("got %+v, %v", results, err)
		}
	})
	t.Run("a binary without the executable bit", func(t *testing.T) {
		t.Parallel()
		root := t.TempDir()
		dir := writePkg(t, filepath.Join(root, ".terraform", "providers"), awsSource, "5.1.0", "linux_amd64")
		os.Chmod(filepath.Join(dir, "terraform-provider-aws_v5.1.0_x5"), 0o644)
		results, err := Find(root, []Requirement{{Source: "aws"}}, Options{Environ: []string{}, OS: "linux", Arch: "amd64"})
		if err != nil || results[0].Err == nil || !strings.Contains(results[0].Err.Error(), "is not executable") {
			t.Errorf("got %+v, %v", results, err)
		}
	})
}
