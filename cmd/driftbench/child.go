package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	rtmetrics "runtime/metrics"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/gitsource"
	"github.com/gitdrift/driftctl/metrics"
	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws"
	"github.com/gitdrift/driftctl/report"
	"github.com/gitdrift/driftctl/scan"
)

// childResult is what a child process measured, written to its stdout as
// JSON.
type childResult struct {
	WallSeconds    float64 `json:"wall_seconds"`
	ScanSeconds    float64 `json:"scan_seconds"`
	ReportSeconds  float64 `json:"report_seconds"`
	MetricsSeconds float64 `json:"metrics_seconds"`
	PeakRSS        int64   `json:"peak_rss_bytes"`
	BaseRSS        int64   `json:"base_rss_bytes"`
	// PeakLiveHeap is the largest live heap a garbage collection found
	// during the scan: what the engine held, without the garbage that
	// peak RSS also counts.
	PeakLiveHeap int64          `json:"peak_live_heap_bytes"`
	Calls        map[string]int `json:"calls"`
	// PluginCalls are the calls to provider plugins, by RPC; PluginSpans
	// when the first and the last of each ended, in seconds from the
	// scan's start.
	PluginCalls map[string]int        `json:"plugin_calls,omitempty"`
	PluginSpans map[string][2]float64 `json:"plugin_spans,omitempty"`
	Drifted     []string              `json:"drifted"`
	Missing     []string              `json:"missing"`
	Unmanaged   []string              `json:"unmanaged"`
	Other       []string              `json:"other"` // unknown and ignored results
	InSync      int                   `json:"in_sync"`
	Errors      []string              `json:"errors"`
	Diagnostics []string              `json:"diagnostics"`
}

// procStatus reads a "VmXXX: N kB" line of /proc/self/status, in bytes;
// 0 where there is none (not Linux).
func procStatus(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0
		}
		return kb * 1024
	}
	return 0
}

// scanChild scans dir as driftctl scan does (AWS endpoint and credentials
// from the environment), then builds its metrics and JSON report. With
// mem set, the provider serves the live resources from memory.
func scanChild(ctx context.Context, dir string, mem *memFactory) (*childResult, error) {
	res := &childResult{Calls: map[string]int{}}
	var mu sync.Mutex
	api := metrics.NewAPICalls()
	var factory providers.Factory = mem
	if mem == nil {
		parallelism, _ := strconv.Atoi(os.Getenv("DRIFTBENCH_PARALLELISM"))
		rate, _ := strconv.ParseFloat(os.Getenv("DRIFTBENCH_API_RATE"), 64)
		factory = aws.NewFactory(aws.WithParallelism(parallelism), aws.WithAPIRate(rate), aws.WithAPIObserver(func(service, operation, code string) {
			api.Observe("aws", service, operation, code)
			mu.Lock()
			res.Calls[service+":"+operation]++
			mu.Unlock()
		}))
	}
	runtime.GC()
	res.BaseRSS = procStatus("VmRSS")
	stopSampling := sampleLiveHeap(&res.PeakLiveHeap)
	if path := os.Getenv("DRIFTBENCH_CPUPROFILE"); path != "" {
		// Where the scan's CPU goes, for go tool pprof.
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer func() { pprof.StopCPUProfile(); f.Close() }()
			}
		}
	}
	if at, err := time.ParseDuration(os.Getenv("DRIFTBENCH_MEMPROFILE_AT")); err == nil {
		// What the scan holds at a moment during it, for go tool pprof.
		time.AfterFunc(at, func() {
			runtime.GC()
			if f, err := os.Create(os.Getenv("DRIFTBENCH_MEMPROFILE") + ".during"); err == nil {
				_ = pprof.WriteHeapProfile(f)
				f.Close()
			}
		})
	}

	var started time.Time
	opts := scan.Options{
		Stack: "driftbench", Location: dir, Git: gitsource.Options{Environ: os.Environ()},
		Vars: config.VarOptions{Environ: os.Environ()}, Unmanaged: true,
	}
	if pluginDir := os.Getenv("DRIFTBENCH_PLUGIN_DIR"); pluginDir != "" && mem == nil {
		// Every type through the provider's binary, as --plugin-types
		// all does; the schema comes from the cache the parent warmed.
		parallelism, _ := strconv.Atoi(os.Getenv("DRIFTBENCH_PLUGIN_PARALLELISM"))
		res.PluginCalls, res.PluginSpans = map[string]int{}, map[string][2]float64{}
		opts.Plugins = scan.PluginOptions{Dirs: []string{pluginDir}, Types: scan.PluginTypesAll, Parallelism: parallelism,
			CacheDir: os.Getenv("DRIFTBENCH_PLUGIN_CACHE"),
			Observe: func(provider, rpc string, err error) {
				at := time.Since(started).Seconds()
				mu.Lock()
				if res.PluginCalls[rpc]++; res.PluginCalls[rpc] == 1 {
					res.PluginSpans[rpc] = [2]float64{at, at}
				} else {
					res.PluginSpans[rpc] = [2]float64{res.PluginSpans[rpc][0], at}
				}
				mu.Unlock()
			}}
	}

	started = time.Now()
	out, err := scan.Run(ctx, factory, opts)
	for _, d := range out.Diagnostics {
		res.Diagnostics = append(res.Diagnostics, d.Error())
	}
	var se *scan.Error
	if errors.As(err, &se) && se.Stage == scan.StageEvaluate {
		return nil, fmt.Errorf("the scan produced no report: %w", err)
	}
	if err != nil {
		return nil, err
	}
	rep := out.Report
	scanned := time.Now()
	res.ScanSeconds = scanned.Sub(started).Seconds()
	if path := os.Getenv("DRIFTBENCH_MEMPROFILE"); path != "" {
		// What the scan keeps, for go tool pprof: the heap right after it.
		runtime.GC()
		if f, err := os.Create(path); err == nil {
			_ = pprof.WriteHeapProfile(f)
			f.Close()
		}
	}

	if err := report.JSON(io.Discard, rep); err != nil {
		return nil, err
	}
	if err := report.Console(io.Discard, rep, report.ConsoleOptions{}); err != nil {
		return nil, err
	}
	reported := time.Now()
	res.ReportSeconds = reported.Sub(scanned).Seconds()

	snap := metrics.Next(nil, metrics.ScanOutcome{Stack: "driftbench", Source: dir, Report: rep, Started: started, Ended: scanned,
		FailOn: map[drift.Status]bool{drift.Drifted: true, drift.Missing: true}})
	c := metrics.NewCollector(1000)
	c.Set(snap)
	if _, err := metrics.NewJobRegistry("driftbench", c, api, nil, metrics.Build{Version: "driftbench"}).Gather(); err != nil {
		return nil, fmt.Errorf("gathering metrics: %w", err)
	}
	res.MetricsSeconds = time.Since(reported).Seconds()
	res.WallSeconds = time.Since(started).Seconds()
	res.PeakRSS = procStatus("VmHWM")
	stopSampling()

	for _, r := range rep.Results {
		switch r.Status {
		case drift.Drifted:
			res.Drifted = append(res.Drifted, r.Address)
		case drift.Missing:
			res.Missing = append(res.Missing, r.Address)
		case drift.Unmanaged:
			res.Unmanaged = append(res.Unmanaged, r.Type+" "+r.ID)
		case drift.InSync:
			res.InSync++
		default:
			res.Other = append(res.Other, fmt.Sprintf("%s %s %s: %s", r.Status, r.Address, r.ID, r.Reason))
		}
	}
	for _, e := range rep.Errors {
		res.Errors = append(res.Errors, fmt.Sprintf("%s %s %s: %s", e.Type, e.Region, e.Operation, e.Message))
	}
	sort.Strings(res.Drifted)
	sort.Strings(res.Missing)
	sort.Strings(res.Unmanaged)
	return res, nil
}

