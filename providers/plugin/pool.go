package plugin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/zclconf/go-cty/cty"
)

// The defaults of the pool's options.
const (
	// DefaultParallelism is Terraform's own -parallelism default.
	DefaultParallelism = 10
	// DefaultStartLimit bounds the processes starting at once: starting
	// a big provider (decoding terraform-provider-aws's schema) takes a
	// core for about a second and a few hundred megabytes.
	DefaultStartLimit = 4
)

// ErrPoolClosed is returned by a Pool used after Close.
var ErrPoolClosed = errors.New("the provider pool is closed")

// Pool runs the provider processes of a scan: one process per provider
// configuration (a provider block: name and alias), since a provider is
// configured once and a second Configure would change it for every
// resource it reads. A configuration's process is started when a client
// of it is first asked for, configured then, and kept until Close.
//
// The number of processes is bounded by the number of configurations the
// caller adds, which the user wrote; what the pool bounds is the starts
// in flight (WithStartLimit). A cap on live processes that made a new
// configuration wait for a slot would have to stop an idle process and
// restart it later, configured again: slower (seconds per start of
// terraform-provider-aws) for a gain only with dozens of configurations.
//
// Calls in flight are bounded per process (WithParallelism). A process
// that exits during a call is dead for the rest of the pool's life: every
// later call of its configuration fails at once with the error of the
// call that saw it die (it names the provider and holds the last lines of
// its standard error); it is not restarted.
//
// Schemas are cached on disk by the binary's sha256 (WithSchemaCacheDir),
// so a later run does not ask the provider for its schema. Schema gives a
// binary's schema before any of its configurations is added (the caller
// decodes the provider blocks with it); when it has to start a process to
// ask, that process is kept as a spare and becomes the binary's first
// configuration's process, so a provider is not started twice.
//
// A Pool is safe for concurrent use. Close stops every process; call it
// on every path out of the scan (defer).
type Pool struct {
	parallelism int
	cache       schemaCache // dir "" when disabled
	startOpts   []Option
	log         *slog.Logger
	// start is Start; tests wrap it to count processes.
	start func(ctx context.Context, path string, opts ...Option) (Client, error)

	startSlots chan struct{}
	// ctx is cancelled by Close, which ends starts in flight.
	ctx    context.Context
	cancel context.CancelFunc
	starts sync.WaitGroup

	// observe is WithCallObserver's function (a no-op by default).
	observe func(key, rpc string, err error)

	mu      sync.Mutex
	closed  bool
	configs map[string]*poolEntry
	sums    map[string]string // binary path → sha256
	schemas map[string]*binarySchema
	// spares are the processes Schema started, unconfigured, by binary
	// path, until a configuration of the binary takes its own.
	spares map[string]Client
}

// poolEntry is one provider configuration and its process.
type poolEntry struct {
	key, path string
	config    cty.Value
	// ready is closed when a start is over; nil while none is under way
	// and none has succeeded or failed for good.
	ready  chan struct{}
	client *pooledClient
	err    error // the start or configuration failed: for good
}

// binarySchema is Schema's memo of one binary.
type binarySchema struct {
	// ready is closed when a look-up is over; nil while none is under way
	// and none has succeeded or failed for good.
	ready    chan struct{}
	schema   *ProviderSchema
	protocol int // the protocol schema was declared over
	err      error
}

// PoolOption is an optional setting of NewPool.
type PoolOption func(*Pool)

// WithParallelism bounds the calls in flight on each process (driftctl's
// --parallelism; values below 1 mean 1).
func WithParallelism(n int) PoolOption { return func(p *Pool) { p.parallelism = max(n, 1) } }

// WithStartLimit bounds the processes starting at once (values below 1
// mean 1).
func WithStartLimit(n int) PoolOption {
	return func(p *Pool) { p.startSlots = make(chan struct{}, max(n, 1)) }
}

// WithSchemaCacheDir sets the directory of the schema cache (default
// os.UserCacheDir()/driftctl/schemas). An empty dir disables the cache.
func WithSchemaCacheDir(dir string) PoolOption { return func(p *Pool) { p.cache.dir = dir } }

