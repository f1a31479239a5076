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
		Use:   "driftctl",
		Short: "Report drift between Terraform-style HCL in Git and the live cloud",
		Example: `  driftctl demo
  driftctl scan infra/prod --state s3://acme-tfstate/prod/terraform.tfstate
  driftctl scan https://github.com/acme/infra.git --path prod --ref main -o json=drift.json
  driftctl completion bash > /etc/bash_completion.d/driftctl`,
		Version:       buildVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
		// Bad --log-level or --log-format values stop every command
		// before it starts (exit code 2).
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			_, err := commandLogger(cmd)
			return err
		},
	}
	root.SetVersionTemplate("driftctl {{.Version}}\n")
	root.SetOut(stdout)
	root.SetErr(stderr)
	addLogFlags(root.PersistentFlags())
	root.AddCommand(newScanCommand(), newRemediateCommand(), newServeCommand(), newDemoCommand(), newIAMPolicyCommand(), newGenDriftIgnoreCommand(), newVersionCommand())
	root.AddCommand(newGenImportCommand())
	addCompletionExamples(root)
	registerCompletions(root)
	return root
}

// addCompletionExamples adds cobra's help and completion commands now, not
// when the command runs, to give them examples as every command has.
func addCompletionExamples(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		switch c.Name() {
		case "help":
			c.Example = "  driftctl help scan"
		case "completion":
			c.Example = `  driftctl completion bash > ~/.local/share/bash-completion/completions/driftctl
  driftctl completion zsh > "${fpath[1]}/_driftctl"`
			for _, shell := range c.Commands() {
				switch shell.Name() {
				case "bash":
					shell.Example = `  # In this shell only
  source <(driftctl completion bash)
  # For every new shell
  driftctl completion bash > ~/.local/share/bash-completion/completions/driftctl`
				case "zsh":
					shell.Example = `  driftctl completion zsh > "${fpath[1]}/_driftctl"`
				case "fish":
					shell.Example = "  driftctl completion fish > ~/.config/fish/completions/driftctl.fish"
				case "powershell":
					shell.Example = "  driftctl completion powershell | Out-String | Invoke-Expression"
				}
			}
		}
	}
}
