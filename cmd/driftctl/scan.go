package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/drift/filter"
	"github.com/gitdrift/driftctl/gitsource"
	"github.com/gitdrift/driftctl/internal/atomicfile"
	"github.com/gitdrift/driftctl/metrics"
	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws"
	"github.com/gitdrift/driftctl/report"
	"github.com/gitdrift/driftctl/scan"
)

// scanOptions are the flags of driftctl scan.
type scanOptions struct {
	dir       string
	states    []string
	vars      []config.VarArg
	outputs   []string
	failOn    string
	unmanaged string
	stack     string
	noColor   bool
	quiet     bool

	pushgateway  string
	pushOptional bool
	textfile     string
	maxResources int
	// bar shows progress while scanning; nil when not shown.
	bar *progress

	progress    bool
	apiRate     float64
	parallelism int
	// timeout bounds the whole run (--timeout); 0: no bound.
	timeout time.Duration

	ref           string
	path          string
	cacheDir      string
	requireSigned bool
	trustedKeys   string
	// allowOutside lets file functions read outside the repository.
	allowOutside bool

	maxInstances  int
	maxValueBytes int
	allowEmpty    bool
	workspace     string

	pluginDirs  []string
	pluginTypes string

	// driftIgnore replaces the stack's .driftignore (--driftignore);
	// filter, onlyManaged and onlyUnmanaged keep part of the results.
	driftIgnore   string
	filter        string
	onlyManaged   bool
	onlyUnmanaged bool
}

// varFlag appends -var or -var-file values to one ordered list, since
// Terraform gives the later of the two precedence whatever its kind.
type varFlag struct {
	list *[]config.VarArg
	file bool
}

func (f varFlag) String() string { return "" }
func (f varFlag) Type() string {
	if f.file {
		return "file"
	}
	return "NAME=VALUE"
}
func (f varFlag) Set(v string) error {
	if !f.file && !strings.Contains(v, "=") {
		return fmt.Errorf("%q: a variable is set as NAME=VALUE", v)
	}
	*f.list = append(*f.list, config.VarArg{File: f.file, Value: v})
	return nil
}

func newScanCommand() *cobra.Command {
	o := &scanOptions{}
	cmd := &cobra.Command{
		Use:   "scan [DIR|REPOSITORY]",
		Short: "Compare the HCL in DIR or a Git repository (default: .) with the live cloud",
		Long: `Compare the Terraform-style HCL in DIR with the live cloud and report every
difference.

Exit codes: 0 no drift counted by --fail-on; 1 drift found; 2 the scan could not
be completed (bad input, unreachable provider, partial results).`,
		Example: `  # The HCL of infra/prod against its state (its backend's, else terraform.tfstate)
  driftctl scan infra/prod

  # A repository at a ref, with the state in S3 and a JSON report beside the console
  driftctl scan https://github.com/acme/infra.git --path prod --ref main \
    --state s3://acme-tfstate/prod/terraform.tfstate -o console -o json=drift.json

  # Nightly: exit 1 only on drifted or missing resources, push the metrics
  driftctl scan infra/prod --fail-on drifted,missing --unmanaged none \
    --var-file prod.tfvars --pushgateway http://pushgateway:9091`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.parseArgs(cmd, args); err != nil {
				return err
			}
			api := metrics.NewAPICalls()
			if o.progress || isTerminal(cmd.ErrOrStderr()) {
				o.bar = newProgress(cmd.ErrOrStderr())
			}
			factory := aws.NewFactory(append(o.awsOptions(), aws.WithAPIObserver(func(service, operation, code string) {
				api.Observe("aws", service, operation, code)
				if o.bar != nil {
					o.bar.call(service, operation, code)
				}
			}))...)
			logger, _ := commandLogger(cmd) // the root checked the flags
			started := time.Now()
			rep, code := runScan(cmd.Context(), o, factory, api, cmd.OutOrStdout(), cmd.ErrOrStderr())
			logScanDone(logger, "scan done", rep, code, time.Since(started))
			if code != exitOK {
				return &exitCodeError{code}
			}
			return nil
		},
	}
	f := cmd.Flags()
	addSourceFlags(f, o)
	f.StringArrayVarP(&o.outputs, "output", "o", nil, "report format, FORMAT or FORMAT=FILE: "+strings.Join(report.FormatNames(), ", ")+" (repeatable; default console; at most one to stdout)")
	f.StringVar(&o.failOn, "fail-on", "drifted,missing", "statuses that make the exit code 1: drifted, missing, unmanaged, unknown, or none")
	f.StringVar(&o.unmanaged, "unmanaged", "declared", "report unmanaged resources of the declared types (declared) or not at all (none)")
	f.BoolVar(&o.quiet, "quiet", false, "print only drift, errors and the summary")
	f.StringVar(&o.pushgateway, "pushgateway", "", "push the scan's metrics to this Prometheus Pushgateway (job driftctl, grouped by stack)")
	f.BoolVar(&o.pushOptional, "push-optional", false, "a failed push is a warning, not exit code 2")
	f.StringVar(&o.textfile, "metrics-textfile", "", "write the scan's metrics to this file (node_exporter textfile collector format, written atomically)")
	f.IntVar(&o.maxResources, "metrics-max-resources", 1000, "at most this many driftctl_drift_info series per stack (0 or more)")
	f.BoolVar(&o.progress, "progress", false, "show progress on stderr even when it is not a terminal")
	f.StringVar(&o.filter, "filter", "", "keep only the results this JMESPath expression is true for (fields: type, address, id, region, account, status, module, tags; snyk's Type, Id, Attr); the others leave the report, its counts and the exit code")
	f.BoolVar(&o.onlyManaged, "only-managed", false, "keep only the resources the configuration declares")
	f.BoolVar(&o.onlyUnmanaged, "only-unmanaged", false, "keep only the unmanaged resources")
	return cmd
}

