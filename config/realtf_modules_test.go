package config

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// recordingFetcher is a ModuleFetcher that fetches nothing and records
// what it was asked for.
type recordingFetcher struct{ asked []string }

func (f *recordingFetcher) FetchModule(_ context.Context, source, version string) (*FetchedModule, error) {
	f.asked = append(f.asked, source+" "+version)
	return nil, context.Canceled
}

// TestRealTerraformModulesJSON: the module manifest `terraform init`
// wrote (fixtures/modules_realtf, Terraform 1.11.4) is read as Terraform
// reads it: every call's module is loaded, the Git module from the
// directory init installed it in (.terraform/modules/audit_logs/logs),
// nothing is left to fetch, and the installed module's files are not the
// repository's (not blamed).
func TestRealTerraformModulesJSON(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "fixtures", "modules_realtf")
	m, diags := Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if unread := m.UnreadModules(); len(unread) != 0 {
		t.Fatalf("unread modules: %+v", unread)
	}
	f := &recordingFetcher{}
	if diags := m.FetchModules(context.Background(), f); diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if len(f.asked) != 0 {
		t.Errorf("fetched %q; terraform init installed every module", f.asked)
	}

	var calls []string
	m.walkCalls("", func(addr string, mc *moduleCall) { calls = append(calls, addr+" "+mc.Module.Dir) })
	want := []string{
		"module.audit_logs " + filepath.Join(dir, ".terraform", "modules", "audit_logs", "logs"),
		"module.buckets " + filepath.Join(dir, "modules", "bucket"),
		"module.network " + filepath.Join(dir, "modules", "network"),
		"module.network.module.sg " + filepath.Join(dir, "modules", "sg"),
		"module.svc " + filepath.Join(dir, "modules", "svc"),
	}
	if !slices.Equal(calls, want) {
		t.Errorf("module calls and directories:\n%q\nwant\n%q", calls, want)
	}

	installed := filepath.Join(dir, ".terraform", "modules", "audit_logs", "logs", "main.tf")
	if !m.Foreign(installed) {
		t.Errorf("Foreign(%s) = false: an installed module's file would be blamed", installed)
	}
	if local := filepath.Join(dir, "modules", "bucket", "main.tf"); m.Foreign(local) {
		t.Errorf("Foreign(%s) = true: a local module's file is the repository's", local)
	}
}
