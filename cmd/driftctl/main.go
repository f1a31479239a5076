// Command driftctl reports every difference between the infrastructure that
// Terraform-style HCL in Git declares and what runs in the cloud.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/gitdrift/driftctl/gitsource"
	"github.com/gitdrift/driftctl/internal/httpclient"
)

// Exit codes of driftctl scan (see README).
const (
	exitOK    = 0
	exitDrift = 1
	exitError = 2
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

// exitError carries an exit code out of a command; its message, if any, has
// already been printed.
type exitCodeError struct{ code int }

func (e *exitCodeError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	// go-git's HTTP transport is process-wide (see InstallTransports):
	// installed here, once, so that every Git fetch of scan, remediate and
	// serve has deadlines.
	gitsource.InstallTransports(httpclient.Defaults)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes driftctl with args and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCommand(stdout, stderr)
	root.SetArgs(terraformFlags(args))
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ec *exitCodeError
	if errors.As(err, &ec) {
		return ec.code
	}
	fmt.Fprintf(stderr, "Error: %v\n", err)
	return exitError
}

// terraformFlags accepts Terraform's single-dash spelling of -var and
// -var-file, which users type from habit, as --var and --var-file.
func terraformFlags(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		name, _, _ := strings.Cut(a, "=")
		if name == "-var" || name == "-var-file" {
			a = "-" + a
		}
		out[i] = a
	}
	return out
}

func newRootCommand(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "driftctl",
		Short:         "Report drift between Terraform-style HCL in Git and the live cloud",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newScanCommand(), newRemediateCommand(), newServeCommand(), newDemoCommand(), newIAMPolicyCommand(), newGenDriftIgnoreCommand(), newVersionCommand())
	root.AddCommand(newGenImportCommand())
	return root
}

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print driftctl's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "driftctl %s\n", buildVersion())
			return nil
		},
	}
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