// addSourceFlags adds the flags that say what to compare: the desired
// state's source, its variables and its Terraform state.
func addSourceFlags(f *pflag.FlagSet, o *scanOptions) {
	f.StringArrayVar(&o.states, "state", nil, "Terraform state: a path or s3://bucket/key, either a glob ('envs/*/terraform.tfstate', 's3://bucket/prod/**/*.tfstate'), or an http(s) URL (repeatable, all read and merged; default: the backend or cloud block, else terraform.tfstate in DIR)")
	f.Var(varFlag{&o.vars, false}, "var", "set a variable, NAME=VALUE (repeatable)")
	f.Var(varFlag{&o.vars, true}, "var-file", "read variables from a .tfvars or .tfvars.json file (repeatable)")
	f.StringVar(&o.stack, "stack", "", "stack name in reports (default: the directory's name)")
	f.BoolVar(&o.noColor, "no-color", false, "never colour the console output")
	f.StringVar(&o.ref, "ref", "", "with a Git repository: the branch, tag or commit to compare against (default: the remote's HEAD; for a local working tree, its files as they are)")
	f.StringVar(&o.path, "path", "", "the stack's directory inside the repository")
	f.StringVar(&o.cacheDir, "cache-dir", "", "where clones of remote repositories, fetched modules and provider schemas are kept (default: the user cache directory)")
	f.BoolVar(&o.requireSigned, "require-signed", false, "refuse a commit whose signature does not verify against --trusted-keys")
	f.StringVar(&o.trustedKeys, "trusted-keys", "", "a file of armored OpenPGP public keys for --require-signed")
	f.BoolVar(&o.allowOutside, "allow-outside-files", false, "let file(), templatefile() and the other file functions read outside the repository (or the directory given), as Terraform does")
	f.Float64Var(&o.apiRate, "api-rate", 0, "API requests per second per service and region (default: safe limits per service, lowered on throttling)")
	f.IntVar(&o.parallelism, "parallelism", 32, "API requests in flight at most (1 or more)")
	f.DurationVar(&o.timeout, "timeout", defaultTimeout, "give up the whole run after this long (Go duration: 45m, 2h); exit code 2")
	f.IntVar(&o.maxInstances, "max-instances", config.DefaultMaxInstances, "at most this many instances of one resource block (count, for_each)")
	f.IntVar(&o.maxValueBytes, "max-value-bytes", config.DefaultMaxValueBytes, "at most this many bytes in one evaluated value (a local, a resource's configuration, a function's result)")
	f.BoolVar(&o.allowEmpty, "allow-empty", false, "accept a configuration without resources (otherwise exit code 2: a wrong directory, --path or --ref looks like that)")
	f.StringArrayVar(&o.pluginDirs, "plugin-dir", nil, "a directory of provider plugins (a filesystem mirror's layout, as terraform providers mirror writes), searched before .terraform/providers and TF_PLUGIN_CACHE_DIR (repeatable)")
	f.StringVar(&o.pluginTypes, "plugin-types", string(scan.PluginTypesMissing), "which resource types are read through the provider's own plugin: missing (those driftctl has no native reader for), all, or none")
	f.StringVar(&o.driftIgnore, "driftignore", "", "a local ignore file used in place of the .driftignore at the stack's root in the source")
	f.StringVar(&o.workspace, "workspace", "", "the Terraform workspace: terraform.workspace, and which of the backend's states is read (default: $TF_WORKSPACE, else default)")
}

