package modsource

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSource(t *testing.T) {
	t.Parallel()
	tfio := func(ns, name, sys string) RegistryAddress {
		return RegistryAddress{Host: DefaultRegistryHost, Namespace: ns, Name: name, System: sys}
	}
	tests := []struct {
		source string
		want   Source
	}{
		{"./vpc", Source{Kind: Local, Location: "./vpc"}},
		{"../shared/vpc", Source{Kind: Local, Location: "../shared/vpc"}},
		{`.\vpc`, Source{Kind: Local, Location: `.\vpc`}},
		{"hashicorp/consul/aws", Source{Kind: Registry, Registry: tfio("hashicorp", "consul", "aws")}},
		{"hashicorp/consul/aws//modules/consul-cluster", Source{Kind: Registry, Registry: tfio("hashicorp", "consul", "aws"), Subdir: "modules/consul-cluster"}},
		{"App.Terraform.io/acme-corp/vpc_x/aws", Source{Kind: Registry, Registry: RegistryAddress{Host: "app.terraform.io", Namespace: "acme-corp", Name: "vpc_x", System: "aws"}}},
		{"registry.example.com:8443/acme/vpc/aws", Source{Kind: Registry, Registry: RegistryAddress{Host: "registry.example.com:8443", Namespace: "acme", Name: "vpc", System: "aws"}}},
		// github.com is reserved for Git: go-getter's GitHub detector.
		{"github.com/hashicorp/example", Source{Kind: Git, Location: "https://github.com/hashicorp/example.git"}},
		{"github.com/hashicorp/example.git//modules/vpc?ref=v1.2.0", Source{Kind: Git, Location: "https://github.com/hashicorp/example.git", Ref: "v1.2.0", Subdir: "modules/vpc"}},
		{"github.com/hashicorp/example/modules/vpc?ref=main", Source{Kind: Git, Location: "https://github.com/hashicorp/example.git", Ref: "main", Subdir: "modules/vpc"}},
		{"github.com/org/repo/a//b", Source{Kind: Git, Location: "https://github.com/org/repo.git", Subdir: "a/b"}},
		{"bitbucket.org/org/repo", Source{Kind: Git, Location: "https://bitbucket.org/org/repo.git"}},
		{"git@github.com:org/repo.git?ref=v1", Source{Kind: Git, Location: "git@github.com:org/repo.git", Ref: "v1"}},
		{"git::https://example.com/mods.git//vpc?ref=v1.2.0&depth=1", Source{Kind: Git, Location: "https://example.com/mods.git", Ref: "v1.2.0", Subdir: "vpc"}},
		{"git::https://example.com/mods.git?ref=0123abcd", Source{Kind: Git, Location: "https://example.com/mods.git", Ref: "0123abcd"}},
		{"git::ssh://git@example.com/mods.git//a/./b/", Source{Kind: Git, Location: "ssh://git@example.com/mods.git", Subdir: "a/b"}},
		{"git::git@example.com:org/mods.git//vpc?ref=v2", Source{Kind: Git, Location: "git@example.com:org/mods.git", Ref: "v2", Subdir: "vpc"}},
		{"git::file:///srv/git/mods.git", Source{Kind: Git, Location: "file:///srv/git/mods.git"}},
		{"git://example.com/mods.git", Source{Kind: Git, Location: "git://example.com/mods.git"}},
		{"https://example.com/vpc.tar.gz", Source{Kind: HTTP, Location: "https://example.com/vpc.tar.gz", Archive: "tar.gz"}},
		{"https://example.com/vpc.TGZ//modules/a", Source{Kind: HTTP, Location: "https://example.com/vpc.TGZ", Archive: "tar.gz", Subdir: "modules/a"}},
		{"https://example.com/get?archive=zip&v=2", Source{Kind: HTTP, Location: "https://example.com/get?v=2", Archive: "zip"}},
		{"http://example.com/vpc.zip", Source{Kind: HTTP, Location: "http://example.com/vpc.zip", Archive: "zip"}},
		{"https://example.com/modules/vpc", Source{Kind: HTTP, Location: "https://example.com/modules/vpc"}},
	}
	for _, tt := range tests {
		got, err := ParseSource(tt.source)
		if err != nil {
			t.Errorf("ParseSource(%q): %v", tt.source, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseSource(%q) (-want +got):\n%s", tt.source, diff)
		}
		if got.Kind.IsRemote() == IsLocal(tt.source) {
			t.Errorf("IsLocal(%q) = %v, kind %s", tt.source, IsLocal(tt.source), got.Kind)
		}
		if IsRegistry(tt.source) != (got.Kind == Registry) {
			t.Errorf("IsRegistry(%q) = %v, kind %s", tt.source, IsRegistry(tt.source), got.Kind)
		}
	}
}

func TestParseSourceErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		source      string
		unsupported bool
		want        string // in the message
	}{
		{"", false, "empty"},
		{"s3::https://s3-eu-west-1.amazonaws.com/bucket/vpc.zip", true, "s3:: sources are not supported"},
		{"gcs::https://www.googleapis.com/storage/v1/bucket/vpc.zip", true, "gcs:: sources are not supported"},
		{"hg::http://example.com/repo", true, "hg:: sources are not supported"},
		{"bucket.s3-eu-west-1.amazonaws.com/vpc.zip", true, "S3 sources are not supported"},
		{"www.googleapis.com/storage/v1/bucket/vpc.zip", true, "GCS sources are not supported"},
		{"https://example.com/vpc.tar.xz", true, `archive format "tar.xz" is not supported`},
		{"https://example.com/dl?archive=rar", true, `archive format "rar" is not supported`},
		{"/srv/modules/vpc", true, "must begin with ./ or ../"},
		{"git::https://example.com/mods.git?sshkey=c2VjcmV0LWtleQ", true, "DRIFTCTL_GIT_SSH_KEY"},
		{"example.com/org/repo", false, "cannot tell what kind of source"},
		{"ssh://git@example.com/mods.git", false, "git::ssh://"},
		{"git::https://example.com/mods.git//../up", false, "leads outside of the module package"},
		{"git::https://example.com/mods.git//a/../../up", false, "leads outside of the module package"},
		{"git::example.com/mods", false, "a Git source must be"},
		{"github.com/org", false, "github.com/ORGANIZATION/REPOSITORY"},
		{"svn::https://example.com/x", false, `unknown source type "svn::"`},
	}
	for _, tt := range tests {
		_, err := ParseSource(tt.source)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("ParseSource(%q) = %v, want an *Error", tt.source, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "module source "+redactSource(tt.source)+": ") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseSource(%q) = %q, want it to name the source and say %q", tt.source, err, tt.want)
		}
		if errors.Is(err, ErrUnsupported) != tt.unsupported {
			t.Errorf("ParseSource(%q): errors.Is(ErrUnsupported) = %v", tt.source, !tt.unsupported)
		}
	}
}

func TestParseSourceErrorHidesCredentials(t *testing.T) {
	t.Parallel()
	for _, source := range []string{
		"git::https://deploy:s3cr3t-pass@example.com/mods.git?sshkey=s3cr3t-key",
		"s3::https://s3.amazonaws.com/bucket/vpc.zip?X-Amz-Signature=s3cr3t-sig",
		"https://s3cr3t-token@example.com/vpc.tar.xz",
	} {
		_, err := ParseSource(source)
		if err == nil {
			t.Fatalf("ParseSource(%q) succeeded", source)
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("ParseSource(%q) = %q, shows a credential", source, err)
		}
	}
}

func TestModuleFile(t *testing.T) {
	t.Parallel()
	m := &Module{Subdir: "vpc"}
	display(m, "git::https://example.com/mods.git", "vpc", "ref=v1.2.0")
	if m.Dir != "git::https://example.com/mods.git//vpc?ref=v1.2.0" {
		t.Errorf("Dir = %q", m.Dir)
	}
	if got := m.File("main.tf"); got != "git::https://example.com/mods.git//vpc/main.tf?ref=v1.2.0" {
		t.Errorf("File = %q", got)
	}
}
