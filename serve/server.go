package serve

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/gitsource"
	"github.com/gitdrift/driftctl/internal/redact"
	"github.com/gitdrift/driftctl/metrics"
	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/remediate"
	"github.com/gitdrift/driftctl/report"
	"github.com/gitdrift/driftctl/scan"
)

// ShutdownGrace bounds how long Run waits, after its context ends, for
// scans to stop and HTTP requests to finish.
const ShutdownGrace = 8 * time.Second

// Options are what a Server is made of.
type Options struct {
	Config *Config
	// Factory makes the providers of each scan (a fresh provider per scan,
	// so no read is served from an earlier scan's cache).
	Factory providers.Factory
	// API counts the providers' API calls; may be nil.
	API    *metrics.APICalls
	Logger *slog.Logger
	// Version and Revision are the binary's, for driftctl_build_info; ""
	// Revision: the one the toolchain recorded.
	Version, Revision string
}

// Server scans stacks on their schedules and serves the results.
type Server struct {
	cfg       *Config
	factory   providers.Factory
	logger    *slog.Logger
	collector *metrics.Collector
	registry  *prometheus.Registry
	// schemas are each stack's last scan's provider registry, by name.
	schemas sync.Map
	store   store
	stacks  []*stack
	// remediations counts automatic remediation; audit records it.
	remediations *metrics.Remediations
	audit        *remediate.AuditLog
	// plugins counts the calls to the provider plugin processes that
	// scans start (the processes live inside each scan, so the counters
	// are the server's own, as remediations are).
	plugins *metrics.PluginCalls
	// lock is held on the data directory from New until Serve returns
	// (or Close), so that no second server writes it or remediates too.
	lock *dataDirLock
}

// stack is one stack's schedule and last result.
type stack struct {
	cfg *StackConfig

	mu       sync.Mutex
	snapshot *metrics.Snapshot
	// report is the last report as kept on disk; apiReport the same
	// trimmed for the API (see apiReport).
	report    json.RawMessage
	apiReport json.RawMessage
	attempted bool
	scanning  bool
	nextScan  time.Time
	// seen is the last commit a scan or a poll found: a poll rescans
	// only when the repository moved past it, so that a commit whose scan
	// fails is not scanned again on every poll.
	seen string
}

// New makes a server and publishes what the data directory kept of each
// stack's last scan. It locks the data directory (ErrDataDirLocked when
// another server holds it) until Serve returns or Close is called, and
// checks the web configuration file.
func New(opts Options) (srv *Server, err error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if wc := opts.Config.Server.WebConfigFile; wc != "" {
		if err := web.Validate(wc); err != nil {
			return nil, fmt.Errorf("checking the web configuration file %s: %w", wc, err)
		}
	}
	var lock *dataDirLock
	if dir := opts.Config.Server.DataDir; dir != "" {
		if lock, err = lockDataDir(dir); err != nil {
			return nil, err
		}
		defer func() {
			if err != nil {
				lock.release()
			}
		}()
	}
	s := &Server{
		lock:      lock,
		cfg:       opts.Config,
		factory:   opts.Factory,
		logger:    logger,
		collector: metrics.NewCollector(opts.Config.Server.MetricsMaxResources),
		store:     store{dir: opts.Config.Server.DataDir},
	}
	s.plugins = metrics.NewPluginCalls()
	s.registry = metrics.NewRegistry(s.collector, opts.API, s.plugins, metrics.BinaryBuild(opts.Version, opts.Revision))
	s.remediations = metrics.NewRemediations()
	s.registry.MustRegister(s.remediations)
	for _, sc := range opts.Config.Stacks {
		if sc.Remediate != "auto" || s.audit != nil {
			continue
		}
		path := opts.Config.Server.AuditLog
		if path == "" && opts.Config.Server.DataDir != "" {
			if err := os.MkdirAll(opts.Config.Server.DataDir, 0o755); err != nil {
				return nil, fmt.Errorf("making the data directory: %w", err)
			}
			path = filepath.Join(opts.Config.Server.DataDir, "audit.log")
		}
		if path == "" {
			return nil, errors.New("remediate = \"auto\" needs an audit log: set server { audit_log = ... } or a data directory")
		}
		a, err := remediate.OpenAuditLog(path)
		if err != nil {
			return nil, err
		}
		s.audit = a
	}
	for _, sc := range opts.Config.Stacks {
		st := &stack{cfg: sc}
		rec, err := s.store.load(sc.Name)
		if err != nil {
			// The kept result is a cache of the last scan: one that cannot
			// be read is not published, and the next scan replaces it.
			logger.Warn("ignoring the kept result", "stack", sc.Name, "error", err)
			rec = nil
		}
		if rec != nil {
			// Locations kept by earlier versions may carry credentials.
			rec.Snapshot.Source = gitsource.Redact(rec.Snapshot.Source)
			st.snapshot, st.report, st.seen = rec.Snapshot, rec.Report, rec.Snapshot.Commit
			st.apiReport = s.apiReport(sc, rec.Report)
			if n := s.collector.Set(rec.Snapshot); n > 0 {
				logger.Warn("the kept result repeats entries; published each once", "stack", sc.Name, "repeated", n)
			}
			logger.Info("published the last known result", "stack", sc.Name, "last_scan", rec.Snapshot.LastScan)
		}
		s.stacks = append(s.stacks, st)
	}
	return s, nil
}

