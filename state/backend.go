package state

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gitdrift/driftctl/internal/redact"
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
	// Environ ("NAME=VALUE" entries; nil: os.Environ()) is where settings
	// that Terraform also takes from the environment are read: TF_HTTP_*,
	// TF_CLOUD_*, TF_TOKEN_<host>.
	Environ []string
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

// FromBackend is Resolve without the reason: ok is false where Resolve
// gives an error.
func FromBackend(b Backend, dir string) (location string, opts []Option, ok bool) {
	location, opts, err := Resolve(b, dir)
	return location, opts, err == nil
}

// ErrUnsupportedBackend is matched by the error of Resolve for a backend
// type driftctl does not read (gcs, azurerm, consul, pg, kubernetes, ...).
var ErrUnsupportedBackend = errors.New("a backend driftctl does not read")

// ErrIncomplete is matched by the error of Resolve for a backend
// configuration that lacks a required setting, as one completed by
// terraform init -backend-config does.
var ErrIncomplete = errors.New("incomplete backend configuration")

// incomplete is an error matching ErrIncomplete with msg as its message.
type incomplete string

func (e incomplete) Error() string        { return string(e) }
func (e incomplete) Is(target error) bool { return target == ErrIncomplete }

// supported names the backend types Resolve reads ("cloud" is the cloud
// block).
const supported = "local, s3, http, remote, cloud"

// Resolve returns the location of the state of b.Workspace for a backend
// configuration of the root module in dir, and the Load options it
// implies, as Terraform's backends name it: the local backend keeps a
// workspace's state in terraform.tfstate.d/NAME/terraform.tfstate
// (workspace_dir), the s3 backend at env:/NAME/KEY (workspace_key_prefix),
// the http backend at its address (with no workspaces but default), the
// remote backend and the cloud block in an HCP Terraform or Terraform
// Enterprise workspace (see remoteLocation). A Backend with no Type is
// Terraform's implicit local backend. Settings Terraform also takes from
// the environment (TF_HTTP_*, TF_CLOUD_*) are read from b.Environ when the
// configuration lacks them. The error says what is missing; it matches
// ErrIncomplete for a required setting missing, ErrUnsupportedBackend for
// other backend types.
func Resolve(b Backend, dir string) (location string, opts []Option, err error) {
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
		return path, nil, nil
	case "s3":
		return s3Location(b, ws)
	case "http":
		return httpLocation(b, ws)
	case "remote", "cloud":
		return remoteLocation(b, ws)
	}
	return "", nil, fmt.Errorf("%w: the %q backend (driftctl reads %s)", ErrUnsupportedBackend, b.Type, supported)
}

func s3Location(b Backend, ws string) (location string, opts []Option, err error) {
	bucket, key := b.Config["bucket"], b.Config["key"]
	if bucket == "" || key == "" {
		return "", nil, incomplete("the s3 backend has no bucket or key")
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
	return "s3://" + bucket + "/" + key, opts, nil
}

// setting is a backend setting from the configuration, else from the
// environment variable Terraform reads it from.
func (b Backend) setting(name, variable string) string {
	if v := b.Config[name]; v != "" {
		return v
	}
	if variable == "" {
		return ""
	}
	environ := b.Environ
	if environ == nil {
		environ = os.Environ()
	}
	prefix := variable + "="
	for _, kv := range slices.Backward(environ) {
		if v, ok := strings.CutPrefix(kv, prefix); ok {
			return v
		}
	}
	return ""
}

// httpLocation follows the http backend's settings
// (https://developer.hashicorp.com/terraform/language/backend/http):
// address, username, password, skip_cert_verification, the client
// certificates and the retries, each also from its TF_HTTP_ variable.
func httpLocation(b Backend, ws string) (location string, opts []Option, err error) {
	addr := b.setting("address", "TF_HTTP_ADDRESS")
	if addr == "" {
		return "", nil, incomplete("the http backend has no address (set it in the configuration or TF_HTTP_ADDRESS)")
	}
	if !strings.HasPrefix(addr, "http://") && !strings.HasPrefix(addr, "https://") {
		return "", nil, fmt.Errorf("the http backend's address %s is not an http or https URL", redact.URL(addr))
	}
	if ws != DefaultWorkspace {
		return "", nil, fmt.Errorf("the http backend has only the default workspace, not %q", ws)
	}
	if user, pass := b.setting("username", "TF_HTTP_USERNAME"), b.setting("password", "TF_HTTP_PASSWORD"); user != "" || pass != "" {
		opts = append(opts, WithHTTPBasicAuth(user, pass))
	}
	retries, err := httpRetries(b)
	if err != nil {
		return "", nil, err
	}
	opts = append(opts, retries)
	skip := isTrue(b.Config["skip_cert_verification"])
	ca := b.setting("client_ca_certificate_pem", "TF_HTTP_CLIENT_CA_CERTIFICATE_PEM")
	cert := b.setting("client_certificate_pem", "TF_HTTP_CLIENT_CERTIFICATE_PEM")
	key := b.setting("client_private_key_pem", "TF_HTTP_CLIENT_PRIVATE_KEY_PEM")
	if skip || ca != "" || cert != "" || key != "" {
		opts = append(opts, WithHTTPTLS(skip, ca, cert, key))
	}
	return addr, opts, nil
}

// httpRetries reads the http backend's retry_max (default 2),
// retry_wait_min (1) and retry_wait_max (30 seconds), each also from its
// TF_HTTP_ variable.
func httpRetries(b Backend) (Option, error) {
	values := []int{2, 1, 30}
	for i, name := range []string{"retry_max", "retry_wait_min", "retry_wait_max"} {
		v := b.setting(name, "TF_HTTP_"+strings.ToUpper(name))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("the http backend's %s is %q, not a whole number, 0 or more", name, v)
		}
		values[i] = n
	}
	return WithHTTPRetries(values[0], time.Duration(values[1])*time.Second, time.Duration(values[2])*time.Second), nil
}