// parseArgs takes the source from a command's argument (default: the
// current directory) and checks the numeric flags (checkNumbers).
func (o *scanOptions) parseArgs(cmd *cobra.Command, args []string) error {
	o.dir = "."
	if len(args) == 1 {
		o.dir = args[0]
	}
	return o.checkNumbers(cmd.Flags().Changed)
}

// defaultTimeout is --timeout's default: generous, so that only a hung
// endpoint reaches it.
const defaultTimeout = 30 * time.Minute

// checkNumbers rejects numeric flags out of their range, naming the flag
// and the range, instead of falling back to a default. changed says
// whether a flag was given (--api-rate's default, 0, means the limits per
// service, but a 0 given by hand is a mistake).
func (o *scanOptions) checkNumbers(changed func(string) bool) error {
	switch {
	case o.parallelism < 1:
		return fmt.Errorf("--parallelism %d: expected 1 or more API requests in flight", o.parallelism)
	case changed("api-rate") && !(o.apiRate > 0 && !math.IsInf(o.apiRate, 1)):
		return fmt.Errorf("--api-rate %v: expected a number of requests per second above 0 (leave it out for the limits per service)", o.apiRate)
	case o.maxResources < 0:
		return fmt.Errorf("--metrics-max-resources %d: expected 0 or more series", o.maxResources)
	case o.timeout <= 0:
		return fmt.Errorf("--timeout %s: expected a duration above 0, such as 30m", o.timeout)
	case o.maxInstances <= 0:
		return fmt.Errorf("--max-instances %d: must be 1 or more", o.maxInstances)
	case o.maxValueBytes <= 0:
		return fmt.Errorf("--max-value-bytes %d: must be 1 or more", o.maxValueBytes)
	case !slices.Contains([]scan.PluginTypes{scan.PluginTypesMissing, scan.PluginTypesAll, scan.PluginTypesNone}, scan.PluginTypes(o.pluginTypes)):
		return fmt.Errorf("--plugin-types %q: expected missing, all or none", o.pluginTypes)
	}
	return nil
}

// withTimeout bounds ctx by --timeout; the cause of its expiry is a
// timeoutError naming what timed out.
func withTimeout(ctx context.Context, what string, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeoutCause(ctx, d, &timeoutError{what: what, after: d})
}

// timeoutError is the cause of a run's context when --timeout expires.
type timeoutError struct {
	what  string
	after time.Duration
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("%s timed out after %s (--timeout)", e.what, e.after)
}

// timedOut prints the timeout's message when ctx expired by --timeout,
// and reports whether it did.
func timedOut(ctx context.Context, stderr io.Writer) bool {
	var te *timeoutError
	if errors.As(context.Cause(ctx), &te) {
		fmt.Fprintf(stderr, "Error: %v\n", te)
		return true
	}
	return false
}

