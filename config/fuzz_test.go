package config

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// FuzzLoad feeds arbitrary bytes as a module's main.tf and
// terraform.tfvars through loading and evaluation (providers and
// resources, with the test schemas and a resolver that echoes the
// configuration). Whatever the input, nothing panics or overflows the
// stack, and every error names a line of one of the two files.
func FuzzLoad(f *testing.F) {
	for _, dir := range []string{"testdata/valid-files/basic", "testdata/valid-files/vars"} {
		main, _ := os.ReadFile(filepath.Join(dir, "main.tf"))
		vars, _ := os.ReadFile(filepath.Join(dir, "variables.tf"))
		tfvars, _ := os.ReadFile(filepath.Join(dir, "terraform.tfvars"))
		f.Add(append(main, vars...), tfvars)
	}
	entries, _ := os.ReadDir("testdata/invalid-files")
	for _, e := range entries {
		if src, err := os.ReadFile(filepath.Join("testdata/invalid-files", e.Name(), "main.tf")); err == nil {
			f.Add(src, []byte(nil))
		}
	}
	f.Add([]byte(bucket(rep("(", 300)+`"x"`+rep(")", 300))), []byte(nil))
	f.Add([]byte(doubling(39)), []byte(nil))
	f.Add([]byte("resource \"aws_s3_bucket\" \"b\" {\n  count = 100000000\n}\n"), []byte(nil))
	f.Add([]byte(rep("\u00a7\n", 100)), []byte(nil))
	f.Add([]byte("variable \"v\" {\n  type = list(string)\n}\n"+bucket("var.v[0]")), []byte("v = [\"a\", "+rep("[", 300)+"]\n"))
	f.Fuzz(func(t *testing.T, main, tfvars []byte) {
		fsys := fstest.MapFS{"main.tf": {Data: main}}
		if len(tfvars) > 0 {
			fsys["terraform.tfvars"] = &fstest.MapFile{Data: tfvars}
		}
		files := map[string]int{"fuzz/main.tf": len(main), "fuzz/terraform.tfvars": len(tfvars)}
		m, diags := LoadFS(fsys, "fuzz")
		checkLocated(t, "Load", diags, files)
		if diags.HasErrors() {
			return
		}
		ev, diags := NewEvaluator(m, testSchemas(), VarOptions{}, WithLimits(Limits{MaxInstances: 100, MaxValueBytes: 64 << 10}))
		checkLocated(t, "NewEvaluator", diags, files)
		if diags.HasErrors() {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, diags = ev.Providers(ctx)
		checkLocated(t, "Providers", diags, files)
		_, diags = ev.Resources(ctx, accountData(), &fakeResolver{ResolveFn: withID})
		checkLocated(t, "Resources", diags, files)
	})
}

// checkLocated fails unless every error of diags has a subject on a line
// of one of files (by name, with their sizes).
func checkLocated(t *testing.T, stage string, diags hcl.Diagnostics, files map[string]int) {
	t.Helper()
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		if d.Subject == nil {
			t.Errorf("%s: an error without a location: %s: %s", stage, d.Summary, d.Detail)
			continue
		}
		size, ok := files[d.Subject.Filename]
		if !ok || d.Subject.Start.Line < 1 || d.Subject.Start.Byte > size+1 {
			t.Errorf("%s: an error located outside the files: %s at %s (byte %d)", stage, d.Summary, d.Subject, d.Subject.Start.Byte)
		}
		if strings.Contains(d.Detail, "goroutine ") {
			t.Errorf("%s: a panic's trace in an error: %s", stage, d.Detail)
		}
	}
}