// remoteLocation follows the remote backend's and the cloud block's
// settings: hostname (default app.terraform.io), organization, token, and
// workspaces { name | prefix | tags }. A name is the only workspace (the
// default one, or the workspace of that name); a prefix (remote) is put
// before the workspace's name, which must then be given, as with tags (the
// cloud block) or no workspaces block (the cloud block's TF_WORKSPACE).
// The cloud block also reads TF_CLOUD_HOSTNAME and TF_CLOUD_ORGANIZATION.
func remoteLocation(b Backend, ws string) (location string, opts []Option, err error) {
	what := "the remote backend"
	hostVar, orgVar := "", ""
	if b.Type == "cloud" {
		what, hostVar, orgVar = "the cloud block", "TF_CLOUD_HOSTNAME", "TF_CLOUD_ORGANIZATION"
	}
	host := b.setting("hostname", hostVar)
	if host == "" {
		host = DefaultRemoteHost
	}
	org := b.setting("organization", orgVar)
	if org == "" {
		return "", nil, incomplete(what + " has no organization")
	}
	name, prefix, tags := b.Config["workspaces.name"], b.Config["workspaces.prefix"], b.Config["workspaces.tags"]
	switch {
	case name != "":
		if ws != DefaultWorkspace && ws != name {
			return "", nil, fmt.Errorf("%s names the workspace %q, not %q", what, name, ws)
		}
		ws = name
	case prefix != "":
		if ws == DefaultWorkspace {
			return "", nil, fmt.Errorf("%s selects workspaces by the prefix %q: name one with --workspace (or TF_WORKSPACE), without the prefix", what, prefix)
		}
		ws = prefix + ws
	case ws == DefaultWorkspace && tags != "":
		return "", nil, fmt.Errorf("%s selects workspaces by tags: name one with --workspace (or TF_WORKSPACE)", what)
	case ws == DefaultWorkspace:
		return "", nil, fmt.Errorf("%s names no workspace: add workspaces { name = ... } or give --workspace (or TF_WORKSPACE)", what)
	}
	if t := b.Config["token"]; t != "" {
		opts = append(opts, WithRemoteToken(t))
	}
	opts = append(opts, WithEnviron(b.Environ))
	return RemoteLocation(host, org, ws), opts, nil
}

func isTrue(s string) bool {
	v, err := strconv.ParseBool(s)
	return err == nil && v
}

// Discover reads the state of a configuration in dir: the locations given
// (patterns expanded, see Expand; merged, later ones winning), else the
// backend's, else terraform.tfstate in dir. It returns nil without error
// when there is none: no locations, no or a local backend whose file does
// not exist, no terraform.tfstate, an http backend that answers 404, 204
// or nothing, an HCP Terraform workspace without a state version (as
// Terraform reads them: no state yet). An empty dir (a configuration read
// from a remote Git repository) has no local files: only locations and
// remote backends count. opts are given to Expand and Load.
func Discover(ctx context.Context, locations []string, backend *Backend, dir string, opts ...Option) (*State, error) {
	if len(locations) == 0 {
		if dir == "" {
			if backend == nil || backend.Type == "local" || backend.Type == "" {
				return nil, nil
			}
		}
		if backend != nil {
			if loc, bopts, ok := FromBackend(*backend, dir); ok {
				st, err := Load(ctx, loc, append(slices.Clip(opts), bopts...)...)
				switch backend.Type {
				case "local", "":
					if errors.Is(err, ErrNotFound) {
						if ws := backend.Workspace; ws != "" && ws != DefaultWorkspace {
							// As Terraform: a workspace that was never
							// created is an error, not an empty state.
							return nil, fmt.Errorf("workspace %q does not exist: there is no %s", ws, loc)
						}
						return nil, nil
					}
				case "http", "remote", "cloud":
					if errors.Is(err, ErrNotFound) || errors.Is(err, ErrNoState) {
						return nil, nil
					}
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
	locations, err := Expand(ctx, locations, opts...)
	if err != nil {
		return nil, err
	}
	states := make([]*State, 0, len(locations))
	for _, loc := range locations {
		st, err := Load(ctx, loc, opts...)
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
