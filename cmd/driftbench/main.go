// Command driftbench measures driftctl at scale: it seeds moto with an
// estate of N resources of the supported types, writes its HCL and state,
// changes about 5% of it by hand, and scans it through the emulator proxy
// with a per-request latency. Beside each scan it measures the floor: the
// minimum set of calls for that estate, issued straight through the SDK
// through the same proxy. --engine-only measures the engine (match, diff,
// report, metrics) with the live resources in memory.
//
//	go run ./cmd/driftbench --resources 1000,5000 --latency 50ms --json bench.json
//	go run ./cmd/driftbench --engine-only --resources 100000
//
// Each size runs in a child process, so that peak RSS (VmHWM) is the run's
// own; the parent holds moto, the proxy and the floor.
//
// --modes scans each estate in several ways, side by side, through the
// same proxy: native (driftctl's readers), plugin (driftctl with every
// type through terraform-provider-aws, scan.PluginTypesAll) and terraform
// (terraform plan -refresh-only; terraform-plan: a whole terraform plan,
// which makes the provider calls a plugin scan makes), the last ones with
// the one hashicorp/aws of the filesystem mirror --plugin-dir names:
//
//	go run ./cmd/driftbench --resources 200,1000 --latency 50ms //	    --modes native,plugin,terraform --plugin-dir DIR
//
// The generated provider block then points every service at the proxy,
// terraform init, validate and a refresh-only apply (making the state the
// one terraform would have) run before the hand changes, and a plugin
// scan and a terraform plan (the referee: what differs from the
// configuration) run before the latency is added; none of them is
// measured. Each measured run is timed from its process's start to its
// exit, and its memory is that of its process tree (the provider
// included), sampled from /proc every 50 ms. DRIFTBENCH_KEEP=1 keeps the
// stack and the plans.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

type options struct {
	sizes       []int
	latency     time.Duration
	jsonPath    string
	engineOnly  bool
	concurrency int
	workers     int
	perFile     int
	parallelism int
	apiRate     float64
	verbose     bool
	repeat      int
	// modes are the ways each estate is scanned, in the order they run
	// within a repeat; pkg is the provider the plugin and terraform modes
	// run (from --plugin-dir), cacheDir the plugin schema cache.
	modes    []mode
	pkg      *awsPackage
	cacheDir string
}

// sideBySide says whether the runs compare modes (anything but the
// native mode alone, which `just bench` measures against the floor).
func (o options) sideBySide() bool { return len(o.modes) > 1 || !o.has("native") }

// has says whether one of the modes is name.
func (o options) has(name string) bool {
	return slices.ContainsFunc(o.modes, func(m mode) bool { return m.name == name })
}

// run is one line of the table and one object of the JSON.
type run struct {
	Mode         string  `json:"mode"`
	Resources    int     `json:"resources"`
	Calls        int     `json:"calls"`
	MinCalls     int     `json:"min_calls"`
	WallSeconds  float64 `json:"wall_seconds"`
	FloorSeconds float64 `json:"floor_seconds"`
	// The runs' walls and floors, of which the two above are the medians.
	WallRuns         []float64      `json:"wall_seconds_runs,omitempty"`
	FloorRuns        []float64      `json:"floor_seconds_runs,omitempty"`
	PeakRSSBytes     int64          `json:"peak_rss_bytes"`
	PeakLiveHeap     int64          `json:"peak_live_heap_bytes"`
	Exact            bool           `json:"exact"`
	NotExact         string         `json:"not_exact,omitempty"`
	LatencyMS        float64        `json:"latency_ms"`
	Concurrency      int            `json:"floor_concurrency,omitempty"`
	SeedSeconds      float64        `json:"seed_seconds,omitempty"`
	ScanSeconds      float64        `json:"scan_seconds"`
	ReportSeconds    float64        `json:"report_seconds"`
	MetricsSeconds   float64        `json:"metrics_seconds"`
	BytesPerResource float64        `json:"bytes_per_resource"`
	CallsByOperation map[string]int `json:"calls_by_operation,omitempty"`
	MinByOperation   map[string]int `json:"min_calls_by_operation,omitempty"`
	FloorByOperation map[string]int `json:"floor_calls_by_operation,omitempty"`
	Quirks           *quirks        `json:"moto_quirks,omitempty"`
	Errors           []string       `json:"errors,omitempty"`
}

