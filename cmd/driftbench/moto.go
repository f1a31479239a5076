package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// motoRun seeds a fresh moto with n resources and scans it through the
// proxy in each mode, repeat times, the modes in turn; in the native mode
// the floor follows each scan. It returns the floor table's row (nil
// without the native mode) and the estate's modes.
func motoRun(ctx context.Context, o options, n int) (*run, *estateRun, error) {
	srv, err := emulator.Launch(ctx)
	if errors.Is(err, emulator.ErrNoMoto) {
		return nil, nil, fmt.Errorf("moto_server is not on PATH; %s", emulator.InstallHint)
	}
	if err != nil {
		return nil, nil, err
	}
	defer srv.Close()
	direct := newClients(srv.URL())
	l := newLayout(n)
	if o.pkg != nil && o.pkg.major < 4 {
		l = l.withoutVersioningType()
	}
	want := expectedOf(l)

	seedStart := time.Now()
	estate, err := seed(ctx, direct, l, o.workers)
	if err != nil {
		return nil, nil, fmt.Errorf("seeding: %w", err)
	}
	// Every scan's requests go through the proxy that adds the latency,
	// then moto. Side by side, a counter in front of the proxy counts
	// them whoever sends them (the native mode alone counts driftctl's
	// through the SDK, as before the modes).
	proxy, err := emulator.NewProxy(srv.URL())
	if err != nil {
		return nil, nil, err
	}
	defer proxy.Close()
	endpoint := proxy.URL()
	var front *callCounter
	if o.sideBySide() {
		if front, err = newCallCounter(endpoint); err != nil {
			return nil, nil, err
		}
		defer front.Close()
		endpoint = front.URL()
	}

	work, err := os.MkdirTemp("", "driftbench-*")
	if err != nil {
		return nil, nil, err
	}
	if os.Getenv("DRIFTBENCH_KEEP") == "" {
		defer os.RemoveAll(work)
	} else {
		// The stack (HCL, state, .terraform) and terraform's plans, to
		// look at after the run; moto is gone with it.
		fmt.Fprintln(os.Stderr, "kept", work)
	}
	dir := filepath.Join(work, "stack")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, nil, err
	}
	var providers string
	if o.pkg != nil {
		providers = providerBlock(o.pkg, endpoint)
	}
	if err := writeHCL(dir, l, o.perFile, providers); err != nil {
		return nil, nil, err
	}
	if o.pkg != nil && o.pkg.major < 4 {
		// v3's aws_s3_bucket has acl = "private" by default, which an
		// apply records; v4 made it computed.
		for addr, attrs := range estate.Attrs {
			if strings.HasPrefix(addr, "aws_s3_bucket.") {
				attrs["acl"] = "private"
			}
		}
	}
	if err := writeState(dir, estate); err != nil {
		return nil, nil, err
	}
	var tf *tfStack
	if o.pkg != nil {
		// Not measured: terraform init installs the provider from the
		// mirror and writes the lock file that driftctl and terraform
		// then check the binary against; validate holds the generated
		// configuration against the provider's schema; a refresh before
		// the hand changes makes the state the one terraform apply would
		// have left, every attribute the provider reads recorded (the
		// written state has IDs and the few attributes reads need), so
		// that what a refresh-only plan finds drifted is the hand
		// changes.
		if tf, err = newTFStack(dir, work, o.pkg, endpoint); err != nil {
			return nil, nil, err
		}
		for _, args := range [][]string{{"init", "-input=false", "-no-color"}, {"validate", "-no-color"},
			{"apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color"}} {
			if _, err := tf.run(ctx, args...); err != nil {
				return nil, nil, err
			}
		}
	}
	if err := handChanges(ctx, direct, l, estate, o.workers); err != nil {
		return nil, nil, err
	}
	q, err := probeQuirks(ctx, direct)
	if err != nil {
		return nil, nil, err
	}
	seedTime := time.Since(seedStart)
	fmt.Fprintf(os.Stderr, "%d resources: seeded %d (+%d hand changes) in %.1fs (not measured)\n", n, l.total(), want.changed(), seedTime.Seconds())

	env := scanEnviron(endpoint, "")
	childEnv := func(m mode) []string {
		e := append(slices.Clone(env), fmt.Sprintf("DRIFTBENCH_PARALLELISM=%d", o.parallelism), fmt.Sprintf("DRIFTBENCH_API_RATE=%g", o.apiRate))
		if m.name == "plugin" {
			e = append(e, "DRIFTBENCH_PLUGIN_DIR="+o.pkg.mirror, "DRIFTBENCH_PLUGIN_CACHE="+o.cacheDir,
				fmt.Sprintf("DRIFTBENCH_PLUGIN_PARALLELISM=%d", m.parallelism))
		}
		return e
	}
	// Through the provider (driftctl's plugin mode, terraform), its
	// semantics and no unmanaged resources (the protocol cannot list).
	wantPlugin, wantRefresh := want, want
	if o.pkg != nil {
		wantPlugin = want.throughProvider(o.pkg.major)
		wantRefresh = refreshOnlyExpected(l, wantPlugin, o.pkg.major)
	}

	er := &estateRun{Resources: l.total(), LatencyMS: float64(o.latency) / float64(time.Millisecond), Repeat: o.repeat}
	if o.pkg != nil {
		er.Provider = "hashicorp/aws " + o.pkg.version
		// Not measured, before the latency: a plugin scan that puts the
		// provider's schema in the cache every measured scan reads, and
		// the referee, a terraform plan. Both also bring the binary into
		// the page cache for the measured runs.
		if o.has("plugin") {
			res, _, err := runChild(ctx, o, []string{"scan", dir}, childEnv(mode{name: "plugin"}))
			if err != nil {
				return nil, nil, fmt.Errorf("warming the schema cache: %w", err)
			}
			fmt.Fprintf(os.Stderr, "%d resources: schema cache warmed (plugin calls %v)\n", n, res.PluginCalls)
		}
		if tf != nil {
			plan := filepath.Join(work, "referee.tfplan")
			if _, err := tf.run(ctx, "plan", "-lock=false", "-input=false", "-no-color", "-out="+plan); err != nil {
				return nil, nil, err
			}
			c, err := tf.changes(ctx, plan, false)
			if err != nil {
				return nil, nil, err
			}
			er.Referee = &c
		}
	}
	front.take()
	meter := cpuMeter{moto: findProcess(os.Getpid(), "moto_server")}
	for _, svc := range []string{"ec2", "s3", "iam", "sts"} {
		proxy.Inject(emulator.Fault{Service: svc, Latency: o.latency})
	}

	// A 2-core machine running moto, the proxy and the scan is noisy: the
	// modes run in turn, repeat times each, and the tables show medians.
	var native *nativeRuns
	rows := map[mode]*modeRun{}
	for _, m := range o.modes {
		rows[m] = &modeRun{Mode: m.name, Parallelism: m.parallelism}
		er.Modes = append(er.Modes, rows[m])
	}
	for i := range o.repeat {
		for _, m := range o.modes {
			row := rows[m]
			switch m.name {
			case "native", "plugin":
				moto0, self0 := meter.now()
				res, pr, err := runChild(ctx, o, []string{"scan", dir}, childEnv(m))
				if err != nil {
					return nil, nil, fmt.Errorf("%s: %w", m, err)
				}
				meter.since(&pr, moto0, self0)
				calls, spans := front.take()
				row.add(pr, calls, spans)
				w := want
				if m.name == "plugin" {
					w = wantPlugin
					if i == 0 {
						row.PluginCalls, row.PluginByRPC, row.PluginSpans = sum(res.PluginCalls), res.PluginCalls, res.PluginSpans
					}
				}
				ok, why := exactly(w, res, l.total())
				row.judge(i, o.repeat, res.Drifted, res.Missing, ok, why)
				if i == 0 {
					row.Errors = res.Errors
				}
				if m.name != "native" {
					continue
				}
				if native == nil {
					native = &nativeRuns{first: res}
				}
				native.scans = append(native.scans, res)
				floorTime, calls, err := floor(ctx, endpoint, q, o.concurrency, l.versioning > 0)
				if err != nil {
					return nil, nil, fmt.Errorf("the floor: %w", err)
				}
				front.take()
				native.floors, native.floorCalls = append(native.floors, floorTime.Seconds()), calls
			case "terraform", "terraform-plan":
				refreshOnly := m.name == "terraform"
				plan := filepath.Join(work, fmt.Sprintf("%s-%d.tfplan", m.name, i))
				moto0, self0 := meter.now()
				pr, err := tf.timedPlan(ctx, planArgs(refreshOnly, m.parallelism, plan))
				if err != nil {
					return nil, nil, err
				}
				meter.since(&pr, moto0, self0)
				calls, spans := front.take()
				row.add(pr, calls, spans)
				c, err := tf.changes(ctx, plan, refreshOnly)
				if err != nil {
					return nil, nil, err
				}
				w := wantPlugin
				if refreshOnly {
					w = wantRefresh
				}
				ok, why := exactPlan(w, c)
				row.judge(i, o.repeat, c.Drifted, c.Missing, ok, why)
			}
		}
	}
	var r *run
	if native != nil {
		r = native.row(o, l, q, want, seedTime)
	}
	return r, er, nil
}

