package scan

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/internal/redact"
	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/state"
)

// remoteStateType is the data source of Terraform's built-in terraform
// provider that reads another configuration's root outputs from its state.
// That provider has no factory in the registry: driftctl reads the data
// source itself, through the state package, which providers must not
// import.
const remoteStateType = "terraform_remote_state"

// remoteStateSpec decodes a terraform_remote_state block as Terraform
// 1.11's schema (internal/builtin/providers/terraform/data_source_state.go)
// declares its arguments; outputs is computed, so not decoded.
var remoteStateSpec = hcldec.ObjectSpec{
	"backend":   &hcldec.AttrSpec{Name: "backend", Type: cty.String, Required: true},
	"config":    &hcldec.AttrSpec{Name: "config", Type: cty.DynamicPseudoType},
	"defaults":  &hcldec.AttrSpec{Name: "defaults", Type: cty.DynamicPseudoType},
	"workspace": &hcldec.AttrSpec{Name: "workspace", Type: cty.String},
}

// schemaSource is the scan's config.SchemaSource: the registry's schemas,
// and the built-in terraform_remote_state data source. Embedding the
// registry keeps its other interfaces (config.FunctionSource,
// config.AttributeBlocksSource).
type schemaSource struct{ *providers.Registry }

// DataSpec is the decoder spec of a data source type.
func (s schemaSource) DataSpec(typ string) (hcldec.Spec, bool) {
	if typ == remoteStateType {
		return remoteStateSpec, true
	}
	return s.Registry.DataSpec(typ)
}

// remoteStates reads the states terraform_remote_state blocks name, each
// once per scan: module instances often read the same one.
type remoteStates struct {
	// dir is the root module's directory, where a local backend's
	// relative path starts (Terraform's working directory); "" for a
	// configuration read from a remote repository, which has none.
	dir string
	// root confines a local backend's path, as file functions are (see
	// OpenSource); "" reads anywhere.
	root string

	mu     sync.Mutex
	loaded map[string]*remoteState
}

// remoteState is one state read, or why it could not be.
type remoteState struct {
	once sync.Once
	st   *state.State
	err  error
}

func newRemoteStates(dir, root string) *remoteStates {
	return &remoteStates{dir: dir, root: root, loaded: map[string]*remoteState{}}
}

// inRoot reports whether the file at p (after symbolic links) is inside
// root.
func inRoot(root, p string) bool {
	if root == "" {
		return true
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return false
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	rel, err := filepath.Rel(root, abs)
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}

// read evaluates a terraform_remote_state block whose configuration cfg
// (remoteStateSpec's object) is wholly known, as Terraform's
// dataSourceRemoteStateRead: outputs holds the defaults, then every root
// output of the state of the workspace in the backend. Unlike Terraform,
// sensitive outputs are marked sensitive: driftctl never prints them.
// A state that does not exist is an error, defaults or not, as in
// Terraform ("Unable to find remote state").
func (r *remoteStates) read(ctx context.Context, cfg cty.Value) (cty.Value, error) {
	backend := state.Backend{Type: cfg.GetAttr("backend").AsString(), Workspace: state.DefaultWorkspace}
	if backend.Type == "_local" {
		// Terraform still reads the pre-0.9 name.
		backend.Type = "local"
	}
	if ws := cfg.GetAttr("workspace"); !ws.IsNull() {
		backend.Workspace = ws.AsString()
		if !state.ValidWorkspace(backend.Workspace) {
			return cty.NilVal, fmt.Errorf("workspace %q: a name may hold letters, digits and - _ . ~ only", backend.Workspace)
		}
	}
	settings, ok := config.BackendSettings(cfg.GetAttr("config"))
	if !ok {
		return cty.NilVal, errors.New("config must be an object of the backend's settings")
	}
	backend.Config = settings
	defaults := cfg.GetAttr("defaults")
	if !defaults.IsNull() && !defaults.Type().IsObjectType() && !defaults.Type().IsMapType() {
		return cty.NilVal, errors.New("defaults must be an object of output values")
	}

	st, err := r.load(ctx, backend)
	if err != nil {
		return cty.NilVal, err
	}
	outputs := map[string]cty.Value{}
	if !defaults.IsNull() {
		for it := defaults.ElementIterator(); it.Next(); {
			k, v := it.Element()
			outputs[k.AsString()] = v
		}
	}
	for name, o := range st.Outputs {
		v := o.Value
		if o.Sensitive {
			v = v.Mark(providers.SensitiveMark)
		}
		outputs[name] = v
	}
	return cty.ObjectVal(map[string]cty.Value{
		"backend":   cfg.GetAttr("backend"),
		"config":    cfg.GetAttr("config"),
		"defaults":  defaults,
		"workspace": cfg.GetAttr("workspace"),
		"outputs":   cty.ObjectVal(outputs),
	}), nil
}

// load reads the state of a backend's workspace, once per scan.
func (r *remoteStates) load(ctx context.Context, b state.Backend) (*state.State, error) {
	key := remoteStateKey(b)
	r.mu.Lock()
	rs, ok := r.loaded[key]
	if !ok {
		rs = &remoteState{}
		r.loaded[key] = rs
	}
	r.mu.Unlock()
	rs.once.Do(func() { rs.st, rs.err = r.loadOnce(ctx, b) })
	return rs.st, rs.err
}

func (r *remoteStates) loadOnce(ctx context.Context, b state.Backend) (*state.State, error) {
	switch b.Type {
	case "local", "s3", "http", "remote":
	default:
		return nil, fmt.Errorf("the %q backend is not one driftctl reads: it reads local, s3, http and remote", b.Type)
	}
	if b.Type == "local" && r.dir == "" {
		return nil, errors.New("a local backend's state is a file beside the configuration, and a configuration read from a remote repository has none")
	}
	loc, opts, err := state.Resolve(b, r.dir)
	if err != nil {
		return nil, err
	}
	if b.Type == "local" && !inRoot(r.root, loc) {
		return nil, fmt.Errorf("the local state %s is outside the stack's repository (or the directory scanned), which driftctl does not read from unless --allow-outside-files is given", loc)
	}
	st, err := state.Load(ctx, loc, opts...)
	if errors.Is(err, state.ErrNotFound) || errors.Is(err, state.ErrNoState) {
		// Terraform's message; the s3 backend would also have written an
		// empty state for a workspace it does not have, which a scan
		// does not.
		return nil, fmt.Errorf("unable to find remote state: no state of workspace %q in the %s backend at %s",
			b.Workspace, b.Type, redact.URL(loc))
	}
	return st, err
}

// remoteStateKey identifies a backend's workspace among a scan's reads.
func remoteStateKey(b state.Backend) string {
	var k strings.Builder
	k.WriteString(b.Type + "\x00" + b.Workspace)
	for _, name := range slices.Sorted(maps.Keys(b.Config)) {
		k.WriteString("\x00" + name + "=" + b.Config[name])
	}
	return k.String()
}