// exactly says whether the report found exactly the hand changes and
// everything else in sync; otherwise why not.
func exactly(want expected, got *childResult, managed int) (bool, string) {
	var why []string
	why = append(why, setDiff("drifted", want.Drifted, got.Drifted)...)
	why = append(why, setDiff("missing", want.Missing, got.Missing)...)
	why = append(why, setDiff("unmanaged", want.Unmanaged, got.Unmanaged)...)
	if len(got.Other) > 0 {
		why = append(why, fmt.Sprintf("%d unknown or ignored: %s", len(got.Other), firstFew(got.Other)))
	}
	if wantSync := managed - len(want.Drifted) - len(want.Missing); got.InSync != wantSync {
		why = append(why, fmt.Sprintf("%d in sync, want %d", got.InSync, wantSync))
	}
	return len(why) == 0, strings.Join(why, "; ")
}

// setDiff says what got lacks of want and has more, for what ("drifted");
// nothing when they hold the same.
func setDiff(what string, want, got []string) []string {
	ws, gs := map[string]bool{}, map[string]bool{}
	for _, s := range want {
		ws[s] = true
	}
	for _, s := range got {
		gs[s] = true
	}
	var lack, extra, why []string
	for _, s := range want {
		if !gs[s] {
			lack = append(lack, s)
		}
	}
	for _, s := range got {
		if !ws[s] {
			extra = append(extra, s)
		}
	}
	if len(lack) > 0 {
		why = append(why, fmt.Sprintf("%s lacks %d: %s", what, len(lack), firstFew(lack)))
	}
	if len(extra) > 0 {
		why = append(why, fmt.Sprintf("%s has %d more: %s", what, len(extra), firstFew(extra)))
	}
	return why
}

func firstFew(s []string) string {
	if len(s) > 5 {
		return strings.Join(s[:5], ", ") + ", …"
	}
	return strings.Join(s, ", ")
}

// sampleLiveHeap records in peak the largest live heap the garbage
// collections find (runtime/metrics' /gc/heap/live:bytes), sampled every
// 20 ms until the returned function is called.
func sampleLiveHeap(peak *int64) func() {
	sample := []rtmetrics.Sample{{Name: "/gc/heap/live:bytes"}}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	read := func() {
		rtmetrics.Read(sample)
		if sample[0].Value.Kind() == rtmetrics.KindUint64 {
			*peak = max(*peak, int64(sample[0].Value.Uint64()))
		}
	}
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		read()
	}
}
