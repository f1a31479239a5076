package plugin

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers/plugin/plugintest"
)

// spareOf is the process Schema keeps for bin (0 when none).
func spareOf(p *Pool, bin string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.spares[bin]; ok {
		return c.(*client).pid()
	}
	return 0
}

func poolSchema(t *testing.T, p *Pool, bin string) *ProviderSchema {
	t.Helper()
	ps, err := p.Schema(context.Background(), bin)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestPoolSchemaThenClientStartsOneProcess(t *testing.T) {
	t.Parallel()
	bin := plugintest.Build(t)
	p, starts := newTestPool(t)
	if n := p.Processes(); n != 0 {
		t.Fatalf("%d processes in a new pool", n)
	}

	ps := poolSchema(t, p, bin)
	if ps.ResourceTypes["testfs_file"] == nil || ps.Provider.Block.Attributes["root"] == nil {
		t.Fatalf("schema without testfs_file or the provider's root: %+v", ps)
	}
	spare := spareOf(p, bin)
	if n := starts.Load(); n != 1 || spare == 0 || !running(spare) {
		t.Fatalf("after Schema: %d starts, spare %d", n, spare)
	}
	if n := p.Processes(); n != 1 {
		t.Errorf("%d processes with a spare, want 1", n)
	}
	if again := poolSchema(t, p, bin); again != ps {
		t.Error("a second Schema of the binary returned another schema")
	}

	// The first configuration takes the spare, configured with its root.
	if err := p.Add("testfs", bin, testfsConfig(testfsRoot(t, "A"))); err != nil {
		t.Fatal(err)
	}
	a := poolClient(t, p, "testfs")
	if n := starts.Load(); n != 1 {
		t.Fatalf("%d starts after Schema and Client, want 1", n)
	}
	if pid := pidOf(t, a); pid != spare {
		t.Errorf("the configuration runs in process %d, not the spare %d", pid, spare)
	}
	if got := spareOf(p, bin); got != 0 {
		t.Errorf("spare %d still kept after a configuration took it", got)
	}
	state, _ := importFile(t, a, "f.txt")
	if got := state.GetAttr("content"); !got.RawEquals(cty.StringVal("A")) {
		t.Errorf("content = %#v, want \"A\"", got)
	}
	// Errors of the process name its configuration now.
	if _, err := a.ImportResourceState(context.Background(), "testfs_file", "../outside"); err == nil || !strings.Contains(err.Error(), "provider testfs:") {
		t.Errorf("an import outside the root: %v, want an error naming provider testfs", err)
	}
	if n := p.Processes(); n != 1 {
		t.Errorf("%d processes, want 1", n)
	}

	// The next configuration starts its own.
	if err := p.Add("testfs.b", bin, testfsConfig(testfsRoot(t, "B"))); err != nil {
		t.Fatal(err)
	}
	b := poolClient(t, p, "testfs.b")
	if n := starts.Load(); n != 2 || pidOf(t, b) == spare {
		t.Errorf("%d starts, process %d, after a second configuration", n, pidOf(t, b))
	}
	if n := p.Processes(); n != 2 {
		t.Errorf("%d processes, want 2", n)
	}
}

func TestPoolSchemaConcurrentCallsStartOneProcess(t *testing.T) {
	t.Parallel()
	bin := plugintest.Build(t)
	p, starts := newTestPool(t)
	var wg sync.WaitGroup
	got := make([]*ProviderSchema, 8)
	for i := range got {
		wg.Go(func() {
			ps, err := p.Schema(context.Background(), bin)
			if err != nil {
				t.Error(err)
			}
			got[i] = ps
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	for _, ps := range got[1:] {
		if ps != got[0] {
			t.Fatal("concurrent Schema calls got different schemas")
		}
	}
	if n := starts.Load(); n != 1 {
		t.Errorf("%d starts, want 1", n)
	}
	if n := p.Processes(); n != 1 {
		t.Errorf("%d processes, want 1", n)
	}
}

func TestPoolSchemaFromCacheStartsNothing(t *testing.T) {
	t.Parallel()
	bin := plugintest.Build(t)
	cacheDir := t.TempDir()
	first, _ := newTestPool(t, WithSchemaCacheDir(cacheDir))
	fetched := poolSchema(t, first, bin)
	first.Close()

	var schemaCalls atomic.Int32
	p, starts := newTestPool(t, WithSchemaCacheDir(cacheDir), WithStartOptions(withCallHook(func(rpc string) {
		if rpc == "GetProviderSchema" {
			schemaCalls.Add(1)
		}
	})))
	cached := poolSchema(t, p, bin)
	if n := starts.Load(); n != 0 {
		t.Fatalf("%d starts for a cached schema, want 0", n)
	}
	if n := p.Processes(); n != 0 {
		t.Errorf("%d processes for a cached schema, want 0", n)
	}
	assertSameSchema(t, cached, fetched)

	// With no spare, the configuration starts a process, which gets the
	// schema Schema read: it is not asked for it.
	if err := p.Add("testfs", bin, testfsConfig(testfsRoot(t, "x"))); err != nil {
		t.Fatal(err)
	}
	c := poolClient(t, p, "testfs")
	if got, err := c.Schema(context.Background()); err != nil || got != cached {
		t.Errorf("the client's schema is not Schema's: %v", err)
	}
	if n := starts.Load(); n != 1 {
		t.Errorf("%d starts, want 1", n)
	}
	if n := schemaCalls.Load(); n != 0 {
		t.Errorf("%d GetProviderSchema calls, want 0", n)
	}
}

// TestPoolSchemaFromCacheProtocol5 checks the fallback to a protocol 5
// entry, for a binary that speaks 5 alone.
func TestPoolSchemaFromCacheProtocol5(t *testing.T) {
	bin := plugintest.Build(t)
	t.Setenv("TESTFS_PROTOCOL", "5")
	cacheDir := t.TempDir()
	first, _ := newTestPool(t, WithSchemaCacheDir(cacheDir))
	fetched := poolSchema(t, first, bin)
	first.Close()
	if files, _ := filepath.Glob(filepath.Join(cacheDir, "*-p5.json")); len(files) != 1 {
		t.Fatalf("cache files %v, want one of protocol 5", files)
	}

	p, starts := newTestPool(t, WithSchemaCacheDir(cacheDir))
	assertSameSchema(t, poolSchema(t, p, bin), fetched)
	if n := starts.Load(); n != 0 {
		t.Errorf("%d starts for a cached schema, want 0", n)
	}
}

func TestPoolSchemaCloseStopsSpare(t *testing.T) {
	t.Parallel()
	bin := plugintest.Build(t)
	p, _ := newTestPool(t)
	poolSchema(t, p, bin)
	spare := spareOf(p, bin)
	if spare == 0 || !running(spare) {
		t.Fatalf("no running spare: %d", spare)
	}
	if n := p.Processes(); n != 1 {
		t.Errorf("%d processes, want 1", n)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if n := p.Processes(); n != 0 {
		t.Errorf("%d processes after Close, want 0", n)
	}
	if running(spare) {
		t.Errorf("spare %d still runs after Close", spare)
	}
	if _, err := p.Schema(context.Background(), bin); !errors.Is(err, ErrPoolClosed) {
		t.Errorf("Schema after Close: %v", err)
	}
}

func TestPoolSchemaFailureIsKept(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "terraform-provider-broken")
	script := "#!/bin/sh\necho 'broken provider: no credentials' >&2\nexit 3\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	p, starts := newTestPool(t, WithStartOptions(WithStartTimeout(10*time.Second)))
	_, err1 := p.Schema(context.Background(), bin)
	_, err2 := p.Schema(context.Background(), bin)
	if err1 == nil || err2 != err1 {
		t.Fatalf("errors %v and %v, want one error twice", err1, err2)
	}
	for _, want := range []string{bin, "no credentials"} {
		if !strings.Contains(err1.Error(), want) {
			t.Errorf("error does not say %q: %v", want, err1)
		}
	}
	if n := starts.Load(); n != 1 {
		t.Errorf("%d starts, want 1", n)
	}
	if n := p.Processes(); n != 0 {
		t.Errorf("%d processes, want 0", n)
	}
}

// observedCall is one call WithCallObserver reported.
type observedCall struct {
	key, rpc string
	err      error
}

// callLog collects observed calls; it is called concurrently.
type callLog struct {
	mu    sync.Mutex
	calls []observedCall
}

func (l *callLog) observe(key, rpc string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, observedCall{key, rpc, err})
}

// take returns the calls observed since the last take.
func (l *callLog) take() []observedCall {
	l.mu.Lock()
	defer l.mu.Unlock()
	calls := l.calls
	l.calls = nil
	return calls
}

func TestPoolCallObserver(t *testing.T) {
	t.Parallel()
	bin := plugintest.Build(t)
	var log callLog
	p, _ := newTestPool(t, WithCallObserver(log.observe))
	ctx := context.Background()

	poolSchema(t, p, bin)
	want := func(step string, wants ...observedCall) {
		t.Helper()
		got := log.take()
		if len(got) != len(wants) {
			t.Fatalf("%s: observed %+v, want %+v", step, got, wants)
		}
		for i, w := range wants {
			g := got[i]
			if g.key != w.key || g.rpc != w.rpc || (g.err == nil) != (w.err == nil) {
				t.Errorf("%s: call %d = %+v, want %+v", step, i, g, w)
			}
		}
	}
	want("Schema", observedCall{bin, "GetProviderSchema", nil})

	if err := p.Add("testfs", bin, testfsConfig(testfsRoot(t, "x"))); err != nil {
		t.Fatal(err)
	}
	c := poolClient(t, p, "testfs")
	want("taking the spare", observedCall{"testfs", "ConfigureProvider", nil})

	importFile(t, c, "f.txt")
	want("an import and a read",
		observedCall{"testfs", "ImportResourceState", nil},
		observedCall{"testfs", "ReadResource", nil})

	_, err := c.ImportResourceState(ctx, "testfs_file", "../outside")
	if err == nil {
		t.Fatal("an import outside the root: no error")
	}
	want("a failing import", observedCall{"testfs", "ImportResourceState", err})

	if _, err := c.Schema(ctx); err != nil {
		t.Fatal(err)
	}
	want("the pooled client's Schema")

	// A process started for a configuration reports its own schema call.
	if err := p.Add("testfs.b", bin, testfsConfig(testfsRoot(t, "y"))); err != nil {
		t.Fatal(err)
	}
	poolClient(t, p, "testfs.b")
	want("a second configuration", observedCall{"testfs.b", "ConfigureProvider", nil})

	// Concurrent calls, run with -race.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { importFile(t, c, "f.txt") })
	}
	wg.Wait()
	if n := len(log.take()); n != 16 {
		t.Errorf("%d calls observed from 8 concurrent imports and reads, want 16", n)
	}
}

func TestPoolProcessesDropsDeadProcess(t *testing.T) {
	t.Parallel()
	bin := fakeProvider(t)
	var log callLog
	p, _ := newTestPool(t, WithCallObserver(log.observe))
	for _, key := range []string{"fake.a", "fake.b"} {
		if err := p.Add(key, bin, cty.NilVal); err != nil {
			t.Fatal(err)
		}
	}
	a := poolClient(t, p, "fake.a")
	poolClient(t, p, "fake.b")
	if n := p.Processes(); n != 2 {
		t.Fatalf("%d processes, want 2", n)
	}
	log.take()
	_, _, crash := a.ReadResource(context.Background(), "fake_crash", fakeState(true), nil)
	if crash == nil {
		t.Fatal("the crash: no error")
	}
	if n := p.Processes(); n != 1 {
		t.Errorf("%d processes after one died, want 1", n)
	}
	// A call failing at once on the dead process is observed too.
	a.ReadResource(context.Background(), "fake_thing", fakeState(true), nil)
	got := log.take()
	if len(got) != 2 || got[0].rpc != "ReadResource" || got[0].err != crash || got[1].err != crash {
		t.Errorf("observed %+v, want two ReadResource calls with the crash's error", got)
	}
}

// A binary's sum is remembered by its size and modification time, so a
// later pool does not hash it again; a binary that changed is hashed
// again.
func TestBinarySumRemembered(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "terraform-provider-x")
	if err := os.WriteFile(bin, []byte("one"), 0o755); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	first := NewPool(WithSchemaCacheDir(cache))
	defer first.Close()
	sum, err := first.binarySum(bin)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := fileSHA256(bin); sum != want {
		t.Fatalf("sum %s, want %s", sum, want)
	}
	fi, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := first.cache.knownSum(bin, fi); !ok || got != sum {
		t.Fatalf("knownSum = %q, %v; want the sum remembered", got, ok)
	}
	// Same size, same modification time, other content: the record is
	// trusted (what the index is for) ...
	if err := os.WriteFile(bin, []byte("two"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(bin, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	second := NewPool(WithSchemaCacheDir(cache))
	defer second.Close()
	if got, _ := second.binarySum(bin); got != sum {
		t.Errorf("a binary with the same size and time was hashed again: %s", got)
	}
	// ... but another size or time is hashed again.
	if err := os.WriteFile(bin, []byte("three"), 0o755); err != nil {
		t.Fatal(err)
	}
	third := NewPool(WithSchemaCacheDir(cache))
	defer third.Close()
	got, err := third.binarySum(bin)
	if want, _ := fileSHA256(bin); err != nil || got != want {
		t.Errorf("a changed binary: sum %s (%v), want %s", got, err, want)
	}
}
