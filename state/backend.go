package state

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
)

// Backend is a Terraform backend configuration: the type label of a
// terraform { backend "TYPE" { ... } } block and its settings as strings,
// nested objects flattened with dots ("endpoints.s3").
type Backend struct {
	Type   string
	Config map[string]string
	// Workspace is the Terraform workspace whose state to read; "" is
	// "default".
	Workspace string
}

// DefaultWorkspace is the workspace Terraform starts in.
const DefaultWorkspace = "default"

// ValidWorkspace reports whether name can be a workspace's name: Terraform
// refuses names that a URL path would have to escape ("a/b", "a b").
func ValidWorkspace(name string) bool {
	return name != "" && url.PathEscape(name) == name
}

// defaultLocalPath is where the local backend keeps the default workspace's
// state.
const defaultLocalPath = "terraform.tfstate"

// FromBackend returns the location of the state of b.Workspace for a
// backend configuration of the root module in dir, and the Load options it
// implies, as Terraform's backends name it: the local backend keeps a
// workspace's state in terraform.tfstate.d/NAME/terraform.tfstate
// (workspace_dir), the s3 backend at env:/NAME/KEY (workspace_key_prefix).
// A Backend with no Type is Terraform's implicit local backend. ok is false
// for backend types driftctl cannot read (remote, gcs, azurerm, ...), for
// s3 and http configurations that lack their required settings, and for a
// workspace other than default in the http backend, which has none.
func FromBackend(b Backend, dir string) (location string, opts []Option, ok bool) {
	ws := b.Workspace
	if ws == "" {
		ws = DefaultWorkspace
	}
	switch b.Type {
	case "", "local":
		path := b.Config["path"]
		if path == "" {
			path = defaultLocalPath
		}
		if ws != DefaultWorkspace {
			wsDir := b.Config["workspace_dir"]
			if wsDir == "" {
				wsDir = "terraform.tfstate.d"
			}
			path = filepath.Join(wsDir, ws, defaultLocalPath)
		}
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		return path, nil, true
	case "s3":
		bucket, key := b.Config["bucket"], b.Config["key"]
		if bucket == "" || key == "" {
			return "", nil, false
		}
		if ws != DefaultWorkspace {
			prefix := b.Config["workspace_key_prefix"]
			if prefix == "" {
				prefix = "env:"
			}
			key = prefix + "/" + ws + "/" + key
		}
		if r := b.Config["region"]; r != "" {
			opts = append(opts, WithS3Region(r))
		}
		endpoint := b.Config["endpoints.s3"]
		if endpoint == "" {
			endpoint = b.Config["endpoint"] // before Terraform 1.6
		}
		if endpoint != "" {
			opts = append(opts, WithS3Endpoint(endpoint))
		}
		if isTrue(b.Config["use_path_style"]) || isTrue(b.Config["force_path_style"]) {
			opts = append(opts, WithS3PathStyle())
		}
		if p := b.Config["profile"]; p != "" {
			opts = append(opts, WithProfile(p))
		}
		// As the s3 backend: access_key and secret_key (and token) come
		// before the environment, the profile and the instance's role.
		if ak, sk := b.Config["access_key"], b.Config["secret_key"]; ak != "" && sk != "" {
			opts = append(opts, WithS3Credentials(ak, sk, b.Config["token"]))
		}
		return "s3://" + bucket + "/" + key, opts, true
	case "http":
		addr := b.Config["address"]
		if addr == "" || ws != DefaultWorkspace {
			return "", nil, false
		}
		return addr, nil, true
	}
	return "", nil, false
}

func isTrue(s string) bool {
	v, err := strconv.ParseBool(s)
	return err == nil && v
}

// Discover reads the state of a configuration in dir: the locations given
// (merged, later ones winning), else the backend's, else terraform.tfstate
// in dir. It returns nil without error when there is none: no locations, no
// or a local backend whose file does not exist, no terraform.tfstate. An
// empty dir (a configuration read from a remote Git repository) has no
// local files: only locations and remote backends count.
func Discover(ctx context.Context, locations []string, backend *Backend, dir string) (*State, error) {
	if len(locations) == 0 {
		if dir == "" {
			if backend == nil || backend.Type == "local" || backend.Type == "" {
				return nil, nil
			}
		}
		if backend != nil {
			if loc, opts, ok := FromBackend(*backend, dir); ok {
				st, err := Load(ctx, loc, opts...)
				if errors.Is(err, ErrNotFound) && (backend.Type == "local" || backend.Type == "") {
					if ws := backend.Workspace; ws != "" && ws != DefaultWorkspace {
						// As Terraform: a workspace that was never created
						// is an error, not an empty state.
						return nil, fmt.Errorf("workspace %q does not exist: there is no %s", ws, loc)
					}
					return nil, nil
				}
				return st, err
			}
		}
		local := filepath.Join(dir, defaultLocalPath)
		if _, err := os.Stat(local); dir == "" || err != nil {
			return nil, nil
		}
		locations = []string{local}
	}
	states := make([]*State, 0, len(locations))
	for _, loc := range locations {
		st, err := Load(ctx, loc)
		if err != nil {
			return nil, err
		}
		states = append(states, st)
	}
	if len(states) == 1 {
		return states[0], nil
	}
	return Merge(states...), nil
}
