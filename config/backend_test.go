package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCloudAndRemoteWorkspaces: the cloud block's and the remote backend's
// settings are kept, their workspaces block under "workspaces.", tags
// joined by commas; a nested block elsewhere is still only a warning.
func TestCloudAndRemoteWorkspaces(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, terraform, typ string
		want                 map[string]string
	}{
		{"cloud with tags", `cloud {
    hostname     = "tfe.example.com"
    organization = "acme"
    workspaces {
      tags = ["net", "prod"]
    }
  }`, "cloud", map[string]string{"hostname": "tfe.example.com", "organization": "acme", "workspaces.tags": "net,prod"}},
		{"cloud with a name", `cloud {
    organization = "acme"
    workspaces {
      name    = "net"
      project = "infra"
    }
  }`, "cloud", map[string]string{"organization": "acme", "workspaces.name": "net", "workspaces.project": "infra"}},
		{"remote with a prefix", `backend "remote" {
    organization = "acme"
    token        = "abc"
    workspaces {
      prefix = "net-"
    }
  }`, "remote", map[string]string{"organization": "acme", "token": "abc", "workspaces.prefix": "net-"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"main.tf": "terraform {\n  " + tt.terraform + "\n}\nresource \"aws_vpc\" \"a\" { cidr_block = \"10.0.0.0/16\" }\n"})
			m, diags := Load(dir)
			if len(diags) > 0 {
				t.Fatal(diags.Error())
			}
			if m.Backend == nil || m.Backend.Type != tt.typ || m.Backend.DeclRange.Start.Line != 2 {
				t.Fatalf("backend %+v, want a %s one on line 2", m.Backend, tt.typ)
			}
			if diff := cmp.Diff(tt.want, m.Backend.Config); diff != "" {
				t.Errorf("settings (-want +got):\n%s", diff)
			}
		})
	}

	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": "terraform {\n  backend \"http\" {\n    address = \"https://s/x\"\n    workspaces {\n      name = \"x\"\n    }\n  }\n}\n"})
	m, diags := Load(dir)
	if diags.HasErrors() || len(diags) != 1 || !strings.Contains(diags[0].Summary, "Nested blocks in a backend block are ignored") {
		t.Errorf("diagnostics %v, want one warning for the http backend's workspaces block", diags)
	}
	if m != nil && m.Backend != nil && m.Backend.Config["workspaces.name"] != "" {
		t.Errorf("the http backend kept a workspaces block: %v", m.Backend.Config)
	}
}