// Close releases the data directory of a server that will not be served;
// Serve releases it itself when it returns.
func (s *Server) Close() {
	s.lock.release()
}

// Run listens on the configured address, scans every stack on its
// schedule, and returns when ctx ends, after the scans have stopped and
// the HTTP server has shut down. A scan cut short by the end of ctx is not
// recorded.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Server.Listen)
	if err != nil {
		s.Close()
		return fmt.Errorf("listening on %s: %w", s.cfg.Server.Listen, err)
	}
	return s.Serve(ctx, ln)
}

// Serve is Run on a listener the caller opened. Every endpoint is served
// through the Prometheus exporter toolkit: with a web configuration file
// (server { web_config_file }, --web.config.file) it has TLS and basic
// authentication as node_exporter's.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	defer s.lock.release()
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	s.logger.Info("serving", "address", ln.Addr().String(), "stacks", len(s.stacks))
	webConfig := s.cfg.Server.WebConfigFile
	if webConfig == "" && !isLoopback(ln.Addr()) {
		s.logger.Warn("serving without TLS or authentication on a non-loopback address: anyone who reaches it reads the stacks' reports; give a web configuration file (--web.config.file)", "address", ln.Addr().String())
	}
	flags := &web.FlagConfig{WebListenAddresses: &[]string{ln.Addr().String()}, WebConfigFile: &webConfig}
	httpErr := make(chan error, 1)
	go func() { httpErr <- web.Serve(ln, srv, flags, s.logger) }()
	s.reportInterrupted()

	var wg sync.WaitGroup
	for _, st := range s.stacks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.loop(ctx, st)
		}()
	}

	select {
	case <-ctx.Done():
	case err := <-httpErr:
		return fmt.Errorf("serving HTTP: %w", err)
	}
	s.logger.Info("shutting down")
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	timeout := time.NewTimer(ShutdownGrace)
	defer timeout.Stop()
	select {
	case <-done:
	case <-timeout.C:
		s.logger.Warn("scans did not stop in time")
	}
	if s.audit != nil {
		_ = s.audit.Close()
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down HTTP: %w", err)
	}
	return nil
}

// loop scans one stack on its schedule; one goroutine per stack, so a
// stack is never scanned twice at once.
func (s *Server) loop(ctx context.Context, st *stack) {
	// The first scan comes soon, spread a little so that stacks do not all
	// start at once.
	next := time.Now().Add(jitter(min(time.Until(st.cfg.Schedule.Next(time.Now())), 5*time.Second)))
	for {
		st.mu.Lock()
		st.nextScan = next
		st.mu.Unlock()
		// A stack read from a repository is polled between scans, and a
		// new commit is scanned at once.
		wake := next
		poll := st.cfg.Poll > 0 && st.attemptedOnce() && time.Now().Add(st.cfg.Poll).Before(next)
		if poll {
			wake = time.Now().Add(st.cfg.Poll)
		}
		t := time.NewTimer(time.Until(wake))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if poll && !s.headMoved(ctx, st) {
			continue
		}
		if rep := s.scanOnce(ctx, st); rep != nil && st.cfg.Remediate == "auto" {
			if s.remediate(ctx, st, rep) {
				// Publish what the changes left.
				s.scanOnce(ctx, st)
			}
		}
		next = nextRun(st.cfg.Schedule, time.Now())
	}
}

func (st *stack) attemptedOnce() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.attempted
}

