package main

import (
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestEveryCommandHasExamples walks the command tree: every command that
// help lists has an Example that runs it (or a command under it), and the
// driftctl commands of the Example use flags they have.
func TestEveryCommandHasExamples(t *testing.T) {
	t.Parallel()
	root := newRootCommand(io.Discard, io.Discard)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				walk(sub)
			}
		}
		path := c.CommandPath()
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s has no Example", path)
			return
		}
		lines := driftctlLines(c.Example)
		if len(lines) == 0 {
			t.Errorf("%s: its Example runs no driftctl command:\n%s", path, c.Example)
		}
		runsItself := false
		for _, line := range lines {
			if err := checkCommandLine(line); err != nil {
				t.Errorf("%s: Example: %v", path, err)
			}
			if words := shellWords(line); strings.HasPrefix("driftctl "+strings.Join(words[driftctlAt(words)+1:], " ")+" ", path+" ") {
				runsItself = true
			}
		}
		if len(lines) > 0 && !runsItself {
			t.Errorf("%s: no line of its Example runs it:\n%s", path, c.Example)
		}
	}
	walk(root)
}

// TestCheckCommandLine: the check the examples and the CI files go through
// finds an unknown command, an unknown flag and a flag of another command.
func TestCheckCommandLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line    string
		wantErr string
	}{
		{`driftctl scan infra/prod --fail-on drifted -o json=drift.json`, ""},
		{`"$RUNNER_TEMP/driftctl" scan "${{ inputs.directory }}" --fail-on "${{ inputs.fail-on }}" -o sarif=x.sarif $ARGS`, ""},
		{`driftctl scan . -var region=eu-west-1 -var-file prod.tfvars | tee out.txt`, ""},
		{`driftctl scan -o json . | driftctl gen-driftignore --exclude-missing`, ""},
		{`NO_COLOR=1 driftctl --log-format json serve --config driftctl.hcl`, ""},
		{`driftctl scna infra`, `unknown command "scna"`},
		{`driftctl scan --fail-when drifted`, "unknown flag: --fail-when"},
		{`driftctl serve --auto-approve`, "unknown flag: --auto-approve"},
		{`driftctl scan -x`, "unknown shorthand flag: 'x'"},
		{`driftctl scan --parallelism many`, `invalid argument "many"`},
		{`driftctl scan -o yaml=drift.yaml`, `--output "yaml=drift.yaml": the formats are`},
		{`driftctl scan -o json -o sarif`, "both write to stdout"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			t.Parallel()
			err := checkCommandLine(tt.line)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one with %q", err, tt.wantErr)
			}
		})
	}
}
