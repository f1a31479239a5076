package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitdrift/driftctl/serve"
)

// A second driftctl serve on a data directory in use exits 2 with a
// message naming the directory and the process that holds it.
func TestServeRefusesADataDirectoryInUse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(filepath.Join(dir, "prod"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "driftctl.hcl")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf("server {\n  data_dir = %q\n}\nstack \"prod\" {\n  source = \"prod\"\n}\n", data)), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := serve.LoadConfig(cfgPath)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	first, err := serve.New(serve.Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()

	var stderr bytes.Buffer
	code := runServe(context.Background(), &serveOptions{config: cfgPath}, func(string) bool { return false }, &stderr)
	if code != exitError {
		t.Errorf("exit code %d, want %d", code, exitError)
	}
	for _, want := range []string{data, fmt.Sprintf("process %d", os.Getpid()), "another driftctl serve"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}