// scanOnce runs one scan of a stack and publishes its result; it returns
// the report of a complete scan, nil otherwise.
func (s *Server) scanOnce(ctx context.Context, st *stack) *drift.Report {
	st.mu.Lock()
	st.scanning = true
	prev := st.snapshot
	st.mu.Unlock()
	defer func() {
		st.mu.Lock()
		st.scanning, st.attempted = false, true
		st.mu.Unlock()
	}()

	started := time.Now()
	scanCtx, cancel := context.WithTimeout(ctx, st.cfg.Timeout)
	rep, err := s.scanStack(scanCtx, st.cfg)
	timedOut := scanCtx.Err() != nil
	cancel()
	if ctx.Err() != nil {
		s.logger.Info("scan cancelled by shutdown; not recorded", "stack", st.cfg.Name)
		return nil
	}
	if timedOut {
		// Reads cut short by the timeout come back as failed reads: such
		// a report would replace the last known state with unknowns.
		rep, err = nil, fmt.Errorf("scan timed out after %s", st.cfg.Timeout)
	}
	ended := time.Now()
	outcome := metrics.ScanOutcome{
		Stack: st.cfg.Name, Source: gitsource.Redact(st.cfg.Source), Report: rep, Err: err,
		Started: started, Ended: ended, FailOn: st.cfg.FailOn,
	}
	if rep != nil && rep.Commit != nil {
		outcome.Commit, outcome.Ref = rep.Commit.SHA, rep.Commit.Ref
	}
	snap := metrics.Next(prev, outcome)
	var raw, api json.RawMessage
	if rep != nil {
		var buf bytes.Buffer
		if jerr := report.JSON(&buf, rep); jerr == nil {
			raw = buf.Bytes()
			api = s.apiReport(st.cfg, raw)
		}
	}
	st.mu.Lock()
	st.snapshot = snap
	if raw != nil {
		st.report, st.apiReport = raw, api
	}
	if outcome.Commit != "" {
		st.seen = outcome.Commit
	}
	rec := &record{Snapshot: snap, Report: st.report}
	st.mu.Unlock()
	if n := s.collector.Set(snap); n > 0 {
		s.logger.Warn("the scan's snapshot repeats entries; published each once", "stack", st.cfg.Name, "repeated", n)
	}
	if serr := s.store.save(st.cfg.Name, rec); serr != nil {
		s.logger.Error("keeping the result on disk failed", "stack", st.cfg.Name, "error", serr)
	}

	// Durations in logs are seconds, as in the metrics: a number a log
	// pipeline can add up, not a Go duration string.
	attrs := []any{"stack", st.cfg.Name, "duration_seconds", ended.Sub(started).Seconds()}
	switch {
	case err != nil:
		s.logger.Error("scan failed", append(attrs, "error", err)...)
	case len(rep.Errors) > 0:
		for _, e := range rep.Errors {
			s.logger.Error("read failed", "stack", st.cfg.Name, "type", e.Type, "region", e.Region, "operation", e.Operation, "error", e.Message)
		}
		s.logger.Warn("scan partial", append(attrs, summaryAttrs(rep)...)...)
	default:
		s.logger.Info("scan done", append(attrs, summaryAttrs(rep)...)...)
		return rep
	}
	return nil
}

// remediate brings a stack's drift back to the Git state, with the rules
// of driftctl remediate --auto-approve: unknown resources are never
// touched, prevent_destroy and ignore_changes hold, unmanaged resources are
// deleted only with remediate_allow_delete, every action is in the audit
// log and counted. It reports whether it changed anything.
func (s *Server) remediate(ctx context.Context, st *stack, rep *drift.Report) bool {
	registry := providers.NewRegistry(s.factory)
	if r, ok := s.schemas.Load(st.cfg.Name); ok && r.(*providers.Registry) != nil {
		registry = r.(*providers.Registry)
	}
	plan := remediate.NewPlan(rep, registry.ResourceSchema, remediate.Options{AllowDelete: st.cfg.RemediateDeletes})
	if plan.Empty() {
		return false
	}
	s.logger.Info("remediating", "stack", st.cfg.Name, "plan", plan.Summary())
	rescan := func(ctx context.Context, created map[string]string) (*scan.Session, error) {
		return s.openStack(ctx, st.cfg, created)
	}
	outcomes, err := remediate.Apply(ctx, plan, rescan, remediate.ApplyOptions{Audit: s.audit, Schemas: registry.ResourceSchema})
	if err != nil {
		s.logger.Error("remediation failed", "stack", st.cfg.Name, "error", err)
	}
	for _, o := range outcomes {
		s.remediations.Observe(st.cfg.Name, o.Change.Action.Name(), o.Result)
		attrs := []any{"stack", st.cfg.Name, "address", o.Change.Address, "action", o.Change.Action.Name(), "result", o.Result}
		if o.Error != "" {
			attrs = append(attrs, "error", o.Error)
		}
		s.logger.Info("remediation", attrs...)
	}
	return len(outcomes) > 0
}

