package scan

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/gitsource"
	"github.com/gitdrift/driftctl/providers"
)

// writeTree writes files (slash-separated paths) under a new directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestModulesAreEvaluated: the resources of local, nested and installed
// modules are compared as any other, at their module addresses, and claim
// their live resources: nothing is unknown, nothing withheld, and only
// what no module declares is unmanaged.
func TestModulesAreEvaluated(t *testing.T) {
	t.Parallel()
	s := identitySchema()
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
		live(t, s, "t-a", map[string]cty.Value{"name": cty.StringVal("a")}),
		live(t, s, "t-m0", map[string]cty.Value{"name": cty.StringVal("a-m-0")}),
		live(t, s, "t-m1", map[string]cty.Value{"name": cty.StringVal("a-m-1")}),
		live(t, s, "t-s", map[string]cty.Value{"name": cty.StringVal("s")}),
		live(t, s, "t-hand", map[string]cty.Value{"name": cty.StringVal("by hand")}),
	}}}
	const root = "resource \"test_thing\" \"a\" { name = \"a\" }\n"
	tests := []struct {
		name    string
		files   map[string]string
		inSync  []string
		missing []string
	}{
		{
			name: "local and nested",
			files: map[string]string{
				"main.tf":              root + "module \"net\" {\n  source = \"./modules/net\"\n  for_each = toset([\"a\"])\n  prefix = each.key\n}\n",
				"modules/net/main.tf":  "variable \"prefix\" {}\nresource \"test_thing\" \"m\" {\n  count = 2\n  name = \"${var.prefix}-m-${count.index}\"\n}\nmodule \"deep\" { source = \"../deep\" }\n",
				"modules/deep/main.tf": "resource \"test_thing\" \"d\" { name = \"d\" }\n",
			},
			inSync:  []string{`module.net["a"].test_thing.m[0]`, `module.net["a"].test_thing.m[1]`, "test_thing.a"},
			missing: []string{`module.net["a"].module.deep.test_thing.d`},
		},
		{
			name: "installed by terraform init",
			files: map[string]string{
				"main.tf":                           root + "module \"svc\" {\n  source  = \"acme/svc/aws\"\n  version = \"1.2.0\"\n}\n",
				".terraform/modules/modules.json":   `{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"svc","Source":"registry.terraform.io/acme/svc/aws","Version":"1.2.0","Dir":".terraform/modules/svc"}]}`,
				".terraform/modules/svc/main.tf":    "resource \"test_thing\" \"s\" { name = \"s\" }\n",
				".terraform/modules/svc/outputs.tf": "output \"name\" { value = test_thing.s.name }\n",
			},
			inSync: []string{"module.svc.test_thing.s", "test_thing.a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			res, err := Run(context.Background(), f, Options{Location: dir, Unmanaged: true})
			if err != nil {
				t.Fatal(err)
			}
			rep := res.Report
			byStatus := map[drift.Status][]string{}
			for _, r := range rep.Results {
				id := r.Address
				if r.Status == drift.Unmanaged {
					id = r.ID
				}
				byStatus[r.Status] = append(byStatus[r.Status], id)
			}
			if got := byStatus[drift.InSync]; strings.Join(got, " ") != strings.Join(tt.inSync, " ") {
				t.Errorf("in sync %q, want %q", got, tt.inSync)
			}
			if got := byStatus[drift.Missing]; strings.Join(got, " ") != strings.Join(tt.missing, " ") {
				t.Errorf("missing %q, want %q", got, tt.missing)
			}
			if len(byStatus[drift.Unknown]) > 0 || len(rep.Withheld) > 0 {
				t.Errorf("unknown %q, withheld %+v; want none", byStatus[drift.Unknown], rep.Withheld)
			}
			for _, id := range byStatus[drift.Unmanaged] {
				if id != "t-hand" && !(id == "t-s" && tt.name != "installed by terraform init") && !(strings.HasPrefix(id, "t-m") && tt.name != "local and nested") {
					t.Errorf("%s is called unmanaged", id)
				}
			}
		})
	}
}