// nativeRuns are the native mode's scans and floors, for the floor table.
type nativeRuns struct {
	first      *childResult
	scans      []*childResult
	floors     []float64
	floorCalls map[string]int
}

// row is the floor table's row: driftctl's calls as its SDK counted them,
// against the minimum; the scans' walls (inside the child) against the
// floors'.
func (nr *nativeRuns) row(o options, l layout, q quirks, want expected, seedTime time.Duration) *run {
	res := nr.first
	var walls []float64
	var peakRSS, peakLive int64
	var laterWhy string
	for i, s := range nr.scans {
		walls = append(walls, s.WallSeconds)
		peakRSS, peakLive = max(peakRSS, s.PeakRSS), max(peakLive, s.PeakLiveHeap)
		if ok, why := exactly(want, s, l.total()); !ok && i > 0 && laterWhy == "" {
			laterWhy = fmt.Sprintf("scan %d of %d: %s", i+1, len(nr.scans), why)
		}
	}
	mins := minCalls(l, q)
	r := &run{
		Mode: "moto", Resources: l.total(), Calls: sum(res.Calls), MinCalls: sum(mins),
		WallSeconds: median(walls), FloorSeconds: median(nr.floors), WallRuns: walls, FloorRuns: nr.floors,
		PeakRSSBytes: peakRSS, PeakLiveHeap: peakLive,
		LatencyMS: float64(o.latency) / float64(time.Millisecond), Concurrency: o.concurrency, SeedSeconds: seedTime.Seconds(),
		ScanSeconds: res.ScanSeconds, ReportSeconds: res.ReportSeconds, MetricsSeconds: res.MetricsSeconds,
		BytesPerResource: float64(peakRSS) / float64(l.total()),
		CallsByOperation: res.Calls, MinByOperation: mins, FloorByOperation: nr.floorCalls, Quirks: &q, Errors: res.Errors,
	}
	r.Exact, r.NotExact = exactly(want, res, l.total())
	if r.Exact && laterWhy != "" {
		r.Exact, r.NotExact = false, laterWhy
	}
	return r
}