func main() {
	// A child process runs one measured scan and prints its result.
	if len(os.Args) > 1 && os.Args[1] == "-child" {
		if err := child(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "driftbench child:", err)
			os.Exit(2)
		}
		return
	}
	o := options{}
	fs := flag.NewFlagSet("driftbench", flag.ExitOnError)
	sizes := fs.String("resources", "200", "estate sizes, comma-separated (one run each)")
	fs.DurationVar(&o.latency, "latency", 10*time.Millisecond, "latency the proxy adds to every request (a real region answers in ~50ms)")
	fs.StringVar(&o.jsonPath, "json", "", "also write the runs to this file as JSON")
	fs.BoolVar(&o.engineOnly, "engine-only", false, "measure match, diff, report and metrics with the live resources in memory (no moto)")
	fs.IntVar(&o.concurrency, "concurrency", 32, "calls in flight for the floor")
	fs.IntVar(&o.repeat, "repeat", 3, "scans and floors per size, alternated; the table shows the medians")
	fs.IntVar(&o.workers, "seed-workers", 16, "concurrent calls that seed moto")
	fs.IntVar(&o.parallelism, "parallelism", 0, "driftctl's requests in flight (aws.WithParallelism; 0: driftctl's default)")
	fs.Float64Var(&o.apiRate, "api-rate", 0, "driftctl's requests per second per service (aws.WithAPIRate; 0: driftctl's defaults)")
	fs.IntVar(&o.perFile, "per-file", 1000, "resource blocks per .tf file")
	fs.BoolVar(&o.verbose, "v", false, "print the child's diagnostics and the reasons of inexact reports in full")
	modes := fs.String("modes", "native", "how each estate is scanned, comma-separated, side by side: native (driftctl's readers), plugin (driftctl, every type through the provider's plugin), terraform (terraform plan -refresh-only), terraform-plan (terraform plan)")
	fs.StringVar(modes, "mode", "native", "the same as --modes")
	pluginDir := fs.String("plugin-dir", "", "a filesystem mirror holding one hashicorp/aws (unpacked) for the plugin and terraform modes")
	pluginPar := fs.String("plugin-parallelism", "10", "the plugin mode's calls in flight per provider process, comma-separated for a row each (10: terraform's default; driftctl scan passes its --parallelism, 32)")
	tfPar := fs.Int("terraform-parallelism", 10, "the terraform modes' -parallelism (10: terraform's default)")
	_ = fs.Parse(os.Args[1:])
	if err := o.checkNumbers(); err != nil {
		fmt.Fprintln(os.Stderr, "driftbench:", err)
		os.Exit(2)
	}
	var err error
	if o.modes, err = parseModes(*modes, *pluginPar, *tfPar, o.parallelism); err == nil {
		err = o.checkModes(*pluginDir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "driftbench:", err)
		os.Exit(2)
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 20 {
			fmt.Fprintf(os.Stderr, "--resources %q: sizes are numbers of at least 20\n", s)
			os.Exit(2)
		}
		o.sizes = append(o.sizes, n)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := bench(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "driftbench:", err)
		os.Exit(1)
	}
}