// TestUnreadModulesAreNeverDropped: a module that is not read is in the
// report as unknown; without a state to say what it manages, no live
// resource is called unmanaged.
func TestUnreadModulesAreNeverDropped(t *testing.T) {
	t.Parallel()
	s := identitySchema()
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
		live(t, s, "t-a", map[string]cty.Value{"name": cty.StringVal("a")}),
		live(t, s, "t-m", map[string]cty.Value{"name": cty.StringVal("made-by-a-module")}),
	}}}
	const root = "resource \"test_thing\" \"a\" { name = \"a\" }\n"
	tests := []struct {
		name     string
		files    map[string]string
		withheld string // a part of the reason
	}{
		{
			name: "outside the repository",
			files: map[string]string{
				"main.tf": root + "module \"up\" { source = \"../../elsewhere\" }\n",
			},
			withheld: "main.tf:2) is not read: its directory is outside the repository",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			res, err := Run(context.Background(), f, Options{Location: dir, Unmanaged: true})
			if err != nil {
				t.Fatal(err)
			}
			rep := res.Report
			var unknown []string
			for _, r := range rep.Results {
				switch r.Status {
				case drift.Unknown:
					unknown = append(unknown, r.Address)
					if !r.Unsupported {
						t.Errorf("%s: not marked unsupported (it would make the scan partial)", r.Address)
					}
				case drift.Unmanaged:
					t.Errorf("%s is called unmanaged", r.ID)
				}
			}
			if len(unknown) != 1 || !strings.HasPrefix(unknown[0], "module.") {
				t.Errorf("unknown %q, want the module", unknown)
			}
			if a := resultsByAddress(rep)["test_thing.a"]; a.Status != drift.InSync {
				t.Errorf("test_thing.a: %s (%s)", a.Status, a.Reason)
			}
			if len(rep.Withheld) != 1 || rep.Withheld[0].Type != "test_thing" || !strings.Contains(rep.Withheld[0].Reason, tt.withheld) {
				t.Errorf("withheld %+v, want test_thing with %q", rep.Withheld, tt.withheld)
			}
		})
	}
}

// TestNoModulesWithholdsNothing: without module calls, unmanaged
// resources are reported as before.
func TestNoModulesWithholdsNothing(t *testing.T) {
	t.Parallel()
	s := testSchema()
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
		live(t, s, "t-a", map[string]cty.Value{"name": cty.StringVal("a")}),
		live(t, s, "t-u", map[string]cty.Value{"name": cty.StringVal("by hand")}),
	}}}
	dir := writeModule(t, "resource \"test_thing\" \"a\" { name = \"a\" }\n")
	res, err := Run(context.Background(), f, Options{Location: dir, Unmanaged: true, States: []string{writeState(t, "test_thing.a", "t-a")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Report.Withheld) != 0 || res.Report.Count(drift.Unmanaged) != 1 {
		t.Errorf("withheld %+v, %d unmanaged; want none withheld and t-u unmanaged", res.Report.Withheld, res.Report.Count(drift.Unmanaged))
	}
}

// identitySchema is the test schema with a natural identity, its name.
func identitySchema() *providers.Schema {
	s := testSchema()
	s.Identity = func(v cty.Value) string {
		n := v.GetAttr("name")
		if !n.IsKnown() || n.IsNull() {
			return ""
		}
		return n.AsString()
	}
	return s
}

// TestModuleInstancesFromState: with a state, each instance it records
// under a module that is not read is in the report with its address and
// ID, and claims its live resource, so unmanaged resources of the type are
// still reported (a live one no state records is unmanaged).
func TestModuleInstancesFromState(t *testing.T) {
	t.Parallel()
	s := testSchema()
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
		live(t, s, "t-a", map[string]cty.Value{"name": cty.StringVal("a")}),
		live(t, s, "t-m0", map[string]cty.Value{"name": cty.StringVal("m")}),
		live(t, s, "t-m1", map[string]cty.Value{"name": cty.StringVal("m")}),
		live(t, s, "t-hand", map[string]cty.Value{"name": cty.StringVal("by hand")}),
	}}}
	dir := writeTree(t, map[string]string{
		"main.tf": "resource \"test_thing\" \"a\" { name = \"a\" }\nmodule \"net\" {\n  source   = \"../../elsewhere/net\"\n  for_each = toset([\"x\"])\n}\n",
	})
	statePath := writeStateJSON(t, stateResource("test_thing.a", "t-a"),
		`{"module": "module.net[\"x\"].module.sub", "mode": "managed", "type": "test_thing", "name": "m", `+stateProvider+`, "instances": [
    {"index_key": 0, "schema_version": 0, "attributes": {"id": "t-m0"}},
    {"index_key": 1, "schema_version": 0, "attributes": {"id": "t-m1"}}]}`)
	res, err := Run(context.Background(), f, Options{Location: dir, States: []string{statePath}, Unmanaged: true})
	if err != nil {
		t.Fatal(err)
	}
	rep := res.Report
	got := resultsByAddress(rep)
	for addr, id := range map[string]string{`module.net["x"].module.sub.test_thing.m[0]`: "t-m0", `module.net["x"].module.sub.test_thing.m[1]`: "t-m1"} {
		r := got[addr]
		if r.Status != drift.Unknown || !r.Unsupported || r.ID != id || r.DeclRange.Start.Line != 2 || !strings.Contains(r.Reason, "module.net") {
			t.Errorf("%s: %+v, want unknown with ID %s, declared at the module block", addr, r, id)
		}
	}
	var unmanaged []string
	for _, r := range rep.Results {
		if r.Status == drift.Unmanaged {
			unmanaged = append(unmanaged, r.ID)
		}
	}
	if len(unmanaged) != 1 || unmanaged[0] != "t-hand" || len(rep.Withheld) != 0 {
		t.Errorf("unmanaged %v, withheld %+v; want only t-hand unmanaged and nothing withheld", unmanaged, rep.Withheld)
	}
}

