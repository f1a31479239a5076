package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/gitdrift/driftctl/providers/aws"
)

// A mode is one way of scanning an estate: driftctl's native readers,
// driftctl through the provider's plugin (every type), terraform plan
// -refresh-only, or a whole terraform plan, the last ones with the same
// provider binary.
type mode struct {
	name string // "native", "plugin", "terraform", "terraform-plan"
	// parallelism: the native readers' requests in flight (0: driftctl's
	// default), the plugin's calls in flight per provider process, or
	// terraform's -parallelism.
	parallelism int
}

func (m mode) String() string { return m.name + "/" + strconv.Itoa(m.parallelism) }

// modeRun is one row of the side-by-side table: one mode on one estate,
// over the repeats.
type modeRun struct {
	Mode        string `json:"mode"`
	Parallelism int    `json:"parallelism"`
	// AWSCalls are the requests that went through the proxy (driftctl's
	// or the provider's), of the first run; AWSCallsRuns of each.
	AWSCalls       int            `json:"aws_calls"`
	AWSCallsRuns   []int          `json:"aws_calls_runs"`
	AWSByOperation map[string]int `json:"aws_calls_by_operation"`
	// AWSSpans are when each operation was first and last asked for
	// (seconds from the run's start, first run): the order of reads.
	AWSSpans map[string][2]float64 `json:"aws_spans_by_operation,omitempty"`
	// PluginCalls are driftctl's calls to the provider process, by RPC
	// (first run); terraform's are not counted.
	PluginCalls int            `json:"plugin_calls,omitempty"`
	PluginByRPC map[string]int `json:"plugin_calls_by_rpc,omitempty"`
	// WallSeconds is the median, from the process's start to its exit.
	WallSeconds float64   `json:"wall_seconds"`
	WallRuns    []float64 `json:"wall_seconds_runs"`
	// CPUSeconds is the median of the runs' CPU time (user and system,
	// of the process and the provider); OwnCPUSeconds of the process
	// alone (driftctl or terraform), ProviderCPUSeconds of the ones it
	// started; EmulatorCPUSeconds of moto, BenchCPUSeconds of
	// driftbench (the proxies), meanwhile.
	CPUSeconds                                 float64   `json:"cpu_seconds"`
	CPURuns                                    []float64 `json:"cpu_seconds_runs"`
	OwnCPUSeconds                              float64   `json:"own_cpu_seconds"`
	ProviderCPUSeconds                         float64   `json:"provider_cpu_seconds"`
	EmulatorCPUSeconds                         float64   `json:"emulator_cpu_seconds"`
	BenchCPUSeconds                            float64   `json:"bench_cpu_seconds"`
	ownCPU, providerCPU, emulatorCPU, benchCPU []float64
	// PluginSpans are, for the plugin mode's first run, when the first
	// and the last call of each RPC ended (seconds from the scan's start).
	PluginSpans map[string][2]float64 `json:"plugin_spans,omitempty"`
	// PeakRSSBytes is the largest of the runs' peak resident memory of
	// the process tree (driftctl or terraform, and the provider).
	PeakRSSBytes int64   `json:"peak_rss_bytes"`
	PeakRSSRuns  []int64 `json:"peak_rss_bytes_runs"`
	// SumHWMBytes adds up each process's own peak (an upper bound of the
	// above); OwnRSSBytes is the peak of the process started (driftctl
	// or terraform), ProviderRSSBytes the largest of the processes it
	// started (a provider's).
	SumHWMBytes      int64 `json:"sum_of_process_peaks_bytes"`
	OwnRSSBytes      int64 `json:"own_peak_rss_bytes"`
	ProviderRSSBytes int64 `json:"provider_peak_rss_bytes"`
	// Processes is how many processes a run's tree had, by name.
	Processes map[string]int `json:"processes"`
	// Drifted and Missing are what the first run found.
	Drifted  []string `json:"drifted"`
	Missing  []string `json:"missing"`
	Exact    bool     `json:"exact"`
	NotExact string   `json:"not_exact,omitempty"`
	Errors   []string `json:"errors,omitempty"`
}

