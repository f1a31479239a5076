package plugin

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers/plugin/plugintest"
)

// proposedNew is Terraform's proposed new state for a block of top-level
// attributes only (testfs_file's shape): the configuration's values, and
// the prior's where the configuration leaves a computed attribute null.
func proposedNew(s *Schema, prior, config cty.Value) cty.Value {
	m := map[string]cty.Value{}
	for name, a := range s.Block.Attributes {
		v := config.GetAttr(name)
		if v.IsNull() && a.Computed {
			v = prior.GetAttr(name)
		}
		m[name] = v
	}
	return cty.ObjectVal(m)
}

var testfsTags = cty.MapVal(map[string]cty.Value{"team": cty.StringVal("infra")})

// testfsFileConfig is a testfs_file block with path, content, the secret
// "s3cr3t" and testfsTags.
func testfsFileConfig(path, content string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"id": cty.NullVal(cty.String), "path": cty.StringVal(path), "content": cty.StringVal(content),
		"mode": cty.NullVal(cty.String), "secret": cty.StringVal("s3cr3t"),
		"tags": testfsTags, "size": cty.NullVal(cty.Number),
	})
}

// TestPoolTestfsReadAndPlan drives the framework test provider through a
// pool on both protocols: a file in sync plans no change, a hand change
// plans the configured content back, a path change forces a replacement,
// and a deleted file reads as null.
func TestPoolTestfsReadAndPlan(t *testing.T) {
	bin := plugintest.Build(t)
	for _, protocol := range []int{6, 5} {
		t.Run("protocol "+string(rune('0'+protocol)), func(t *testing.T) {
			if protocol == 5 {
				t.Setenv("TESTFS_PROTOCOL", "5")
			}
			ctx := context.Background()
			root := testfsRoot(t, "hello")
			// The sensitive secret and the tags live in sidecar files.
			for name, content := range map[string]string{".f.txt.secret": "s3cr3t", ".f.txt.tags": `{"team":"infra"}`} {
				if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			p, _ := newTestPool(t)
			if err := p.Add("testfs", bin, testfsConfig(root)); err != nil {
				t.Fatal(err)
			}
			c := poolClient(t, p, "testfs")
			if v := c.ProtocolVersion(); v != protocol {
				t.Fatalf("protocol %d, want %d", v, protocol)
			}
			ps, err := c.Schema(ctx)
			if err != nil {
				t.Fatal(err)
			}
			s := ps.ResourceTypes["testfs_file"]
			if s == nil {
				t.Fatal("no testfs_file")
			}

			state, private := importFile(t, c, "f.txt")
			want := map[string]cty.Value{
				"id": cty.StringVal("f.txt"), "path": cty.StringVal("f.txt"), "content": cty.StringVal("hello"),
				"mode": cty.StringVal("0644"), "size": cty.NumberIntVal(5),
				"secret": cty.StringVal("s3cr3t"), "tags": testfsTags,
			}
			for name, w := range want {
				if got := state.GetAttr(name); !got.RawEquals(w) {
					t.Errorf("read %s = %#v, want %#v", name, got, w)
				}
			}

			plan := func(prior cty.Value, config cty.Value) *PlanResponse {
				t.Helper()
				resp, err := c.PlanResourceChange(ctx, PlanRequest{
					Type: "testfs_file", Prior: prior, Proposed: proposedNew(s, prior, config), Config: config, PriorPrivate: private,
				})
				if err != nil {
					t.Fatal(err)
				}
				return resp
			}

			// In sync: the plan is the state.
			inSync := plan(state, testfsFileConfig("f.txt", "hello"))
			if !inSync.Planned.RawEquals(state) {
				t.Errorf("plan of a file in sync:\n got %#v\nwant %#v", inSync.Planned, state)
			}
			if len(inSync.RequiresReplace) != 0 {
				t.Errorf("plan of a file in sync requires replacing %#v", inSync.RequiresReplace)
			}
			if !s.Block.Attributes["secret"].Sensitive {
				t.Error("secret is not sensitive in the schema")
			}
			if inSync.LegacyTypeSystem {
				t.Error("a framework provider's plan has LegacyTypeSystem set")
			}
			// The same mode written "644" is no change either.
			cfg644 := testfsFileConfig("f.txt", "hello").AsValueMap()
			cfg644["mode"] = cty.StringVal("644")
			if got := plan(state, cty.ObjectVal(cfg644)); !got.Planned.GetAttr("mode").RawEquals(cty.StringVal("0644")) {
				t.Errorf("planned mode for \"644\" = %#v, want the state's \"0644\"", got.Planned.GetAttr("mode"))
			}

			// Changed by hand: the read sees it, the plan puts the
			// configured content back.
			if err := os.WriteFile(filepath.Join(root, "f.txt"), []byte("changed by hand"), 0o644); err != nil {
				t.Fatal(err)
			}
			changed, _, err := c.ReadResource(ctx, "testfs_file", state, private)
			if err != nil {
				t.Fatal(err)
			}
			if got := changed.GetAttr("content"); !got.RawEquals(cty.StringVal("changed by hand")) {
				t.Fatalf("read content = %#v", got)
			}
			drift := plan(changed, testfsFileConfig("f.txt", "hello"))
			if drift.Planned.RawEquals(changed) {
				t.Error("the plan of a changed file is the read state")
			}
			if got := drift.Planned.GetAttr("content"); !got.RawEquals(cty.StringVal("hello")) {
				t.Errorf("planned content = %#v, want the configured one", got)
			}
			if len(drift.RequiresReplace) != 0 {
				t.Errorf("a content change requires replacing %#v", drift.RequiresReplace)
			}

			// Another path in the configuration forces a new file.
			renamed := plan(changed, testfsFileConfig("g.txt", "hello"))
			if !slices.ContainsFunc(renamed.RequiresReplace, cty.GetAttrPath("path").Equals) {
				t.Errorf("RequiresReplace = %#v, want path", renamed.RequiresReplace)
			}

			// Deleted: the read is null.
			if err := os.Remove(filepath.Join(root, "f.txt")); err != nil {
				t.Fatal(err)
			}
			gone, _, err := c.ReadResource(ctx, "testfs_file", state, private)
			if err != nil {
				t.Fatal(err)
			}
			if !gone.IsNull() {
				t.Errorf("read of a deleted file = %#v, want null", gone)
			}
		})
	}
}

// TestPoolTestfsCrash: a framework provider that panics in Read makes its
// configuration fail fast with the provider's name and its panic, while
// another configuration of the same binary goes on.
func TestPoolTestfsCrash(t *testing.T) {
	bin := plugintest.Build(t)
	ctx := context.Background()
	p, _ := newTestPool(t)
	for _, key := range []string{"testfs.crashy", "testfs.healthy"} {
		if err := p.Add(key, bin, testfsConfig(testfsRoot(t, "hello"))); err != nil {
			t.Fatal(err)
		}
	}
	// The switch is read when the process starts.
	t.Setenv("TESTFS_CRASH_ON_READ", "panic")
	crashy := poolClient(t, p, "testfs.crashy")
	os.Unsetenv("TESTFS_CRASH_ON_READ")
	healthy := poolClient(t, p, "testfs.healthy")

	imported, err := crashy.ImportResourceState(ctx, "testfs_file", "f.txt")
	if err != nil {
		t.Fatal(err)
	}
	_, _, crash := crashy.ReadResource(ctx, "testfs_file", imported[0].State, imported[0].Private)
	var ce *CallError
	if !errors.As(crash, &ce) || !ce.Exited {
		t.Fatalf("the crash: %v, want a CallError of an exited process", crash)
	}
	for _, want := range []string{"provider testfs.crashy", "ReadResource", "panic: testfs: TESTFS_CRASH_ON_READ"} {
		if !strings.Contains(crash.Error(), want) {
			t.Errorf("the crash's error does not say %q:\n%v", want, crash)
		}
	}
	if strings.Contains(ce.Stderr, `"@level":"trace"`) {
		t.Errorf("the crash's stderr tail holds the SDK's trace log:\n%s", ce.Stderr)
	}
	if _, err := crashy.ImportResourceState(ctx, "testfs_file", "f.txt"); err != crash {
		t.Errorf("after the crash: %v, want the crash's error", err)
	}
	if state, _ := importFile(t, healthy, "f.txt"); !state.GetAttr("content").RawEquals(cty.StringVal("hello")) {
		t.Errorf("the healthy configuration read %#v", state)
	}
}
