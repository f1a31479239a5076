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
// so a later run does not ask the provider for its schema.
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

	mu      sync.Mutex
	closed  bool
	configs map[string]*poolEntry
	sums    map[string]string // binary path → sha256
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
		configs:     map[string]*poolEntry{},
		sums:        map[string]string{},
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
		e.client = &pooledClient{key: e.key, c: c, slots: make(chan struct{}, p.parallelism)}
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

// startConfigured starts a process under a start slot, gives it its
// schema (from the cache when there) and configures it.
func (p *Pool) startConfigured(ctx context.Context, e *poolEntry) (Client, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(p.ctx, cancel)
	defer stop()

	select {
	case p.startSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("provider %s: waiting to start: %w", e.key, ctx.Err())
	}
	defer func() { <-p.startSlots }()

	opts := append(append([]Option(nil), p.startOpts...), WithName(e.key))
	c, err := p.start(ctx, e.path, opts...)
	if err != nil {
		return nil, err
	}
	if err := p.loadSchema(ctx, e, c); err != nil {
		c.Close()
		return nil, err
	}
	if err := c.Configure(ctx, e.config); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// loadSchema gives c its schema from the cache, or fetches it and
// stores it there. A cache that cannot be read or written costs a
// GetProviderSchema, never the scan.
func (p *Pool) loadSchema(ctx context.Context, e *poolEntry, c Client) error {
	seeder, canSeed := c.(interface{ useSchema(*ProviderSchema) })
	var sum string
	if p.cache.dir != "" && canSeed {
		var err error
		if sum, err = p.binarySum(e.path); err != nil {
			p.log.Warn("hashing a provider binary for the schema cache", "provider", e.key, "path", e.path, "err", err)
		} else if ps, ok := p.cache.load(sum, c.ProtocolVersion()); ok {
			seeder.useSchema(ps)
			return nil
		}
	}
	ps, err := c.Schema(ctx)
	if err != nil {
		return err
	}
	if sum != "" {
		if err := p.cache.store(sum, c.ProtocolVersion(), ps); err != nil {
			p.log.Warn("writing the schema cache", "provider", e.key, "dir", p.cache.dir, "err", err)
		}
	}
	return nil
}

// binarySum hashes a binary once per pool: terraform-provider-aws is
// several hundred megabytes.
func (p *Pool) binarySum(path string) (string, error) {
	p.mu.Lock()
	sum, ok := p.sums[path]
	p.mu.Unlock()
	if ok {
		return sum, nil
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return "", err
	}
	p.mu.Lock()
	p.sums[path] = sum
	p.mu.Unlock()
	return sum, nil
}

// Close stops every process: those started, and those starting (their
// start is cancelled). Calls in flight fail. Close is idempotent and
// always returns nil.
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
// bounded by a semaphore, and failing at once after the process died.
type pooledClient struct {
	key   string
	c     Client
	slots chan struct{}

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

// do runs one call under a slot of the semaphore.
func (pc *pooledClient) do(ctx context.Context, rpc string, f func() error) error {
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

func (pc *pooledClient) Schema(ctx context.Context) (ps *ProviderSchema, err error) {
	err = pc.do(ctx, "GetProviderSchema", func() error {
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
