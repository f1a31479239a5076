package state

import (
	"context"
	"os"
	"path/filepath"
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
