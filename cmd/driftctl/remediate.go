package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws"
	"github.com/gitdrift/driftctl/remediate"
	"github.com/gitdrift/driftctl/scan"
)

// remediateOptions are the flags of driftctl remediate.
type remediateOptions struct {
	scanOptions
	targets         []string
	allowDelete     bool
	autoApprove     bool
	continueOnError bool
	out             string
	planFile        string
	output          string
	auditLog        string
	concurrency     int
}

func newRemediateCommand() *cobra.Command {
	o := &remediateOptions{}
	cmd := &cobra.Command{
		Use:   "remediate [DIR|REPOSITORY]",
		Short: "Bring the cloud back to what Git declares: plan, approve, apply, verify",
		Long: `Scan, then plan the changes that bring drifted and missing resources back to
what Git declares: updates of drifted attributes (a replace where an attribute
cannot change in place), creates of missing resources, and, with
--allow-delete, deletes of unmanaged ones. Resources whose status is unknown
are never touched; prevent_destroy and ignore_changes are honoured.

Nothing changes without --auto-approve or a "yes" typed on a terminal. The
changes are made in dependency order, every one is written to --audit-log, and
a last scan verifies each. Terraform's state is not rewritten: the import
lines for what was created are printed.

Exit codes: 0 nothing to do, or every change applied and verified; 1 a change
applied but still drifted, blocked or not attempted; 2 a change failed or the
plan could not be made or applied.`,
		Example: `  # Review the plan and save it; nothing changes
  driftctl remediate infra/prod --out remediation.plan

  # Apply the saved plan if the cloud and Git still match it
  driftctl remediate infra/prod --plan remediation.plan --auto-approve

  # Only one resource, deleting unmanaged ones of the declared types too
  driftctl remediate infra/prod --target aws_security_group.web --allow-delete`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.parseArgs(cmd, args); err != nil {
				return err
			}
			if o.concurrency < 1 {
				return fmt.Errorf("--concurrency %d: expected 1 or more changes at once", o.concurrency)
			}
			ctx, cancel := withTimeout(cmd.Context(), "remediation", o.timeout)
			defer cancel()
			logger, _ := commandLogger(cmd) // the root checked the flags
			started := time.Now()
			code := runRemediate(ctx, o, aws.NewFactory(o.awsOptions()...), cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr())
			logScanDone(logger, "remediation done", nil, code, time.Since(started))
			if timedOut(ctx, cmd.ErrOrStderr()) {
				code = exitError
			}
			if code != exitOK {
				return &exitCodeError{code}
			}
			return nil
		},
	}
	f := cmd.Flags()
	addSourceFlags(f, &o.scanOptions)
	f.StringArrayVar(&o.targets, "target", nil, "limit the plan to this address (repeatable; an unmanaged resource is TYPE/ID)")
	f.BoolVar(&o.allowDelete, "allow-delete", false, "also delete unmanaged resources of the declared types")
	f.BoolVar(&o.autoApprove, "auto-approve", false, "apply without asking")
	f.BoolVar(&o.continueOnError, "continue-on-error", false, "after a failed change, go on with those that do not depend on it")
	f.StringVar(&o.out, "out", "", "save the plan to this file and change nothing")
	f.StringVar(&o.planFile, "plan", "", "apply a plan saved with --out, if the cloud and Git still match it")
	f.StringVarP(&o.output, "output", "o", "console", "how to print the plan: console or json")
	f.StringVar(&o.auditLog, "audit-log", "driftctl-audit.log", "append every action to this file (JSON lines)")
	f.IntVar(&o.concurrency, "concurrency", 4, "changes made at once (1 or more)")
	return cmd
}