// scanSettings are the scan settings of the flags (checkNumbers checked
// the limits): everything but progress, which only scan shows.
func (o *scanOptions) scanSettings() (scan.Options, error) {
	opts := scan.Options{
		Stack:    o.stack,
		Location: o.dir,
		Git: gitsource.Options{Ref: o.ref, Path: o.path, CacheDir: o.cacheDir, RequireSigned: o.requireSigned,
			Environ: os.Environ()},
		AllowOutsideFiles: o.allowOutside,
		States:            o.states,
		Vars:              config.VarOptions{Args: o.vars, Environ: os.Environ()},
		Limits:            config.Limits{MaxInstances: o.maxInstances, MaxValueBytes: o.maxValueBytes},
		AllowEmpty:        o.allowEmpty,
		Unmanaged:         o.unmanaged == "declared",
		Workspace:         cmp.Or(o.workspace, os.Getenv("TF_WORKSPACE")),
		Plugins: scan.PluginOptions{Dirs: o.pluginDirs, Types: scan.PluginTypes(o.pluginTypes),
			Parallelism: o.parallelism, CacheDir: o.cacheDir},
		DriftIgnore: o.driftIgnore,
	}
	filt, err := filter.New(o.filter, o.onlyManaged, o.onlyUnmanaged)
	if err != nil {
		return opts, err
	}
	if filt.Active() {
		opts.Filter = filt
	}
	if o.trustedKeys != "" {
		keys, err := os.ReadFile(o.trustedKeys)
		if err != nil {
			return opts, fmt.Errorf("--trusted-keys: %w", err)
		}
		opts.Git.TrustedKeys = string(keys)
	} else if o.requireSigned {
		return opts, errors.New("--require-signed needs --trusted-keys FILE (armored OpenPGP public keys)")
	}
	if opts.Stack == "" {
		opts.Stack = scan.StackName(o.dir, o.path)
	}
	return opts, nil
}

// output is one requested report: a format and where it goes ("" = stdout).
type output struct {
	format report.Format
	path   string
}

// parseOutputs reads the -o values, FORMAT or FORMAT=FILE ("-" for
// stdout). At most one may go to stdout, and two may not name the same
// file: both would be interleaved or overwritten, so it is refused before
// anything is scanned or written.
func parseOutputs(specs []string) ([]output, error) {
	if len(specs) == 0 {
		return []output{{format: report.FormatConsole}}, nil
	}
	var outs []output
	seen := map[string]string{}
	for _, s := range specs {
		name, path, hasPath := strings.Cut(s, "=")
		format, err := report.ParseFormat(name)
		if err != nil {
			return nil, fmt.Errorf("--output %q: the formats are %s, as FORMAT or FORMAT=FILE", s, strings.Join(report.FormatNames(), ", "))
		}
		if hasPath && path == "" {
			return nil, fmt.Errorf("--output %q: no file after =; give FORMAT=FILE, or FORMAT alone for stdout", s)
		}
		if path == "-" {
			path = ""
		}
		key, where := path, "to the file "+path
		if path == "" {
			key, where = "-", "to stdout"
		}
		if prev, ok := seen[key]; ok {
			hint := fmt.Sprintf("give one of them a file: -o %s=FILE", name)
			if key != "-" {
				hint = "give each its own file"
			}
			return nil, fmt.Errorf("--output %q and --output %q both write %s: %s", prev, s, where, hint)
		}
		seen[key] = s
		outs = append(outs, output{format: format, path: path})
	}
	return outs, nil
}

// failOnChoices are the statuses --fail-on takes, besides none.
var failOnChoices = []drift.Status{drift.Drifted, drift.Missing, drift.Unmanaged, drift.Unknown}

func parseFailOn(s string) (map[drift.Status]bool, error) {
	set := map[drift.Status]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		switch {
		case slices.Contains(failOnChoices, drift.Status(part)):
			set[drift.Status(part)] = true
		case part == "none", part == "":
		default:
			return nil, fmt.Errorf("--fail-on %q: expected %s or none", part, strings.Join(failOnStatuses(), ", "))
		}
	}
	return set, nil
}

