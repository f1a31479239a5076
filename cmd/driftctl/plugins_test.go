package main

import (
	"os"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gitdrift/driftctl/providers/plugin/plugintest"
)

// cmdTestfs lays the test provider (terraform-provider-testfs, built once
// per test process) out as a plugin directory and names it in an
// environment variable: testfs NAME [DIR]. With DIR, it is installed
// there (DIR/.terraform/providers for a stack initialized by terraform
// init). Scripts guard it with [!testfs] skip.
func cmdTestfs(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: testfs NAME [DIR]")
	}
	bin, skip, err := plugintest.Binary()
	if skip != "" {
		ts.Fatalf("building the test provider: %s", skip)
	}
	ts.Check(err)
	dir := ts.MkAbs("plugins")
	if len(args) == 2 {
		dir = ts.MkAbs(args[1])
	}
	ts.Check(plugintest.Install(bin, dir))
	ts.Setenv(args[0], dir)
}

// testfsBuilds is the testfs condition: the test provider can be built
// here (go on PATH, the module proxy in reach for a cold build). In CI it
// always holds, so that a machine that cannot build it fails.
func testfsBuilds() bool {
	_, skip, _ := plugintest.Binary()
	return skip == "" || os.Getenv("CI") == "true"
}
