package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/gitdrift/driftctl/genconfig"
	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws"
	"github.com/gitdrift/driftctl/scan"
)

// genImportOptions are the flags of driftctl gen-import.
type genImportOptions struct {
	scanOptions
	out     string
	targets []string
}

func newGenImportCommand() *cobra.Command {
	o := &genImportOptions{}
	cmd := &cobra.Command{
		Use:   "gen-import [DIR|REPOSITORY]",
		Short: "Write resource and import blocks for the unmanaged resources a scan finds",
		Long: `Scan the HCL in DIR or a Git repository (default: .) with unmanaged discovery
on, and write, for each unmanaged resource (or those --target names), a
resource block of its configurable attributes and an import block, as
terraform plan -generate-config-out does. Add the file to the configuration:
the next scan finds those resources in sync, and terraform plan imports them.

Only the types driftctl reads natively can be listed, and only the types the
configuration declares are discovered. Sensitive values are never written.

Exit codes: 0 written (or nothing to write); 2 it could not be done (bad
input, a --target that is not an unmanaged resource, an existing -o file, a
partial scan), and nothing is written.`,
		Example: `  # Every unmanaged resource of the declared types, into a new file
  driftctl gen-import infra/prod -o infra/prod/imported.tf

  # Only these resources (repeatable), to stdout
  driftctl gen-import infra/prod --target aws_vpc/vpc-0abc --target aws_s3_bucket/logs-archive`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.parseArgs(cmd, args); err != nil {
				return err
			}
			factory := aws.NewFactory(o.awsOptions()...)
			if code := runGenImport(cmd.Context(), o, factory, cmd.OutOrStdout(), cmd.ErrOrStderr()); code != exitOK {
				return &exitCodeError{code}
			}
			return nil
		},
	}
	f := cmd.Flags()
	addSourceFlags(f, &o.scanOptions)
	f.StringVarP(&o.out, "output", "o", "", "write the configuration to FILE, which must not exist yet (default, or -: stdout)")
	f.StringArrayVar(&o.targets, "target", nil, "generate only this unmanaged resource, TYPE/ID (repeatable)")
	return cmd
}

// runGenImport scans, generates the configuration of the unmanaged
// resources and writes it; it returns the exit code.
func runGenImport(ctx context.Context, o *genImportOptions, factory providers.Factory, stdout, stderr io.Writer) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "Error: "+format+"\n", args...)
		return exitError
	}
	var targets []genconfig.Target
	for _, s := range o.targets {
		t, err := genconfig.ParseTarget(s)
		if err != nil {
			return fail("%v", err)
		}
		targets = append(targets, t)
	}
	toFile := o.out != "" && o.out != "-"
	if toFile {
		// Checked before the scan, which can take minutes; the file is
		// still created only if it does not exist (writeNew).
		if _, err := os.Lstat(o.out); err == nil {
			return fail("-o %s: the file exists; gen-import writes a new file and never replaces one", o.out)
		}
	}
	opts, err := o.scanSettings()
	if err != nil {
		return fail("%v", err)
	}
	opts.Unmanaged, opts.ReadAll = true, true

	sctx, cancel := withTimeout(ctx, "gen-import", o.timeout)
	defer cancel()
	res, err := scanForImport(sctx, opts, factory, stderr, colorAllowed(o.noColor, os.Getenv) && isTerminal(stderr))
	if timedOut(sctx, stderr) || err != nil {
		return exitError
	}
	rep := res.Report
	for _, w := range rep.Withheld {
		fmt.Fprintf(stderr, "Warning: unmanaged %s (%s) not discovered: %s\n", w.Type, w.Provider, w.Reason)
	}
	if len(rep.Errors) > 0 {
		for _, e := range rep.Errors {
			fmt.Fprintf(stderr, "Error: reading %s in %s (%s): %s\n", e.Type, e.Region, e.Operation, e.Message)
		}
		return fail("the scan is partial: unmanaged resources may be missing; nothing written")
	}
	resources, notes, err := genconfig.Unmanaged(rep, res.DefaultTags, targets)
	if err != nil {
		return fail("%v", err)
	}
	// Names avoid the resources of the report and the blocks that have
	// none (count = 0).
	taken := genconfig.Declared(rep)
	for _, addr := range res.Resources {
		taken[addr] = true
	}
	gen, err := genconfig.Generate(resources, providers.NewRegistry(factory).ResourceSchema, taken)
	if err != nil {
		return fail("%v", err)
	}
	for _, n := range append(notes, gen.Notes...) {
		fmt.Fprintf(stderr, "Warning: %s\n", n)
	}
	if len(gen.Addresses) == 0 {
		fmt.Fprintln(stderr, "No unmanaged resources of the declared types: nothing to generate.")
		return exitOK
	}
	where := "stdout"
	if toFile {
		if err := writeNew(o.out, gen.HCL); err != nil {
			return fail("-o %s: %v", o.out, err)
		}
		where = o.out
	} else if _, err := stdout.Write(gen.HCL); err != nil {
		return fail("writing the configuration: %v", err)
	}
	what := fmt.Sprintf("%d resources", len(gen.Addresses))
	if len(gen.Addresses) == 1 {
		what = "1 resource"
	}
	fmt.Fprintf(stderr, "Generated %s with import blocks to %s: add it to the configuration; terraform plan imports them.\n", what, where)
	return exitOK
}

// scanForImport runs the scan and prints its diagnostics; the error says
// that there is no report (already printed).
func scanForImport(ctx context.Context, opts scan.Options, factory providers.Factory, stderr io.Writer, color bool) (*scan.Result, error) {
	res, err := scan.Run(ctx, factory, opts)
	printDiagnostics(stderr, res.Files, res.Diagnostics, color)
	var se *scan.Error
	if errors.As(err, &se) && se.Err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", se.Err)
	}
	return res, err
}

// writeNew writes data to a new file at path, whole or not at all: a
// temporary file beside it, linked to path only if path does not exist.
func writeNew(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".driftctl-gen-import-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return errors.New("the file exists; gen-import writes a new file and never replaces one")
		}
		return err
	}
	return nil
}