// gitModuleRepo commits files to a new Git repository, tagged v1, and
// returns its file:// URL.
func gitModuleRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := writeTree(t, files)
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.AddGlob("."); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "Mod Author", Email: "mod@example.com", When: time.Unix(1700000000, 0)}
	head, err := wt.Commit("modules", &git.CommitOptions{Author: sig})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.CreateTag("v1", head, nil); err != nil {
		t.Fatal(err)
	}
	return "file://" + filepath.ToSlash(dir)
}

// TestFetchedModules: a module whose source is a Git repository that
// `terraform init` has not installed is fetched (at its ref, from its
// subdirectory, with its own ../ calls inside the package) and compared;
// its files are named by their source and ref, and are not blamed.
func TestFetchedModules(t *testing.T) {
	t.Parallel()
	s := identitySchema()
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
		live(t, s, "t-r", map[string]cty.Value{"name": cty.StringVal("remote-x")}),
		live(t, s, "t-c", map[string]cty.Value{"name": cty.StringVal("common")}),
	}}}
	url := gitModuleRepo(t, map[string]string{
		"mods/thing/main.tf":  "variable \"suffix\" {}\nresource \"test_thing\" \"r\" { name = \"remote-${var.suffix}\" }\nmodule \"common\" { source = \"../common\" }\n",
		"mods/common/main.tf": "resource \"test_thing\" \"c\" { name = \"common\" }\n",
	})
	dir := writeTree(t, map[string]string{
		"main.tf": "module \"r\" {\n  source = \"git::" + url + "//mods/thing?ref=v1\"\n  suffix = \"x\"\n}\n",
	})
	res, err := Run(context.Background(), f, Options{Location: dir, Unmanaged: true, Git: gitsource.Options{CacheDir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	got := resultsByAddress(res.Report)
	for _, addr := range []string{"module.r.test_thing.r", "module.r.module.common.test_thing.c"} {
		if got[addr].Status != drift.InSync {
			t.Errorf("%s: %s %s; results %v", addr, got[addr].Status, got[addr].Reason, res.Report.Results)
		}
	}
	file := got["module.r.test_thing.r"].DeclRange.Filename
	if want := "git::" + url + "//mods/thing/main.tf?ref=v1"; file != want {
		t.Errorf("file %q, want %q", file, want)
	}
	mod, _ := config.Load(dir)
	if mod.Foreign(file) {
		t.Error("a module not fetched by this Module is foreign")
	}

	dir = writeTree(t, map[string]string{
		"main.tf": "resource \"test_thing\" \"a\" { name = \"a\" }\nmodule \"gone\" {\n  source = \"git::" + url + "-nope//mods/thing?ref=v1\"\n}\n",
	})
	_, err = Run(context.Background(), f, Options{Location: dir, Git: gitsource.Options{CacheDir: t.TempDir()}})
	var serr *Error
	if !errors.As(err, &serr) || serr.Stage != StageLoad || len(serr.Diagnostics) == 0 {
		t.Fatalf("err %v, want a load error", err)
	}
	d := serr.Diagnostics[0]
	if d.Summary != "Failed to fetch module" || d.Subject == nil || d.Subject.Start.Line != 3 || !strings.Contains(d.Detail, `Module "gone"`) {
		t.Errorf("diagnostic %s: %s at %v", d.Summary, d.Detail, d.Subject)
	}
}