// checkNumbers rejects numeric flags out of their range, naming the flag
// and the range, rather than running with a value that means nothing.
func (o options) checkNumbers() error {
	for _, f := range []struct {
		name string
		v    int
		min  int
	}{{"concurrency", o.concurrency, 1}, {"repeat", o.repeat, 1}, {"seed-workers", o.workers, 1}, {"per-file", o.perFile, 1}, {"parallelism", o.parallelism, 0}} {
		if f.v < f.min {
			return fmt.Errorf("-%s %d: expected %d or more", f.name, f.v, f.min)
		}
	}
	if !(o.apiRate >= 0) || math.IsInf(o.apiRate, 1) {
		return fmt.Errorf("-api-rate %v: expected requests per second above 0 (or 0 for driftctl's defaults)", o.apiRate)
	}
	if o.latency < 0 {
		return fmt.Errorf("-latency %s: expected 0 or more", o.latency)
	}
	return nil
}

func bench(ctx context.Context, o options) error {
	if o.has("plugin") {
		// One schema cache for every scan of the plugin mode: the first
		// (not measured) fetches the schema, the measured ones read it.
		dir, err := os.MkdirTemp("", "driftbench-cache-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.cacheDir = dir
	}
	var runs []run
	var estates []*estateRun
	for _, n := range o.sizes {
		var r *run
		var er *estateRun
		var err error
		if o.engineOnly {
			r, err = engineRun(ctx, o, n)
		} else {
			r, er, err = motoRun(ctx, o, n)
		}
		if err != nil {
			return fmt.Errorf("%d resources: %w", n, err)
		}
		if r != nil {
			runs = append(runs, *r)
			if !o.engineOnly {
				printBreakdown(r)
			}
		}
		if er != nil && o.sideBySide() {
			// Each estate's table as soon as it is done: a size takes
			// many minutes.
			estates = append(estates, er)
			printEstate(er)
			printModes([]*estateRun{er})
		}
		if err := writeJSON(o.jsonPath, runs, estates); err != nil {
			return err
		}
	}
	if len(runs) > 0 {
		printTable(runs)
	}
	if len(estates) > 1 {
		printModes(estates)
	}
	return nil
}

// writeJSON writes the runs so far to path ("": nowhere).
func writeJSON(path string, runs []run, estates []*estateRun) error {
	if path == "" {
		return nil
	}
	out := map[string]any{"runs": runs}
	if len(estates) > 0 {
		out["estates"] = estates
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// median is the middle of xs (the mean of the two middle ones for an even
// count).
func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// engineRun measures the engine alone in a child process. This process
// writes the estate's HCL and state first: they are the scan's input, on
// disk, and making them is not the engine's work.
func engineRun(ctx context.Context, o options, n int) (*run, error) {
	l := newLayout(n)
	dir, err := os.MkdirTemp(os.Getenv("DRIFTBENCH_ENGINE_DIR"), "driftbench-engine-*")
	if err != nil {
		return nil, err
	}
	if os.Getenv("DRIFTBENCH_ENGINE_DIR") == "" {
		defer os.RemoveAll(dir)
	} else {
		// Kept, to run the child by hand: driftbench -child engine N DIR.
		fmt.Fprintln(os.Stderr, "engine input kept in", dir)
	}
	if err := writeHCL(dir, l, o.perFile, ""); err != nil {
		return nil, err
	}
	estate, err := memState(l)
	if err != nil {
		return nil, err
	}
	if err := writeState(filepath.Clean(dir), estate); err != nil {
		return nil, err
	}
	res, _, err := runChild(ctx, o, []string{"engine", strconv.Itoa(n), dir}, nil)
	if err != nil {
		return nil, err
	}
	r := &run{
		Mode: "engine", Resources: l.total(), WallSeconds: res.WallSeconds, PeakRSSBytes: res.PeakRSS, PeakLiveHeap: res.PeakLiveHeap,
		ScanSeconds: res.ScanSeconds, ReportSeconds: res.ReportSeconds, MetricsSeconds: res.MetricsSeconds,
		BytesPerResource: float64(res.PeakRSS) / float64(l.total()), Errors: res.Errors,
	}
	r.Exact, r.NotExact = exactly(expectedOf(l), res, l.total())
	return r, nil
}

// runChild re-executes this program with -child args, added to the
// environment env (appended: it overrides), and decodes the result it
// prints; the child's wall and its process tree's memory are measured
// from here.
func runChild(ctx context.Context, o options, args []string, env []string) (*childResult, procRun, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, procRun{}, err
	}
	cmd := exec.CommandContext(ctx, exe, append([]string{"-child"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	pr, err := measure(cmd)
	if err != nil {
		return nil, pr, fmt.Errorf("child %v: %w: %s", args, err, strings.TrimSpace(stderr.String()))
	}
	var res childResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return nil, pr, fmt.Errorf("child %v printed no result: %w", args, err)
	}
	if o.verbose {
		for _, d := range res.Diagnostics {
			fmt.Fprintln(os.Stderr, "  diagnostic:", d)
		}
	}
	return &res, pr, nil
}

// child runs in the child process: "scan DIR" or "engine N DIR".
func child(args []string) error {
	ctx := context.Background()
	var res *childResult
	var err error
	switch {
	case len(args) == 2 && args[0] == "scan":
		res, err = scanChild(ctx, args[1], nil)
	case len(args) == 3 && args[0] == "engine":
		n, _ := strconv.Atoi(args[1])
		res, err = scanChild(ctx, args[2], &memFactory{schema: memSchema(), layout: newLayout(n)})
	default:
		return fmt.Errorf("unknown child arguments %q", args)
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

func printTable(runs []run) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "mode\tresources\tcalls\tmin_calls\tcalls/res\tcalls/min\twall_s\tfloor_s\twall/floor\tres/s\tpeak_rss_MiB\tB/res\texact\t")
	for _, r := range runs {
		ratio := func(a, b float64) string {
			if b == 0 {
				return "-"
			}
			return fmt.Sprintf("%.2f", a/b)
		}
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%s\t%s\t%.2f\t%.2f\t%s\t%.0f\t%.1f\t%.0f\t%v\t\n",
			r.Mode, r.Resources, r.Calls, r.MinCalls, ratio(float64(r.Calls), float64(r.Resources)), ratio(float64(r.Calls), float64(r.MinCalls)),
			r.WallSeconds, r.FloorSeconds, ratio(r.WallSeconds, r.FloorSeconds), float64(r.Resources)/r.WallSeconds,
			float64(r.PeakRSSBytes)/(1<<20), r.BytesPerResource, r.Exact)
	}
	_ = w.Flush()
	for _, r := range runs {
		if !r.Exact {
			fmt.Printf("%d resources: report not exact: %s\n", r.Resources, r.NotExact)
		}
		for _, e := range r.Errors {
			fmt.Printf("%d resources: scan error: %s\n", r.Resources, e)
		}
		if r.Mode == "engine" {
			fmt.Printf("%d resources (engine): scan %.2fs, reports %.2fs, metrics %.2fs; peak live heap %.1f MiB (%.0f B/resource)\n",
				r.Resources, r.ScanSeconds, r.ReportSeconds, r.MetricsSeconds, float64(r.PeakLiveHeap)/(1<<20), float64(r.PeakLiveHeap)/float64(r.Resources))
		}
	}
}

// printBreakdown prints where one run's calls went, beside the minimum
// and the floor's.
func printBreakdown(r *run) {
	fmt.Printf("\n%d resources, latency %.0fms: calls by operation\n", r.Resources, r.LatencyMS)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "operation\tdriftctl\tmin\tfloor\textra\t")
	for _, op := range sortedOps(r.CallsByOperation, r.MinByOperation, r.FloorByOperation) {
		got, min := r.CallsByOperation[op], r.MinByOperation[op]
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%+d\t\n", op, got, min, r.FloorByOperation[op], got-min)
	}
	fmt.Fprintf(w, "total\t%d\t%d\t%d\t%+d\t\n", r.Calls, r.MinCalls, sum(r.FloorByOperation), r.Calls-r.MinCalls)
	_ = w.Flush()
	fmt.Println()
}
