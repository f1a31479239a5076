package plugin

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// TestLocalProvider drives terraform-provider-local v1.4.0 (protocol 5,
// legacy SDK) through schema, configure, upgrade, read, plan, data source
// read and import.
func TestLocalProvider(t *testing.T) {
	ctx := context.Background()
	c := start(t, localProvider(t), WithName("registry.terraform.io/hashicorp/local"))
	if v := c.ProtocolVersion(); v != 5 {
		t.Fatalf("protocol %d, want 5", v)
	}
	ps, err := c.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lf, ok := ps.ResourceTypes["local_file"]
	if !ok {
		t.Fatalf("no local_file in %d resource types", len(ps.ResourceTypes))
	}
	for _, name := range []string{"content", "filename", "sensitive_content", "content_base64", "id"} {
		if _, ok := lf.Block.Attributes[name]; !ok {
			t.Errorf("local_file has no attribute %s", name)
		}
	}
	if a := lf.Block.Attributes["filename"]; a == nil || !a.Required || a.Type != cty.String {
		t.Errorf("local_file.filename = %+v, want a required string", a)
	}
	if a := lf.Block.Attributes["sensitive_content"]; a == nil || !a.Sensitive {
		t.Errorf("local_file.sensitive_content = %+v, want sensitive", a)
	}
	if _, ok := ps.DataSources["local_file"]; !ok {
		t.Error("no local_file data source")
	}
	if ps2, _ := c.Schema(ctx); ps2 != ps {
		t.Error("second Schema call did not return the kept schema")
	}
	if err := c.Configure(ctx, cty.NilVal); err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(t.TempDir(), "hello.txt")
	if err := os.WriteFile(path, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum([]byte("hello"))
	raw, _ := json.Marshal(map[string]any{
		"id": hex.EncodeToString(sum[:]), "content": "hello", "filename": path,
		"file_permission": "0777", "directory_permission": "0777",
	})
	state, err := c.UpgradeResourceState(ctx, "local_file", lf.Version, raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := state.GetAttr("content"); !got.RawEquals(cty.StringVal("hello")) {
		t.Fatalf("upgraded content = %#v", got)
	}

	read, _, err := c.ReadResource(ctx, "local_file", state, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !read.RawEquals(state) {
		t.Errorf("read of an unchanged file:\n got %#v\nwant %#v", read, state)
	}

	// A different content in the configuration: local_file forces a new
	// file for it.
	cfg := map[string]cty.Value{}
	for name, v := range state.AsValueMap() {
		cfg[name] = v
	}
	cfg["content"] = cty.StringVal("changed")
	cfg["id"] = cty.NullVal(cty.String)
	config := cty.ObjectVal(cfg)
	cfg["id"] = state.GetAttr("id")
	proposed := cty.ObjectVal(cfg)
	plan, err := c.PlanResourceChange(ctx, PlanRequest{Type: "local_file", Prior: read, Proposed: proposed, Config: config})
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.Planned.GetAttr("content"); !got.RawEquals(cty.StringVal("changed")) {
		t.Errorf("planned content = %#v", got)
	}
	contentPath := cty.GetAttrPath("content")
	if !slices.ContainsFunc(plan.RequiresReplace, contentPath.Equals) {
		t.Errorf("RequiresReplace = %#v, want content", plan.RequiresReplace)
	}
	if !plan.LegacyTypeSystem {
		t.Error("a legacy SDK provider's plan has LegacyTypeSystem unset")
	}

	data, err := c.ReadDataSource(ctx, "local_file", cty.ObjectVal(map[string]cty.Value{
		"filename": cty.StringVal(path), "content": cty.NullVal(cty.String), "content_base64": cty.NullVal(cty.String),
		"id": cty.NullVal(cty.String),
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := data.GetAttr("content"); !got.RawEquals(cty.StringVal("hello")) {
		t.Errorf("data.local_file content = %#v", got)
	}

	// local_file v1.4.0 has no importer: the provider says so, as a
	// diagnostic.
	if _, err := c.ImportResourceState(ctx, "local_file", path); err != nil {
		var de *DiagnosticsError
		if !errors.As(err, &de) {
			t.Errorf("import: %v, want a *DiagnosticsError", err)
		}
		t.Logf("import: %v", err)
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	gone, _, err := c.ReadResource(ctx, "local_file", state, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !gone.IsNull() {
		t.Errorf("read of a deleted file = %#v, want null", gone)
	}

	if _, _, err := c.ReadResource(ctx, "local_nothing", state, nil); err == nil {
		t.Error("reading an unknown type: no error")
	}
}