// runScan runs one scan, renders it and publishes its metrics; it returns
// the report (nil when the scan could not run) and the exit code.
func runScan(ctx context.Context, o *scanOptions, factory providers.Factory, api *metrics.APICalls, stdout, stderr io.Writer) (*drift.Report, int) {
	fail := func(format string, args ...any) (*drift.Report, int) {
		fmt.Fprintf(stderr, "Error: "+format+"\n", args...)
		return nil, exitError
	}
	outs, err := parseOutputs(o.outputs)
	if err != nil {
		return fail("%v", err)
	}
	failOn, err := parseFailOn(o.failOn)
	if err != nil {
		return fail("%v", err)
	}
	if o.unmanaged != "declared" && o.unmanaged != "none" {
		return fail("--unmanaged %q: expected declared or none", o.unmanaged)
	}
	opts, err := o.scanSettings()
	if err != nil {
		return fail("%v", err)
	}
	if o.bar != nil {
		opts.Progress = o.bar
	}
	// The plugin processes are the scan's own, started and stopped inside
	// it: their calls are counted here, unlike the AWS calls, which the
	// factory the caller made observes.
	plugins := metrics.NewPluginCalls()
	opts.Plugins.Observe, opts.Plugins.Track = plugins.Observe, plugins.Track
	opts.Blame = true
	colorOK := colorAllowed(o.noColor, os.Getenv)
	color, diagColor := colorOK && isTerminal(stdout), colorOK && isTerminal(stderr)
	stack := opts.Stack

	started := time.Now()
	// --timeout bounds the scan; the metrics are still written and pushed
	// after it expired (the push has its own deadline), saying it failed.
	sctx, cancel := withTimeout(ctx, "scan", o.timeout)
	rep, scanErr := scanSource(sctx, opts, factory, stderr, diagColor)
	if timedOut(sctx, stderr) {
		rep, scanErr = nil, context.Cause(sctx)
	}
	cancel()
	ended := time.Now()
	code := exitError
	if rep != nil {
		code = exitCode(rep, failOn)
		for _, out := range outs {
			ropts := report.Options{Console: report.ConsoleOptions{Color: color, Quiet: o.quiet}, FailOn: failOn, Version: buildVersion()}
			if err := render(out, rep, stdout, ropts); err != nil {
				fmt.Fprintf(stderr, "Error: %v\n", err)
				code = exitError
			}
		}
	}
	if o.pushgateway != "" || o.textfile != "" {
		snap := metrics.Next(nil, metrics.ScanOutcome{
			Stack: stack, Source: gitsource.Redact(o.dir), Report: rep, Err: scanErr, Started: started, Ended: ended, FailOn: failOn,
		})
		c := metrics.NewCollector(o.maxResources)
		c.Set(snap)
		reg := metrics.NewJobRegistry(stack, c, api, plugins, metrics.BinaryBuild(buildVersion(), commit))
		if o.textfile != "" {
			if err := metrics.WriteTextfile(o.textfile, reg); err != nil {
				fmt.Fprintf(stderr, "Error: writing the metrics textfile: %v\n", err)
				code = exitError
			}
		}
		if o.pushgateway != "" {
			// A failed scan updates the stack's group rather than
			// replacing it: the last success's series stay (PushUpdate).
			mode := metrics.PushReplace
			if !snap.Success {
				mode = metrics.PushUpdate
			}
			if err := metrics.Push(ctx, o.pushgateway, stack, reg, mode); err != nil {
				if o.pushOptional {
					fmt.Fprintf(stderr, "Warning: %v (--push-optional)\n", err)
				} else {
					fmt.Fprintf(stderr, "Error: %v\n", err)
					code = exitError
				}
			}
		}
	}
	return rep, code
}