// WithStartOptions are given to Start for every process (timeouts, the
// Terraform version). WithName is not: a process is named by its
// configuration's key.
func WithStartOptions(opts ...Option) PoolOption {
	return func(p *Pool) { p.startOpts = append(p.startOpts, opts...) }
}

// WithCallObserver has f called after every RPC of the pool's processes
// with its outcome (err nil on success), for metrics. key is the
// configuration's key (the binary's path for the GetProviderSchema of a
// process Schema starts, before any configuration is its own); rpc is the
// protocol's name of the call, as errors have it: "GetProviderSchema" and
// "ConfigureProvider" when a process starts, then "ReadResource",
// "PlanResourceChange", "UpgradeResourceState"... A call that fails before
// reaching the provider (its process died, or the context ended while the
// call waited for a slot) is observed with its error too. The pooled
// client's Schema is not: the pool gave the client its schema when it
// started the process, so it never reaches the provider.
//
// f is called concurrently, from the goroutines making the calls, and
// delays them while it runs: it must be safe for concurrent use and quick.
func WithCallObserver(f func(key, rpc string, err error)) PoolOption {
	return func(p *Pool) {
		if f != nil {
			p.observe = f
		}
	}
}

// WithPoolLogger logs what the pool does not fail for (a schema cache it
// cannot write). Default: nothing is logged.
func WithPoolLogger(l *slog.Logger) PoolOption { return func(p *Pool) { p.log = l } }

// NewPool returns a pool with no process.
func NewPool(opts ...PoolOption) *Pool {
	p := &Pool{
		parallelism: DefaultParallelism,
		startSlots:  make(chan struct{}, DefaultStartLimit),
		log:         slog.New(slog.DiscardHandler),
		start:       Start,
		observe:     func(string, string, error) {},
		configs:     map[string]*poolEntry{},
		sums:        map[string]string{},
		schemas:     map[string]*binarySchema{},
		spares:      map[string]Client{},
	}
	if dir, err := os.UserCacheDir(); err == nil {
		p.cache.dir = filepath.Join(dir, "driftctl", "schemas")
	}
	for _, opt := range opts {
		opt(p)
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	return p
}

// Add declares a provider configuration: key names it ("aws",
// "aws.west", "module.legacy.aws") in errors and in Client, path is the
// provider's binary, config the provider block's value (of the
// provider's configuration type; cty.NilVal or null for an empty block).
// No process starts here. Adding a key again with the same binary and
// value does nothing; with another, it is an error.
func (p *Pool) Add(key, path string, config cty.Value) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrPoolClosed
	}
	if e, ok := p.configs[key]; ok {
		if e.path == path && sameValue(e.config, config) {
			return nil
		}
		return fmt.Errorf("provider configuration %s added twice with different settings", key)
	}
	p.configs[key] = &poolEntry{key: key, path: path, config: config}
	return nil
}

func sameValue(a, b cty.Value) bool {
	if a == cty.NilVal || b == cty.NilVal {
		return a == b
	}
	return a.RawEquals(b)
}

// Client returns the client of configuration key, starting and
// configuring its process on first use (concurrent first uses wait for
// one start). Its calls are bounded by the pool's parallelism; its
// Configure fails (the pool configured it) and its Close does nothing
// (the pool's Close stops it). A configuration whose process could not
// start or be configured, or died, returns that error again.
func (p *Pool) Client(ctx context.Context, key string) (Client, error) {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, ErrPoolClosed
		}
		e, ok := p.configs[key]
		if !ok {
			p.mu.Unlock()
			return nil, fmt.Errorf("no provider configuration %s", key)
		}
		switch {
		case e.client != nil:
			p.mu.Unlock()
			if err := e.client.deadErr(); err != nil {
				return nil, err
			}
			return e.client, nil
		case e.err != nil:
			p.mu.Unlock()
			return nil, e.err
		case e.ready == nil:
			e.ready = make(chan struct{})
			p.starts.Add(1)
			p.mu.Unlock()
			return p.startEntry(ctx, e)
		}
		ready := e.ready
		p.mu.Unlock()
		select {
		case <-ready:
			// Look again: started, failed, or the starter's context
			// ended and this caller may start it.
		case <-ctx.Done():
			return nil, fmt.Errorf("provider %s: waiting for its process: %w", key, ctx.Err())
		}
	}
}