func summaryAttrs(rep *drift.Report) []any {
	sum := rep.Summary()
	return []any{"in_sync", sum.InSync, "drifted", sum.Drifted, "missing", sum.Missing, "unmanaged", sum.Unmanaged, "ignored", sum.Ignored, "unknown", sum.Unknown}
}

// scanStack loads the stack's HCL (from its directory, or its repository
// at its ref) and state and compares them with the cloud.
func (s *Server) scanStack(ctx context.Context, cfg *StackConfig) (*drift.Report, error) {
	sess, err := s.openStack(ctx, cfg, nil)
	if err != nil {
		return nil, err
	}
	sess.Close()
	// Remediation plans with the schemas this scan read (a provider
	// plugin's types are known only once a scan found the plugin).
	s.schemas.Store(cfg.Name, sess.Registry)
	return sess.Report, nil
}

// openStack scans a stack and keeps its providers open (for remediation);
// created are the IDs of resources remediation created since the state.
func (s *Server) openStack(ctx context.Context, cfg *StackConfig, created map[string]string) (sess *scan.Session, err error) {
	// No input may end the process that serves every stack: a panic
	// (a bug reached by some configuration or answer) fails this scan.
	defer func() {
		if v := recover(); v != nil {
			s.logger.Error("internal error while scanning; please report it", "stack", cfg.Name, "panic", fmt.Sprint(v), "stack_trace", string(debug.Stack()))
			sess, err = nil, fmt.Errorf("internal error while scanning (a bug in driftctl; the log has its stack trace): %v", v)
		}
	}()
	st, err := scan.Open(ctx, s.factory, s.scanOptions(cfg))
	if err != nil {
		return nil, scanError(ctx, cfg, err)
	}
	defer st.Close()
	if sess, err = st.Session(ctx, created); err != nil {
		return nil, scanError(ctx, cfg, err)
	}
	if sess.BlameErr != nil {
		s.logger.Warn("blaming drifted lines", "stack", cfg.Name, "error", sess.BlameErr)
	}
	return sess, nil
}

// scanError is how a failed scan is logged and shown by /api/v1/stacks:
// with no credentials of the source's or the states' URLs.
func scanError(ctx context.Context, cfg *StackConfig, err error) error {
	var se *scan.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Stage {
	case scan.StageSource:
		return redact.Error(se.Err, cfg.Source)
	case scan.StageLoad:
		if se.Err != nil {
			// The ignore file (see scan.StageLoad).
			return fmt.Errorf("loading %s: %w", gitsource.Redact(cfg.Source), se.Err)
		}
		return fmt.Errorf("loading %s: %s", gitsource.Redact(cfg.Source), se.Diagnostics.Error())
	case scan.StageState:
		return redact.Error(se.Err, cfg.States...)
	}
	// A scan cut short by the stack's timeout or serve's stop says so, not
	// what the cut made fail.
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}

// scanOptions are the scan settings of a stack.
func (s *Server) scanOptions(cfg *StackConfig) scan.Options {
	return scan.Options{
		Stack: cfg.Name, Location: cfg.Source, Git: s.gitOptions(cfg), AllowOutsideFiles: cfg.AllowOutsideFiles,
		States: cfg.States, Vars: config.VarOptions{Args: cfg.Vars, Environ: os.Environ()},
		Limits: cfg.Limits, AllowEmpty: cfg.AllowEmpty, Unmanaged: cfg.Unmanaged, Blame: true,
		Workspace: cfg.Workspace, DriftIgnore: cfg.DriftIgnore, Filter: cfg.Filter,
		Plugins: scan.PluginOptions{Dirs: cfg.PluginDirs, Types: scan.PluginTypes(cmp.Or(cfg.PluginTypes, string(scan.PluginTypesMissing))),
			CacheDir: s.cfg.Server.CacheDir, Observe: s.plugins.Observe, Track: s.plugins.Track},
	}
}

func (s *Server) gitOptions(cfg *StackConfig) gitsource.Options {
	g := cfg.Git
	g.CacheDir = s.cfg.Server.CacheDir
	g.Environ = os.Environ()
	return g
}