// scanSource scans and prints the configuration's diagnostics, the error
// of a scan that did not run, and the drifted lines it could not blame.
// The error only says that the scan did not run, for the metrics.
func scanSource(ctx context.Context, opts scan.Options, factory providers.Factory, stderr io.Writer, diagColor bool) (*drift.Report, error) {
	res, err := scan.Run(ctx, factory, opts)
	printDiagnostics(stderr, res.Files, res.Diagnostics, diagColor)
	var se *scan.Error
	if errors.As(err, &se) && se.Err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", se.Err)
	}
	if res.BlameErr != nil {
		fmt.Fprintf(stderr, "Warning: blaming drifted lines: %v\n", res.BlameErr)
	}
	return res.Report, err
}

// exitCode is 2 for partial results, 1 when a status counted by --fail-on
// occurs, else 0.
func exitCode(rep *drift.Report, failOn map[drift.Status]bool) int {
	if len(rep.Errors) > 0 {
		return exitError
	}
	for _, r := range rep.Results {
		if failOn[r.Status] {
			return exitDrift
		}
	}
	return exitOK
}

func render(out output, rep *drift.Report, stdout io.Writer, opts report.Options) error {
	write := func(w io.Writer) error { return report.Render(w, out.format, rep, opts) }
	if out.path == "" {
		return write(stdout)
	}
	opts.Console.Color = false
	// A regular file is replaced atomically; a device or FIFO (-o
	// json=/dev/stdout) is written in place, never replaced.
	return atomicfile.Write(out.path, 0o644, write)
}

func printDiagnostics(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics, color bool) {
	if len(diags) == 0 {
		return
	}
	shown, repeats := compactWarnings(diags)
	// A file of random bytes has thousands of errors: the first ones are
	// printed, and how many more there are.
	shown, moreErrors, moreWarnings := config.LimitDiagnostics(shown, config.MaxDiagnosticsShown)
	dw := config.NewDiagnosticWriter(w, files, 100, color)
	_ = dw.WriteDiagnostics(shown)
	if len(repeats) > config.MaxDiagnosticsShown {
		repeats = append(repeats[:config.MaxDiagnosticsShown], fmt.Sprintf("Warning: %d more kinds of warnings not shown.", len(repeats)-config.MaxDiagnosticsShown))
	}
	for _, r := range repeats {
		fmt.Fprintln(w, r)
	}
	if more := config.MoreDiagnostics(moreErrors, moreWarnings); more != "" {
		fmt.Fprintln(w, more)
	}
}

// compactWarnings keeps the first of the warnings that share a summary (a
// repository with forty resources of an unsupported type would otherwise
// print forty snippets) and lists where the others are, one line each
// summary. Errors are all kept.
func compactWarnings(diags hcl.Diagnostics) (hcl.Diagnostics, []string) {
	var shown hcl.Diagnostics
	var order []string
	more := map[string][]string{}
	seen := map[string]bool{}
	for _, d := range diags {
		if d.Severity != hcl.DiagWarning {
			shown = append(shown, d)
			continue
		}
		if !seen[d.Summary] {
			seen[d.Summary] = true
			shown = append(shown, d)
			continue
		}
		if more[d.Summary] == nil {
			order = append(order, d.Summary)
		}
		where := "?"
		if d.Subject != nil {
			where = fmt.Sprintf("%s:%d", d.Subject.Filename, d.Subject.Start.Line)
		}
		more[d.Summary] = append(more[d.Summary], where)
	}
	var lines []string
	for _, summary := range order {
		lines = append(lines, fmt.Sprintf("Warning: %s, %d more: %s", summary, len(more[summary]), strings.Join(more[summary], ", ")))
	}
	return shown, lines
}

// isTerminal reports whether w is a terminal. A character device is not
// enough: /dev/null is one, and must get neither colours nor prompts.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// awsOptions are the AWS factory options of the flags.
func (o *scanOptions) awsOptions() []aws.Option {
	var opts []aws.Option
	if o.apiRate > 0 {
		opts = append(opts, aws.WithAPIRate(o.apiRate))
	}
	if o.parallelism > 0 {
		opts = append(opts, aws.WithParallelism(o.parallelism))
	}
	return opts
}