// startEntry starts e's process for Client and records the outcome.
func (p *Pool) startEntry(ctx context.Context, e *poolEntry) (Client, error) {
	defer p.starts.Done()
	c, err := p.startConfigured(ctx, e)

	p.mu.Lock()
	defer p.mu.Unlock()
	defer close(e.ready)
	switch {
	case err == nil && p.closed:
		// Close is waiting for this start and stops nothing it does not
		// see: stop it here.
		c.Close()
		return nil, ErrPoolClosed
	case err == nil:
		e.client = &pooledClient{key: e.key, c: c, slots: make(chan struct{}, p.parallelism), observe: p.observe}
		return e.client, nil
	case ctx.Err() != nil && !p.closed:
		// The caller gave up, not the provider: the next caller starts
		// it again.
		e.ready = nil
	case p.closed:
		err = ErrPoolClosed
	default:
		e.err = err
	}
	return nil, err
}

// startConfigured takes the binary's spare, or starts a process under a
// start slot and gives it its schema (from the cache when there), then
// configures it.
func (p *Pool) startConfigured(ctx context.Context, e *poolEntry) (Client, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(p.ctx, cancel)
	defer stop()

	// A spare asked for its schema when Schema started it, and keeps it.
	c := p.takeSpare(e)
	if c == nil {
		select {
		case p.startSlots <- struct{}{}:
		case <-ctx.Done():
			return nil, fmt.Errorf("provider %s: waiting to start: %w", e.key, ctx.Err())
		}
		defer func() { <-p.startSlots }()

		opts := append(append([]Option(nil), p.startOpts...), WithName(e.key))
		var err error
		if c, err = p.start(ctx, e.path, opts...); err != nil {
			return nil, err
		}
		if err := p.loadSchema(ctx, e, c); err != nil {
			c.Close()
			return nil, err
		}
	}
	err := c.Configure(ctx, e.config)
	p.observe(e.key, "ConfigureProvider", err)
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// takeSpare hands e the spare process of its binary, if any, named after
// e from now on.
func (p *Pool) takeSpare(e *poolEntry) Client {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.spares[e.path]
	if !ok {
		return nil
	}
	delete(p.spares, e.path)
	// The spare was started before a configuration named it. No call is
	// in flight on it: its one call, GetProviderSchema, ended before
	// Schema stored it here under p.mu.
	if cl, ok := c.(*client); ok {
		cl.name, cl.opts.name = e.key, e.key
	}
	return c
}

// Schema returns the schema of the provider binary at path, for decoding
// its configurations before they are added. It comes from the schema
// cache when there; otherwise Schema starts a process of the binary
// (under a start slot; Close cancels the start), asks it, stores the
// answer in the cache, and keeps the process, unconfigured, as a spare:
// the first configuration of the binary to start takes it instead of
// starting one (one started meanwhile does not wait for it). Close stops
// a spare never taken.
//
// The answer is kept for the pool's life: concurrent and later calls for
// path share one look-up and its outcome, an error included, but for a
// caller's context ending, which lets the next caller try again. The
// schema is shared: callers must not modify it.
func (p *Pool) Schema(ctx context.Context, path string) (*ProviderSchema, error) {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, ErrPoolClosed
		}
		b := p.schemas[path]
		if b == nil {
			b = &binarySchema{}
			p.schemas[path] = b
		}
		switch {
		case b.schema != nil:
			p.mu.Unlock()
			return b.schema, nil
		case b.err != nil:
			p.mu.Unlock()
			return nil, b.err
		case b.ready == nil:
			b.ready = make(chan struct{})
			p.starts.Add(1)
			p.mu.Unlock()
			return p.lookUpSchema(ctx, path, b)
		}
		ready := b.ready
		p.mu.Unlock()
		select {
		case <-ready:
			// Look again, as Client does.
		case <-ctx.Done():
			return nil, fmt.Errorf("schema of provider %s: waiting for it: %w", path, ctx.Err())
		}
	}
}