func runRemediate(ctx context.Context, o *remediateOptions, factory providers.Factory, stdin io.Reader, stdout, stderr io.Writer) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "Error: "+format+"\n", args...)
		return exitError
	}
	if o.output != "console" && o.output != "json" {
		return fail("--output %q: expected console or json", o.output)
	}
	if o.out != "" && o.planFile != "" {
		return fail("--out makes a plan and --plan applies one: give one of them")
	}
	if o.planFile != "" && (len(o.targets) > 0 || o.allowDelete) {
		// What a saved plan may do was approved when it was saved.
		return fail("--target and --allow-delete belong to making a plan; a saved plan applies what it was saved with")
	}
	opts, err := o.scanSettings()
	if err != nil {
		return fail("%v", err)
	}
	// Unmanaged resources are always discovered, so that the plan says
	// which it leaves alone without --allow-delete.
	opts.Unmanaged = true
	colorOK := colorAllowed(o.noColor, os.Getenv)
	color, diagColor := colorOK && isTerminal(stdout), colorOK && isTerminal(stderr)
	st, err := scan.Open(ctx, factory, opts)
	if err != nil {
		var se *scan.Error
		if errors.As(err, &se) && se.Stage == scan.StageLoad {
			printDiagnostics(stderr, st.Files(), se.Diagnostics, diagColor)
			if se.Err != nil {
				// The ignore file's error (see scan.StageLoad).
				fmt.Fprintf(stderr, "Error: %v\n", se.Err)
			}
			return exitError
		}
		return fail("%v", err)
	}
	defer st.Close()
	// The registry gains the plugins' types with the first scan: look
	// schemas up when they are needed.
	schemas := func(typ string) (*providers.Schema, bool) { return st.Registry().ResourceSchema(typ) }

	var plan *remediate.Plan
	if o.planFile != "" {
		if plan, err = remediate.Load(o.planFile); err != nil {
			return fail("%v", err)
		}
	} else {
		sess, err := st.Session(ctx, nil)
		if err != nil {
			return fail("scanning: %v", err)
		}
		sess.Close()
		if len(sess.Report.Errors) > 0 {
			for _, e := range sess.Report.Errors {
				fmt.Fprintf(stderr, "Error: %s in %s (%s): %s\n", e.Type, e.Region, e.Operation, e.Message)
			}
			return fail("the scan is partial: remediation needs every read to succeed")
		}
		plan = remediate.NewPlan(sess.Report, schemas, remediate.Options{AllowDelete: o.allowDelete, Targets: o.targets})
	}
	// A run killed while changing a resource left its intent in the audit
	// log without a result: say so before anything else is done.
	interrupted, problems, err := remediate.ReadInterrupted(o.auditLog)
	if err != nil {
		fmt.Fprintf(stderr, "Warning: %v\n", err)
	}
	for _, p := range problems {
		fmt.Fprintf(stderr, "Warning: the audit log %s, %s\n", o.auditLog, p)
	}
	for _, i := range interrupted {
		fmt.Fprintf(stderr, "Warning: %s\n", i.Message())
	}
	plan.Interrupted = interrupted
	if o.output == "json" {
		err = remediate.WriteJSON(stdout, plan)
	} else {
		err = remediate.WriteConsole(stdout, plan, color)
	}
	if err != nil {
		return fail("%v", err)
	}
	if o.out != "" {
		if err := remediate.Save(o.out, plan); err != nil {
			return fail("%v", err)
		}
		fmt.Fprintf(stdout, "\nSaved the plan to %s; apply it with: driftctl remediate --plan %s\n", o.out, o.out)
		return exitOK
	}
	if plan.Empty() {
		if len(plan.Changes) > 0 {
			return exitDrift // only blocked changes
		}
		return exitOK
	}
	if !o.autoApprove {
		if !isTerminalReader(stdin) {
			return fail("nothing was changed: pass --auto-approve, or run on a terminal to answer yes")
		}
		fmt.Fprint(stdout, "\nDo you want to perform these actions? Only 'yes' will be accepted: ")
		answer, _ := bufio.NewReader(stdin).ReadString('\n')
		if strings.TrimSpace(answer) != "yes" {
			fmt.Fprintln(stdout, "Remediation cancelled; nothing was changed.")
			return exitOK
		}
	}
	audit, err := remediate.OpenAuditLog(o.auditLog)
	if err != nil {
		return fail("%v", err)
	}
	defer audit.Close()
	// Reported above, with the plan that was approved: the next run need
	// not report them again.
	if err := audit.Acknowledge(interrupted); err != nil {
		return fail("%v", err)
	}
	outcomes, err := remediate.Apply(ctx, plan, st.Session, remediate.ApplyOptions{
		Concurrency: o.concurrency, ContinueOnError: o.continueOnError, Audit: audit, Schemas: schemas,
	})
	if err != nil && outcomes == nil {
		return fail("%v", err)
	}
	if werr := remediate.WriteOutcomes(stdout, outcomes, color); werr != nil {
		return fail("%v", werr)
	}
	if err != nil {
		return fail("%v", err)
	}
	code := exitOK
	for _, oc := range outcomes {
		switch oc.Result {
		case remediate.Failed:
			return exitError
		case remediate.Verified:
		default:
			code = exitDrift
		}
	}
	return code
}

// isTerminalReader reports whether r is a terminal someone can type into
// (not /dev/null, a file or a pipe).
func isTerminalReader(r io.Reader) bool { return isTerminal(r) }