// headMoved reports whether the stack's repository has a commit other than
// the one last scanned. A failed check is logged and reads as no change:
// the scheduled scan reports it.
func (s *Server) headMoved(ctx context.Context, st *stack) bool {
	g := s.gitOptions(st.cfg)
	// A remote that stops answering, or a cache lock held by a scan of
	// the same repository, must not stall the stack's schedule.
	pollCtx, cancel := context.WithTimeout(ctx, st.cfg.Timeout)
	defer cancel()
	co, err := gitsource.Open(pollCtx, st.cfg.Source, gitsource.Options{
		Ref: g.Ref, Path: g.Path, CacheDir: g.CacheDir, Environ: g.Environ, Logger: s.logger,
	})
	if err != nil {
		if ctx.Err() == nil {
			s.logger.Warn("polling the repository failed", "stack", st.cfg.Name, "error", redact.Error(err, st.cfg.Source))
		}
		return false
	}
	sha := co.Commit.SHA
	_ = co.Close()
	st.mu.Lock()
	defer st.mu.Unlock()
	last := st.seen
	if sha != last {
		st.seen = sha
		s.logger.Info("new commit", "stack", st.cfg.Name, "commit", sha, "previous", last)
		return true
	}
	return false
}

// Handler serves /metrics, /healthz, /readyz and /api/v1/stacks.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	// One stack's bad data must never blank the others: a collector
	// error is logged and the rest of the scrape is served. A scraper
	// that asks for OpenMetrics (Prometheus does) gets it, as from
	// node_exporter; the others get the classic text format.
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{
		Registry: s.registry, ErrorHandling: promhttp.ContinueOnError, ErrorLog: scrapeLog{s.logger},
		EnableOpenMetrics: true,
	}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", s.ready)
	mux.HandleFunc("GET /api/v1/stacks", s.listStacks)
	mux.HandleFunc("GET /api/v1/stacks/{name}", s.getStack)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "driftctl serve: /metrics /healthz /readyz /api/v1/stacks")
	})
	return mux
}

// ready answers 200 once every stack's first scan was attempted.
func (s *Server) ready(w http.ResponseWriter, _ *http.Request) {
	var waiting []string
	for _, st := range s.stacks {
		st.mu.Lock()
		if !st.attempted {
			waiting = append(waiting, st.cfg.Name)
		}
		st.mu.Unlock()
	}
	if len(waiting) > 0 {
		http.Error(w, fmt.Sprintf("waiting for the first scan of %v", waiting), http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ready")
}

// stackView is a stack in /api/v1/stacks.
type stackView struct {
	Name        string          `json:"name"`
	Schedule    string          `json:"schedule"`
	Scanning    bool            `json:"scanning"`
	NextScan    *time.Time      `json:"next_scan"`
	Success     *bool           `json:"success"`
	Error       string          `json:"error,omitempty"`
	LastScan    *time.Time      `json:"last_scan"`
	LastSuccess *time.Time      `json:"last_success"`
	Report      json.RawMessage `json:"report"`
}

func (st *stack) view() stackView {
	st.mu.Lock()
	defer st.mu.Unlock()
	v := stackView{Name: st.cfg.Name, Schedule: st.cfg.Schedule.String(), Scanning: st.scanning, Report: st.apiReport}
	if !st.nextScan.IsZero() {
		t := st.nextScan.UTC()
		v.NextScan = &t
	}
	if v.Report == nil {
		v.Report = json.RawMessage("null")
	}
	if sn := st.snapshot; sn != nil {
		ok := sn.Success
		v.Success, v.Error = &ok, trimPaths(sn.Error, st.cfg.Source)
		if !sn.LastScan.IsZero() {
			t := sn.LastScan.UTC()
			v.LastScan = &t
		}
		if !sn.LastSuccess.IsZero() {
			t := sn.LastSuccess.UTC()
			v.LastSuccess = &t
		}
	}
	return v
}

func (s *Server) listStacks(w http.ResponseWriter, _ *http.Request) {
	views := make([]stackView, 0, len(s.stacks))
	for _, st := range s.stacks {
		views = append(views, st.view())
	}
	writeJSON(w, map[string]any{"stacks": views})
}

func (s *Server) getStack(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	for _, st := range s.stacks {
		if st.cfg.Name == name {
			writeJSON(w, st.view())
			return
		}
	}
	http.Error(w, fmt.Sprintf("no stack named %q", name), http.StatusNotFound)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