// lookUpSchema finds path's schema for Schema and records the outcome,
// and the spare process if one was started.
func (p *Pool) lookUpSchema(ctx context.Context, path string, b *binarySchema) (*ProviderSchema, error) {
	defer p.starts.Done()
	ps, protocol, spare, err := p.fetchSchema(ctx, path)

	p.mu.Lock()
	defer p.mu.Unlock()
	defer close(b.ready)
	switch {
	case err == nil && p.closed:
		// Close is waiting for this look-up and stops no spare it does
		// not see.
		if spare != nil {
			spare.Close()
		}
		return nil, ErrPoolClosed
	case err == nil:
		b.schema, b.protocol = ps, protocol
		if spare != nil {
			// Only the first look-up of a path succeeds: there is no
			// spare of it already.
			p.spares[path] = spare
		}
		return ps, nil
	case ctx.Err() != nil && !p.closed:
		b.ready = nil
	case p.closed:
		err = ErrPoolClosed
	default:
		b.err = err
	}
	return nil, err
}

// fetchSchema reads path's schema from the cache, or starts a process of
// the binary and asks it; that process is returned, to be kept as a
// spare.
func (p *Pool) fetchSchema(ctx context.Context, path string) (ps *ProviderSchema, protocol int, spare Client, err error) {
	sum := p.cacheSum(path, path)
	if sum != "" {
		if ps, protocol, ok := p.cache.loadNegotiated(sum); ok {
			return ps, protocol, nil, nil
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(p.ctx, cancel)
	defer stop()
	select {
	case p.startSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, 0, nil, fmt.Errorf("schema of provider %s: waiting to start it: %w", path, ctx.Err())
	}
	defer func() { <-p.startSlots }()

	// Named after its binary (Start's default) until a configuration
	// takes it; Start's errors name the path.
	c, err := p.start(ctx, path, p.startOpts...)
	if err != nil {
		return nil, 0, nil, err
	}
	ps, err = c.Schema(ctx)
	p.observe(path, "GetProviderSchema", err)
	if err != nil {
		c.Close()
		return nil, 0, nil, fmt.Errorf("schema of provider %s: %w", path, err)
	}
	p.storeSchema(path, sum, c.ProtocolVersion(), ps)
	return ps, c.ProtocolVersion(), c, nil
}

// Processes is the number of live processes: those of configurations
// (but for those that died) and the spares Schema keeps. Starts in flight
// are not counted; after Close it is 0.
func (p *Pool) Processes() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0
	}
	n := len(p.spares)
	for _, e := range p.configs {
		if e.client != nil && e.client.deadErr() == nil {
			n++
		}
	}
	return n
}

// Close stops every process: those started, spares included, and those
// starting (their start is cancelled). Calls in flight fail. Close is
// idempotent and always returns nil.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()

	p.cancel()
	p.starts.Wait()
	var running []Client
	p.mu.Lock()
	for _, e := range p.configs {
		if e.client != nil {
			running = append(running, e.client.c)
		}
	}
	for path, c := range p.spares {
		running = append(running, c)
		delete(p.spares, path)
	}
	p.mu.Unlock()
	// Each Close may wait seconds for a provider to stop: in parallel.
	var wg sync.WaitGroup
	for _, c := range running {
		wg.Go(func() { c.Close() })
	}
	wg.Wait()
	return nil
}

// pooledClient is a configuration's process as Pool hands it out: calls
// bounded by a semaphore, failing at once after the process died, and
// observed (WithCallObserver).
type pooledClient struct {
	key     string
	c       Client
	slots   chan struct{}
	observe func(key, rpc string, err error)

	mu   sync.Mutex
	dead *CallError
}

