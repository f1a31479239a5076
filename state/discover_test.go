package state

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiscover(t *testing.T) {
	valid, err := os.ReadFile("testdata/valid.tfstate")
	if err != nil {
		t.Fatal(err)
	}
	write := func(t *testing.T, path string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, valid, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		files    []string // written with testdata/valid.tfstate
		locs     []string
		backend  *Backend
		wantFrom string // "" means no state
		wantErr  bool
		remote   bool // Discover gets no directory
	}{
		{name: "nothing", wantFrom: ""},
		{name: "terraform.tfstate beside the HCL", files: []string{"terraform.tfstate"}, wantFrom: "terraform.tfstate"},
		{name: "local backend path wins over terraform.tfstate", files: []string{"terraform.tfstate", "states/prod.tfstate"},
			backend: &Backend{Type: "local", Config: map[string]string{"path": "states/prod.tfstate"}}, wantFrom: "states/prod.tfstate"},
		{name: "a local backend whose file is absent means no state yet", backend: &Backend{Type: "local", Config: map[string]string{"path": "none.tfstate"}}, wantFrom: ""},
		{name: "locations win over the backend", files: []string{"a.tfstate", "states/prod.tfstate"}, locs: []string{"a.tfstate"},
			backend: &Backend{Type: "local", Config: map[string]string{"path": "states/prod.tfstate"}}, wantFrom: "a.tfstate"},
		{name: "a missing location is an error", locs: []string{"missing.tfstate"}, wantErr: true},
		{name: "a remote source has no local files", files: []string{"terraform.tfstate"}, remote: true, wantFrom: ""},
		{name: "a remote source ignores a local backend", files: []string{"states/prod.tfstate"}, remote: true,
			backend: &Backend{Type: "local", Config: map[string]string{"path": "states/prod.tfstate"}}, wantFrom: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				write(t, filepath.Join(dir, f))
			}
			var locs []string
			for _, l := range tt.locs {
				locs = append(locs, filepath.Join(dir, l))
			}
			from := dir
			if tt.remote {
				from = ""
			}
			st, err := Discover(context.Background(), locs, tt.backend, from)
			if tt.wantErr {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantFrom == "" {
				if st != nil {
					t.Fatalf("state from %s, want none", st.Location)
				}
				return
			}
			if st == nil || st.Location != filepath.Join(dir, tt.wantFrom) {
				t.Fatalf("state = %v, want one from %s", st, tt.wantFrom)
			}
		})
	}
}

func TestDiscoverMergesLocations(t *testing.T) {
	st, err := Discover(context.Background(), []string{"testdata/valid.tfstate", "testdata/legacy-provider.tfstate"}, nil, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	one, _ := Load(context.Background(), "testdata/valid.tfstate")
	two, _ := Load(context.Background(), "testdata/legacy-provider.tfstate")
	if len(st.Instances) != len(one.Instances)+len(two.Instances) {
		t.Errorf("merged %d instances, want %d", len(st.Instances), len(one.Instances)+len(two.Instances))
	}
	for _, in := range two.Instances {
		if in.Mode == ModeManaged && st.Lookup(in.Address) == nil {
			t.Errorf("merged state lacks %s", in.Address)
		}
	}
}

// TestWorkspaces: a workspace's state is where Terraform's backends keep
// it; a local workspace that was never created is an error; http has none.
func TestWorkspaces(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		backend Backend
		want    string
		ok      bool
	}{
		{"local default", Backend{Type: "local"}, "DIR/terraform.tfstate", true},
		{"local", Backend{Type: "local", Workspace: "staging"}, "DIR/terraform.tfstate.d/staging/terraform.tfstate", true},
		{"implicit local", Backend{Workspace: "staging"}, "DIR/terraform.tfstate.d/staging/terraform.tfstate", true},
		{"local workspace_dir", Backend{Type: "local", Workspace: "qa", Config: map[string]string{"workspace_dir": "states", "path": "x.tfstate"}}, "DIR/states/qa/terraform.tfstate", true},
		{"s3 default", Backend{Type: "s3", Workspace: "default", Config: map[string]string{"bucket": "b", "key": "net/terraform.tfstate"}}, "s3://b/net/terraform.tfstate", true},
		{"s3", Backend{Type: "s3", Workspace: "staging", Config: map[string]string{"bucket": "b", "key": "net/terraform.tfstate"}}, "s3://b/env:/staging/net/terraform.tfstate", true},
		{"s3 workspace_key_prefix", Backend{Type: "s3", Workspace: "staging", Config: map[string]string{"bucket": "b", "key": "k", "workspace_key_prefix": "ws"}}, "s3://b/ws/staging/k", true},
		{"http default", Backend{Type: "http", Config: map[string]string{"address": "https://s/x"}}, "https://s/x", true},
		{"http has no workspaces", Backend{Type: "http", Workspace: "staging", Config: map[string]string{"address": "https://s/x"}}, "", false},
	}
	for _, tt := range tests {
		loc, _, ok := FromBackend(tt.backend, "DIR")
		if ok != tt.ok || filepath.ToSlash(loc) != tt.want {
			t.Errorf("%s: %q %v, want %q %v", tt.name, loc, ok, tt.want, tt.ok)
		}
	}

	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "terraform.tfstate.d", "staging"), 0o755); err != nil {
		t.Fatal(err)
	}
	valid, err := os.ReadFile("testdata/valid.tfstate")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "terraform.tfstate.d", "staging", "terraform.tfstate"), valid, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := Discover(context.Background(), nil, &Backend{Workspace: "staging"}, dir)
	if err != nil || st == nil || len(st.Instances) == 0 {
		t.Errorf("staging: %v %v", st, err)
	}
	if _, err := Discover(context.Background(), nil, &Backend{Workspace: "prod"}, dir); err == nil || !strings.Contains(err.Error(), `workspace "prod" does not exist`) {
		t.Errorf("a workspace never created: %v", err)
	}
	if st, err := Discover(context.Background(), nil, &Backend{}, dir); err != nil || st != nil {
		t.Errorf("default workspace without a state: %v %v, want none", st, err)
	}
	for name, want := range map[string]bool{"staging": true, "a-b_c.1": true, "a/b": false, "a b": false, "": false} {
		if ValidWorkspace(name) != want {
			t.Errorf("ValidWorkspace(%q) = %v", name, !want)
		}
	}
}