// throughProvider is what an exact report says of the estate when
// terraform-provider-aws of that major version reads it: no unmanaged
// resources (a plugin cannot list), and, before v4, a deleted bucket
// policy drifted rather than missing: v3's resourceAwsS3BucketPolicyRead
// sets policy to "" when GetBucketPolicy fails and keeps the resource,
// so a plan updates it (v4 on remove it from the state when not found,
// and a plan creates it).
func (e expected) throughProvider(major int) expected {
	e.Unmanaged = nil
	if major >= 4 {
		return e
	}
	var missing []string
	drifted := slices.Clone(e.Drifted)
	for _, a := range e.Missing {
		if strings.HasPrefix(a, "aws_s3_bucket_policy.") {
			drifted = append(drifted, a)
		} else {
			missing = append(missing, a)
		}
	}
	slices.Sort(drifted)
	e.Drifted, e.Missing = drifted, missing
	return e
}

// refreshOnlyExpected is what terraform plan -refresh-only finds drifted
// and missing when the provider reads the estate as want says: its
// resource_drift compares the cloud with the state, not with the
// configuration, so it also lists a resource whose computed attributes
// changed. From v4 on, aws_s3_bucket reads policy and versioning
// (optional and computed; the configuration leaves them to
// aws_s3_bucket_policy and aws_s3_bucket_versioning): a bucket whose
// policy was deleted or whose versioning was suspended drifted too.
func refreshOnlyExpected(l layout, want expected, major int) expected {
	if major < 4 {
		return want
	}
	drifted := slices.Clone(want.Drifted)
	for i := 0; i < l.buckets; i++ {
		addr := fmt.Sprintf("aws_s3_bucket.b%d", i)
		if (i < l.bpols && dropsPolicy(i) || i < l.versioning && driftsVersion(i)) && !slices.Contains(drifted, addr) {
			drifted = append(drifted, addr)
		}
	}
	slices.Sort(drifted)
	want.Drifted = drifted
	return want
}

// exactPlan says whether a plan's changes are exactly the estate's
// drifted and missing resources (terraform cannot see unmanaged ones).
func exactPlan(want expected, c planChanges) (bool, string) {
	why := append(setDiff("drifted", want.Drifted, c.Drifted), setDiff("missing", want.Missing, c.Missing)...)
	return len(why) == 0, strings.Join(why, "; ")
}