func (pc *pooledClient) deadErr() error {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.dead != nil {
		return pc.dead
	}
	return nil
}

// do runs one call under a slot of the semaphore and tells the observer.
func (pc *pooledClient) do(ctx context.Context, rpc string, f func() error) error {
	err := pc.run(ctx, rpc, f)
	pc.observe(pc.key, rpc, err)
	return err
}

// run is do without the observer.
func (pc *pooledClient) run(ctx context.Context, rpc string, f func() error) error {
	if err := pc.deadErr(); err != nil {
		return err
	}
	select {
	case pc.slots <- struct{}{}:
	case <-ctx.Done():
		return &CallError{Provider: pc.key, RPC: rpc, Err: fmt.Errorf("waiting for a call slot: %w", ctx.Err())}
	}
	defer func() { <-pc.slots }()
	// It may have died while this call waited.
	if err := pc.deadErr(); err != nil {
		return err
	}
	err := f()
	var ce *CallError
	if errors.As(err, &ce) && ce.Exited {
		pc.mu.Lock()
		if pc.dead == nil {
			pc.dead = ce
		}
		pc.mu.Unlock()
		// Reap what is left of it (go-plugin's connection and logger).
		pc.c.Close()
	}
	return err
}

func (pc *pooledClient) ProtocolVersion() int { return pc.c.ProtocolVersion() }

// Schema is not observed: the pool gave the process its schema when it
// started it, so the call does not reach the provider.
func (pc *pooledClient) Schema(ctx context.Context) (ps *ProviderSchema, err error) {
	err = pc.run(ctx, "GetProviderSchema", func() error {
		ps, err = pc.c.Schema(ctx)
		return err
	})
	return ps, err
}

// Configure always fails: the pool configured the process when it
// started it, and configuring it again would change it for every caller.
func (pc *pooledClient) Configure(context.Context, cty.Value) error {
	return fmt.Errorf("provider %s: configured by the pool; add another configuration instead", pc.key)
}

func (pc *pooledClient) UpgradeResourceState(ctx context.Context, typ string, version int64, rawJSON []byte) (v cty.Value, err error) {
	err = pc.do(ctx, "UpgradeResourceState", func() error {
		v, err = pc.c.UpgradeResourceState(ctx, typ, version, rawJSON)
		return err
	})
	return v, err
}

func (pc *pooledClient) ReadResource(ctx context.Context, typ string, current cty.Value, private []byte) (v cty.Value, newPrivate []byte, err error) {
	err = pc.do(ctx, "ReadResource", func() error {
		v, newPrivate, err = pc.c.ReadResource(ctx, typ, current, private)
		return err
	})
	return v, newPrivate, err
}

func (pc *pooledClient) PlanResourceChange(ctx context.Context, req PlanRequest) (resp *PlanResponse, err error) {
	err = pc.do(ctx, "PlanResourceChange", func() error {
		resp, err = pc.c.PlanResourceChange(ctx, req)
		return err
	})
	return resp, err
}

func (pc *pooledClient) ApplyResourceChange(ctx context.Context, req ApplyRequest) (v cty.Value, private []byte, err error) {
	err = pc.do(ctx, "ApplyResourceChange", func() error {
		v, private, err = pc.c.ApplyResourceChange(ctx, req)
		return err
	})
	return v, private, err
}

func (pc *pooledClient) ImportResourceState(ctx context.Context, typ, id string) (rs []ImportedResource, err error) {
	err = pc.do(ctx, "ImportResourceState", func() error {
		rs, err = pc.c.ImportResourceState(ctx, typ, id)
		return err
	})
	return rs, err
}

func (pc *pooledClient) ReadDataSource(ctx context.Context, typ string, config cty.Value) (v cty.Value, err error) {
	err = pc.do(ctx, "ReadDataSource", func() error {
		v, err = pc.c.ReadDataSource(ctx, typ, config)
		return err
	})
	return v, err
}

// Close does nothing: the pool's Close stops the process.
func (pc *pooledClient) Close() error { return nil }