// add records one run, its AWS calls and their spans.
func (r *modeRun) add(pr procRun, calls map[string]int, spans map[string][2]float64) {
	if len(r.WallRuns) == 0 {
		r.AWSCalls, r.AWSByOperation, r.AWSSpans = sum(calls), calls, spans
	}
	r.AWSCallsRuns = append(r.AWSCallsRuns, sum(calls))
	r.WallRuns = append(r.WallRuns, pr.Wall.Seconds())
	r.WallSeconds = median(r.WallRuns)
	r.CPURuns = append(r.CPURuns, pr.CPU.Seconds())
	r.CPUSeconds = median(r.CPURuns)
	r.ownCPU = append(r.ownCPU, pr.Tree.RootCPU.Seconds())
	r.providerCPU = append(r.providerCPU, pr.Tree.OthersCPU.Seconds())
	r.emulatorCPU = append(r.emulatorCPU, pr.EmulatorCPU.Seconds())
	r.benchCPU = append(r.benchCPU, pr.BenchCPU.Seconds())
	r.OwnCPUSeconds, r.ProviderCPUSeconds = median(r.ownCPU), median(r.providerCPU)
	r.EmulatorCPUSeconds, r.BenchCPUSeconds = median(r.emulatorCPU), median(r.benchCPU)
	r.PeakRSSRuns = append(r.PeakRSSRuns, pr.Tree.Peak)
	r.PeakRSSBytes = max(r.PeakRSSBytes, pr.Tree.Peak)
	r.SumHWMBytes = max(r.SumHWMBytes, pr.Tree.SumHWM)
	r.OwnRSSBytes = max(r.OwnRSSBytes, pr.Tree.Root)
	r.ProviderRSSBytes = max(r.ProviderRSSBytes, pr.Tree.Largest)
	if len(r.WallRuns) == 1 {
		r.Processes = pr.Tree.Commands
	}
}

// judge records what run i of repeat found and whether it is exact; a
// later run that is not exact makes the row inexact.
func (r *modeRun) judge(i, repeat int, drifted, missing []string, ok bool, why string) {
	if i == 0 {
		r.Drifted, r.Missing, r.Exact, r.NotExact = drifted, missing, ok, why
		return
	}
	if !ok && r.Exact {
		r.Exact, r.NotExact = false, fmt.Sprintf("run %d of %d: %s", i+1, repeat, why)
	}
}

// estateRun is one estate scanned in every mode.
type estateRun struct {
	Resources int     `json:"resources"`
	LatencyMS float64 `json:"latency_ms"`
	Repeat    int     `json:"repeat"`
	// Provider is the hashicorp/aws version the plugin and terraform ran.
	Provider string     `json:"provider,omitempty"`
	Modes    []*modeRun `json:"modes"`
	// Referee is what an untimed terraform plan (not refresh-only) would
	// change: the configuration against the cloud, as driftctl compares.
	Referee *planChanges `json:"terraform_plan,omitempty"`
}

// nativeParallelism is the native readers' requests in flight.
func nativeParallelism(o options) int {
	if o.parallelism > 0 {
		return o.parallelism
	}
	return aws.DefaultParallelism
}

// parseModes reads --modes: each of native, plugin, terraform and
// terraform-plan at most once, the plugin mode once per
// --plugin-parallelism.
func parseModes(modes, pluginPar string, tfPar, nativePar int) ([]mode, error) {
	var ms []mode
	seen := map[string]bool{}
	for _, name := range strings.Split(modes, ",") {
		name = strings.TrimSpace(name)
		if seen[name] {
			return nil, fmt.Errorf("--modes %q: %s twice", modes, name)
		}
		seen[name] = true
		switch name {
		case "native":
			ms = append(ms, mode{name: name, parallelism: nativePar})
		case "plugin":
			for _, p := range strings.Split(pluginPar, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(p))
				if err != nil || n < 1 {
					return nil, fmt.Errorf("--plugin-parallelism %q: expected numbers of 1 or more", pluginPar)
				}
				ms = append(ms, mode{name: name, parallelism: n})
			}
		case "terraform", "terraform-plan":
			if tfPar < 1 {
				return nil, fmt.Errorf("--terraform-parallelism %d: expected 1 or more", tfPar)
			}
			ms = append(ms, mode{name: name, parallelism: tfPar})
		default:
			return nil, fmt.Errorf("--modes %q: the modes are native, plugin, terraform and terraform-plan", modes)
		}
	}
	if ms[0].name == "native" && ms[0].parallelism == 0 {
		ms[0].parallelism = aws.DefaultParallelism
	}
	return ms, nil
}

// checkModes finds the provider the plugin and terraform modes need, and
// rejects what cannot go together.
func (o *options) checkModes(pluginDir string) error {
	needsPlugin := o.has("plugin") || o.has("terraform") || o.has("terraform-plan")
	switch {
	case o.engineOnly && (needsPlugin || len(o.modes) > 1):
		return fmt.Errorf("--engine-only measures the engine alone: no --modes")
	case needsPlugin && pluginDir == "":
		return fmt.Errorf("the plugin and terraform modes need --plugin-dir (a filesystem mirror of hashicorp/aws)")
	case pluginDir == "":
		return nil
	}
	pkg, err := findAWSPackage(pluginDir)
	if err != nil {
		return err
	}
	o.pkg = pkg
	return nil
}

