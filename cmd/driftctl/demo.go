package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/fixtures"
	"github.com/gitdrift/driftctl/providers/aws"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

func newDemoCommand() *cobra.Command {
	var noColor bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Create the demo estate in a local AWS emulator, change it by hand, and scan it",
		Long: `Start moto_server (the moto AWS emulator) on a free loopback port, create the
estate of fixtures/demo in it as terraform apply would, write its state, make
the kind of changes people make by hand in the console, then run a real scan of
fixtures/demo against it and print the report.

The demo exits 0 when it ran as designed: when the scan found every hand change.`,
		Example: `  driftctl demo
  driftctl demo --no-color`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if code := runDemo(cmd.Context(), noColor, cmd.OutOrStdout(), cmd.ErrOrStderr()); code != exitOK {
				return &exitCodeError{code}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&noColor, "no-color", false, "never colour the console output")
	return cmd
}

func runDemo(ctx context.Context, noColor bool, stdout, stderr io.Writer) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "Error: "+format+"\n", args...)
		return exitError
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	fmt.Fprintln(stdout, "Starting moto_server (the moto AWS emulator) on 127.0.0.1 ...")
	srv, err := emulator.Launch(ctx)
	if errors.Is(err, emulator.ErrNoMoto) {
		return fail("the demo needs moto_server on PATH; %s", emulator.InstallHint)
	}
	if err != nil {
		return fail("%v", err)
	}
	defer srv.Close()

	// The project is written to TMP/fixtures/demo and scanned from TMP, so
	// that the report names files as they are in this repository.
	tmp, err := os.MkdirTemp("", "driftctl-demo-")
	if err != nil {
		return fail("%v", err)
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "fixtures", "demo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail("%v", err)
	}
	if err := copyFS(dir, fixtures.Demo, "demo"); err != nil {
		return fail("writing the demo project: %v", err)
	}
	if err := os.Chdir(tmp); err != nil {
		return fail("%v", err)
	}

	cfg := emulator.Config(srv.URL(), "us-east-1")
	fmt.Fprintln(stdout, "Creating the estate of fixtures/demo as terraform apply would ...")
	estate, err := emulator.SeedDemo(ctx, cfg)
	if err != nil {
		return fail("seeding the demo estate: %v", err)
	}
	stateJSON, err := estate.StateJSON()
	if err != nil {
		return fail("%v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "terraform.tfstate"), stateJSON, 0o600); err != nil {
		return fail("writing the demo state: %v", err)
	}
	fmt.Fprintf(stdout, "Created %d resources and wrote terraform.tfstate.\n\nChanging things by hand, as people do in the console:\n", len(estate.IDs))
	changes, err := emulator.DriftDemo(ctx, cfg, estate)
	if err != nil {
		return fail("making the hand changes: %v", err)
	}
	for _, c := range changes {
		fmt.Fprintf(stdout, "  - %s\n", c.What)
	}
	fmt.Fprintf(stdout, "\nScanning fixtures/demo against it (driftctl scan --stack demo):\n\n")

	factory := aws.NewFactory(aws.WithLoadOptions(
		awsconfig.WithBaseEndpoint(srv.URL()),
		awsconfig.WithCredentialsProvider(emulator.Credentials),
	))
	o := &scanOptions{dir: filepath.Join("fixtures", "demo"), failOn: "drifted,missing", unmanaged: "declared", stack: "demo", noColor: noColor,
		maxInstances: config.DefaultMaxInstances, maxValueBytes: config.DefaultMaxValueBytes}
	rep, code := runScan(ctx, o, factory, nil, stdout, stderr)
	if rep == nil {
		return fail("the demo scan did not complete")
	}
	if missed := unfound(rep, changes); len(missed) > 0 {
		return fail("the scan did not find these hand changes: %v", missed)
	}
	fmt.Fprintf(stdout, "\ndriftctl scan would have exited %d here (1: drift found). The demo found every hand change.\n", code)
	if code != exitDrift {
		return fail("expected the scan's exit code to be 1, got %d", code)
	}
	return exitOK
}

// unfound lists the hand changes the report does not show.
func unfound(rep *drift.Report, changes []emulator.HandChange) []string {
	var missed []string
	for _, c := range changes {
		found := false
		for _, r := range rep.Results {
			if c.Address == "" && r.Status == drift.Unmanaged || c.Address != "" && r.Address == c.Address && r.Status != drift.InSync {
				found = true
				break
			}
		}
		if !found {
			missed = append(missed, c.What)
		}
	}
	return missed
}

// copyFS writes the files under root of fsys into dir.
func copyFS(dir string, fsys fs.FS, root string) error {
	return fs.WalkDir(fsys, root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, filepath.Base(path)), data, 0o644)
	})
}
