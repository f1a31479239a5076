package scan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/state"
)

// testSchema is the schema of the fake provider's one resource type.
func testSchema() *providers.Schema {
	return &providers.Schema{
		Type: "test_thing",
		Tags: true,
		Attributes: map[string]*providers.Attribute{
			"id":          {Type: cty.String, Computed: true},
			"name":        {Type: cty.String, Required: true},
			"size":        {Type: cty.Number, Optional: true, Computed: true},
			"description": {Type: cty.String, Optional: true},
			"tenancy":     {Type: cty.String, Optional: true, Default: cty.StringVal("default")},
			"tags":        {Type: cty.Map(cty.String), Optional: true},
			"secret":      {Type: cty.String, Optional: true, Sensitive: true},
		},
	}
}

// obj builds a value of the test schema: attributes not given are null.
func obj(t *testing.T, s *providers.Schema, attrs map[string]cty.Value) cty.Value {
	t.Helper()
	m := map[string]cty.Value{}
	for name, a := range s.Attributes {
		if v, ok := attrs[name]; ok {
			m[name] = v
		} else {
			m[name] = cty.NullVal(a.ImpliedType())
		}
	}
	v := cty.ObjectVal(m)
	if !v.Type().Equals(s.ImpliedType()) {
		t.Fatalf("test value does not conform to the schema: %#v", v.Type())
	}
	return v
}

// scanModule scans the module in dir against f with the state st (nil for
// none), as Run does after reading them.
func scanModule(t *testing.T, f providers.Factory, dir string, st *state.State) (*drift.Report, error) {
	t.Helper()
	mod, diags := config.Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	sess, err := NewStack(f, mod, st, Options{Stack: "s", Unmanaged: true}).Session(context.Background(), nil)
	if err != nil {
		return nil, err
	}
	sess.Close()
	return sess.Report, nil
}

// writeModule writes src as main.tf of a new directory.
func writeModule(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// stateProvider is the provider of the test states' resources, as a
// state's JSON names it.
const stateProvider = `"provider": "provider[\"registry.terraform.io/hashicorp/test\"]"`

// writeStateJSON writes a Terraform state (format 4) whose resources are
// the given JSON objects into a new directory and returns its path.
func writeStateJSON(t *testing.T, resources ...string) string {
	t.Helper()
	doc := `{"version": 4, "terraform_version": "1.11.0", "serial": 1, "lineage": "l", "outputs": {}, "resources": [` +
		strings.Join(resources, ",\n") + `]}`
	path := filepath.Join(t.TempDir(), "terraform.tfstate")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// stateResource is one managed resource of a test state, TYPE.NAME with
// one instance whose id is id.
func stateResource(addr, id string) string {
	typ, name, _ := strings.Cut(addr, ".")
	return fmt.Sprintf(`{"mode": "managed", "type": %q, "name": %q, %s, "instances": [{"schema_version": 0, "attributes": {"id": %q}}]}`,
		typ, name, stateProvider, id)
}

// writeState writes a Terraform state of one resource instance, TYPE.NAME
// with id, into a new directory and returns its path.
func writeState(t *testing.T, addr, id string) string {
	t.Helper()
	return writeStateJSON(t, stateResource(addr, id))
}