// printEstate prints where one estate's calls went in each mode.
func printEstate(er *estateRun) {
	fmt.Printf("\n%d resources, %s, latency %.0fms: AWS calls by operation (through the proxy, first run)\n", er.Resources, er.Provider, er.LatencyMS)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	var maps []map[string]int
	fmt.Fprint(w, "operation\t")
	for _, m := range er.Modes {
		fmt.Fprintf(w, "%s/%d\t", m.Mode, m.Parallelism)
		maps = append(maps, m.AWSByOperation)
	}
	fmt.Fprintln(w)
	for _, op := range sortedOps(maps...) {
		fmt.Fprintf(w, "%s\t", op)
		for _, m := range maps {
			fmt.Fprintf(w, "%d\t", m[op])
		}
		fmt.Fprintln(w)
	}
	_ = w.Flush()
	for _, m := range er.Modes {
		if len(m.PluginByRPC) > 0 {
			fmt.Printf("%s/%d plugin calls by RPC (first and last done at, s):", m.Mode, m.Parallelism)
			for _, rpc := range sortedOps(m.PluginByRPC) {
				sp := m.PluginSpans[rpc]
				fmt.Printf(" %s %d (%.2f-%.2f)", rpc, m.PluginByRPC[rpc], sp[0], sp[1])
			}
			fmt.Println()
		}
	}
}

// printModes prints the side-by-side table and how the modes' findings
// compare.
func printModes(ers []*estateRun) {
	fmt.Println()
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "resources\tmode\tparallelism\tcalls_aws\tplugin_calls\twall_s\tcpu_s\tprovider_cpu_s\tmoto_cpu_s\tpeak_rss_MiB\town_rss_MiB\tprovider_rss_MiB\texact\t")
	for _, er := range ers {
		for _, m := range er.Modes {
			plugin, provider := "-", "-"
			if m.Mode == "plugin" {
				plugin = strconv.Itoa(m.PluginCalls)
			}
			if m.ProviderRSSBytes > 0 {
				provider = fmt.Sprintf("%.0f", mib(m.ProviderRSSBytes))
			}
			fmt.Fprintf(w, "%d\t%s\t%d\t%d\t%s\t%.2f\t%.1f\t%.1f\t%.1f\t%.0f\t%.0f\t%s\t%v\t\n", er.Resources, m.Mode, m.Parallelism, m.AWSCalls, plugin,
				m.WallSeconds, m.OwnCPUSeconds, m.ProviderCPUSeconds, m.EmulatorCPUSeconds, mib(m.PeakRSSBytes), mib(m.OwnRSSBytes), provider, m.Exact)
		}
	}
	_ = w.Flush()
	for _, er := range ers {
		fmt.Printf("%d resources, %s: walls", er.Resources, er.Provider)
		for _, m := range er.Modes {
			fmt.Printf("; %s/%d %s s, calls %v, processes %v, sum of their peaks %.0f MiB", m.Mode, m.Parallelism, fmtFloats(m.WallRuns), m.AWSCallsRuns, m.Processes, mib(m.SumHWMBytes))
		}
		fmt.Println()
		for _, m := range er.Modes {
			if !m.Exact {
				fmt.Printf("%d resources, %s/%d: not exact: %s\n", er.Resources, m.Mode, m.Parallelism, m.NotExact)
			}
			for _, e := range m.Errors {
				fmt.Printf("%d resources, %s/%d: scan error: %s\n", er.Resources, m.Mode, m.Parallelism, e)
			}
		}
		printAgreement(er)
	}
}

// printAgreement compares what the plugin mode found with what terraform
// found: its refresh-only plans, and the referee's plan.
func printAgreement(er *estateRun) {
	var plugin, refresh, whole *modeRun
	for _, m := range er.Modes {
		switch {
		case m.Mode == "plugin" && plugin == nil:
			plugin = m
		case m.Mode == "terraform":
			refresh = m
		case m.Mode == "terraform-plan":
			whole = m
		}
	}
	if plugin == nil {
		return
	}
	say := func(what string, drifted, missing []string) {
		why := append(setDiff("drifted", drifted, plugin.Drifted), setDiff("missing", missing, plugin.Missing)...)
		if len(why) == 0 {
			fmt.Printf("%d resources: the plugin mode and %s agree: %d drifted, %d missing\n", er.Resources, what, len(drifted), len(missing))
			return
		}
		fmt.Printf("%d resources: the plugin mode against %s: %s\n", er.Resources, what, strings.Join(why, "; "))
	}
	if refresh != nil {
		// Its drift is the cloud against the state, computed attributes
		// included (refreshOnlyExpected).
		say("terraform plan -refresh-only (cloud against state)", refresh.Drifted, refresh.Missing)
	}
	if whole != nil {
		say("the measured terraform plan (cloud against configuration)", whole.Drifted, whole.Missing)
	}
	if er.Referee != nil {
		say("the referee terraform plan (cloud against configuration)", er.Referee.Drifted, er.Referee.Missing)
	}
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func fmtFloats(xs []float64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprintf("%.2f", x)
	}
	return strings.Join(s, ", ")
}
