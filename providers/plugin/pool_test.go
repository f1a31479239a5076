package plugin

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers/plugin/plugintest"
)

// newTestPool is a pool with its own schema cache, closed at the test's
// end, counting the processes it starts.
func newTestPool(t *testing.T, opts ...PoolOption) (*Pool, *atomic.Int32) {
	t.Helper()
	p := NewPool(append([]PoolOption{WithSchemaCacheDir(t.TempDir())}, opts...)...)
	var starts atomic.Int32
	p.start = func(ctx context.Context, path string, opts ...Option) (Client, error) {
		starts.Add(1)
		return Start(ctx, path, opts...)
	}
	t.Cleanup(func() { p.Close() })
	return p, &starts
}

func poolClient(t *testing.T, p *Pool, key string) Client {
	t.Helper()
	c, err := p.Client(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pidOf is the process behind a pool's client.
func pidOf(t *testing.T, c Client) int {
	t.Helper()
	pid := c.(*pooledClient).c.(*client).pid()
	if pid == 0 {
		t.Fatal("no pid")
	}
	return pid
}

// running tells whether a process exists and is not a zombie.
func running(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// pid (comm) S ...: the state follows the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// childrenRunning lists this test process's children running bin.
func childrenRunning(t *testing.T, bin string) []int {
	t.Helper()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	dirs, _ := os.ReadDir("/proc")
	var out []int
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) < 2 || fields[1] != strconv.Itoa(os.Getpid()) || fields[0] == "Z" {
			continue
		}
		if exe, _ := os.Readlink("/proc/" + d.Name() + "/exe"); exe == bin {
			out = append(out, pid)
		}
	}
	return out
}

func testfsConfig(root string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"root": cty.StringVal(root)})
}

// testfsRoot is a root directory holding one file f.txt.
func testfsRoot(t *testing.T, content string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "f.txt"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// importFile imports path and reads it: its full state.
func importFile(t *testing.T, c Client, path string) (cty.Value, []byte) {
	t.Helper()
	ctx := context.Background()
	imported, err := c.ImportResourceState(ctx, "testfs_file", path)
	if err != nil {
		t.Fatal(err)
	}
	if len(imported) != 1 {
		t.Fatalf("import returned %d resources", len(imported))
	}
	state, private, err := c.ReadResource(ctx, "testfs_file", imported[0].State, imported[0].Private)
	if err != nil {
		t.Fatal(err)
	}
	return state, private
}

func TestPoolStartsLazilyOneProcessPerConfiguration(t *testing.T) {
	bin := plugintest.Build(t)
	p, starts := newTestPool(t)
	rootA, rootB := testfsRoot(t, "A"), testfsRoot(t, "B")
	for key, root := range map[string]string{"testfs": rootA, "testfs.b": rootB} {
		if err := p.Add(key, bin, testfsConfig(root)); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Add("testfs", bin, testfsConfig(rootA)); err != nil {
		t.Errorf("adding the same configuration again: %v", err)
	}
	if err := p.Add("testfs", bin, testfsConfig(rootB)); err == nil {
		t.Error("adding a configuration again with another root: no error")
	}
	if n := starts.Load(); n != 0 {
		t.Fatalf("%d processes before any use", n)
	}
	if got := childrenRunning(t, bin); len(got) != 0 {
		t.Fatalf("children before any use: %v", got)
	}

	a := poolClient(t, p, "testfs")
	if n := starts.Load(); n != 1 {
		t.Fatalf("%d processes after using one configuration", n)
	}
	// Concurrent first uses of the other configuration start one process.
	var wg sync.WaitGroup
	bs := make([]Client, 8)
	for i := range bs {
		wg.Go(func() {
			c, err := p.Client(context.Background(), "testfs.b")
			if err != nil {
				t.Error(err)
			}
			bs[i] = c
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if n := starts.Load(); n != 2 {
		t.Fatalf("%d processes after using two configurations", n)
	}
	for _, c := range bs[1:] {
		if c != bs[0] {
			t.Fatal("concurrent first uses got different clients")
		}
	}
	if pidOf(t, a) == pidOf(t, bs[0]) {
		t.Fatal("two configurations share a process")
	}

	// Each process is configured with its own root.
	for c, want := range map[Client]string{a: "A", bs[0]: "B"} {
		state, _ := importFile(t, c, "f.txt")
		if got := state.GetAttr("content"); !got.RawEquals(cty.StringVal(want)) {
			t.Errorf("content = %#v, want %q", got, want)
		}
	}
	if err := a.Configure(context.Background(), testfsConfig(rootB)); err == nil {
		t.Error("configuring a pooled client again: no error")
	}
	if _, err := p.Client(context.Background(), "absent"); err == nil {
		t.Error("an unknown configuration: no error")
	}
	if n := starts.Load(); n != 2 {
		t.Errorf("%d processes in the end, want 2", n)
	}
}

func TestPoolSchemaCache(t *testing.T) {
	bin := plugintest.Build(t)
	cacheDir := t.TempDir()
	root := testfsRoot(t, "hello")

	// run uses a fresh pool once, as a driftctl run would, and returns how
	// many times the provider was asked for its schema.
	run := func() (*ProviderSchema, int) {
		t.Helper()
		var schemaCalls atomic.Int32
		p := NewPool(WithSchemaCacheDir(cacheDir), WithStartOptions(withCallHook(func(rpc string) {
			if rpc == "GetProviderSchema" {
				schemaCalls.Add(1)
			}
		})))
		defer p.Close()
		if err := p.Add("testfs", bin, testfsConfig(root)); err != nil {
			t.Fatal(err)
		}
		c := poolClient(t, p, "testfs")
		state, _ := importFile(t, c, "f.txt")
		if got := state.GetAttr("content"); !got.RawEquals(cty.StringVal("hello")) {
			t.Fatalf("content = %#v", got)
		}
		ps, err := c.Schema(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return ps, int(schemaCalls.Load())
	}

	fetched, n := run()
	if n != 1 {
		t.Fatalf("first run: %d GetProviderSchema calls, want 1", n)
	}
	files, _ := filepath.Glob(filepath.Join(cacheDir, "*-p6.json"))
	if len(files) != 1 {
		t.Fatalf("cache files %v, want one", files)
	}
	sum, err := fileSHA256(bin)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(cacheDir, sum+"-p6.json"); files[0] != want {
		t.Errorf("cache file %s, want %s", files[0], want)
	}

	cached, n := run()
	if n != 0 {
		t.Errorf("second run: %d GetProviderSchema calls, want 0", n)
	}
	assertSameSchema(t, cached, fetched)

	for name, content := range map[string]string{
		"corrupt":        "{not json",
		"truncated":      `{"version":1,"sha256":"` + sum + `","protocol":6,"schema":{"resource_types":{"testfs_file":{"block":{"attributes":{"id":{}}}}}}}`,
		"other version":  `{"version":999,"sha256":"` + sum + `","protocol":6,"schema":{}}`,
		"other binary":   `{"version":1,"sha256":"0000","protocol":6,"schema":{}}`,
		"another format": `[]`,
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(files[0], []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, n := run(); n != 1 {
				t.Errorf("%d GetProviderSchema calls over a bad cache file, want 1", n)
			}
			// Rewritten: the next run hits it.
			if _, n := run(); n != 0 {
				t.Errorf("%d GetProviderSchema calls after the rewrite, want 0", n)
			}
		})
	}
}

// assertSameSchema compares two schemas through their types and flags.
func assertSameSchema(t *testing.T, got, want *ProviderSchema) {
	t.Helper()
	if !got.Provider.ImpliedType().Equals(want.Provider.ImpliedType()) {
		t.Errorf("provider schema %#v, want %#v", got.Provider.ImpliedType(), want.Provider.ImpliedType())
	}
	if len(got.ResourceTypes) != len(want.ResourceTypes) || len(got.DataSources) != len(want.DataSources) {
		t.Fatalf("%d resource types and %d data sources, want %d and %d", len(got.ResourceTypes), len(got.DataSources), len(want.ResourceTypes), len(want.DataSources))
	}
	for name, w := range want.ResourceTypes {
		g := got.ResourceTypes[name]
		if g == nil || g.Version != w.Version || !g.ImpliedType().Equals(w.ImpliedType()) {
			t.Errorf("resource type %s = %+v, want %+v", name, g, w)
			continue
		}
		for attr, wa := range w.Block.Attributes {
			ga := g.Block.Attributes[attr]
			// Flags compared as values, types through Equals.
			gf, wf := *ga, *wa
			gf.Type, wf.Type, gf.NestedType, wf.NestedType = cty.NilType, cty.NilType, nil, nil
			if gf != wf || !ga.ImpliedType().Equals(wa.ImpliedType()) {
				t.Errorf("%s.%s = %+v, want %+v", name, attr, ga, wa)
			}
		}
	}
}

func TestSchemaCacheRoundTripAndConcurrentWriters(t *testing.T) {
	c := start(t, fakeProvider(t))
	t.Setenv("FAKE_PROTOCOL", "6")
	c6 := start(t, fakeProvider(t))
	for _, c := range []Client{c, c6} {
		ps, err := c.Schema(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		cache := schemaCache{dir: filepath.Join(t.TempDir(), "a", "b")}
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if err := cache.store("abc", c.ProtocolVersion(), ps); err != nil {
					t.Error(err)
				}
			})
			wg.Go(func() {
				// A reader sees no file or a whole one.
				if _, err := os.Stat(cache.path("abc", c.ProtocolVersion())); err == nil {
					if _, ok := cache.load("abc", c.ProtocolVersion()); !ok {
						t.Error("a concurrent reader found a bad file")
					}
				}
			})
		}
		wg.Wait()
		got, ok := cache.load("abc", c.ProtocolVersion())
		if !ok {
			t.Fatal("no cached schema")
		}
		assertSameSchema(t, got, ps)
		// Nested attributes (protocol 6) and blocks keep their shape.
		if w := ps.ResourceTypes["fake_thing"].Block.Attributes["endpoints"]; w != nil {
			g := got.ResourceTypes["fake_thing"].Block.Attributes["endpoints"]
			if g.NestedType == nil || g.NestedType.Nesting != NestingMap || !g.NestedType.Attributes["token"].Sensitive {
				t.Errorf("endpoints = %+v", g)
			}
		}
		if w := ps.ResourceTypes["fake_thing"].Block.BlockTypes["rule"]; w != nil {
			g := got.ResourceTypes["fake_thing"].Block.BlockTypes["rule"]
			if g == nil || g.Nesting != w.Nesting || g.MaxItems != w.MaxItems || !g.ImpliedType().Equals(w.ImpliedType()) {
				t.Errorf("rule = %+v, want %+v", g, w)
			}
		}
		if _, ok := cache.load("abc", 7-c.ProtocolVersion()); ok {
			t.Error("the other protocol's schema found")
		}
	}
}

// TestPoolParallelismPerProcess sends more reads than the parallelism to
// a testfs whose reads hang: the provider sees no more at once than the
// limit (it writes a line as each read begins).
func TestPoolParallelismPerProcess(t *testing.T) {
	bin := plugintest.Build(t)
	t.Setenv("TESTFS_HANG_ON_READ", "1")
	const limit, reads = 2, 5
	callTimeout := 2 * time.Second
	p, _ := newTestPool(t, WithParallelism(limit), WithStartOptions(WithCallTimeout(callTimeout)))
	if err := p.Add("testfs", bin, testfsConfig(testfsRoot(t, "x"))); err != nil {
		t.Fatal(err)
	}
	c := poolClient(t, p, "testfs")
	inner := c.(*pooledClient).c.(*client)
	begun := func() int { return strings.Count(inner.stderr.String(), "testfs: hanging in Read") }

	state := cty.ObjectVal(map[string]cty.Value{
		"id": cty.StringVal("f.txt"), "path": cty.StringVal("f.txt"), "content": cty.StringVal("x"),
		"mode": cty.StringVal("0644"), "secret": cty.NullVal(cty.String),
		"tags": cty.NullVal(cty.Map(cty.String)), "size": cty.NumberIntVal(1),
	})
	errs := make(chan error, reads)
	for range reads {
		go func() {
			_, _, err := c.ReadResource(context.Background(), "testfs_file", state, nil)
			errs <- err
		}()
	}
	deadline := time.Now().Add(callTimeout / 2)
	for begun() < limit && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	if n := begun(); n != limit {
		t.Fatalf("%d reads in the provider at once, limit %d", n, limit)
	}
	for range reads {
		if err := <-errs; !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("a hung read returned %v, want a deadline", err)
		}
	}
	if n := begun(); n != reads {
		t.Errorf("%d reads reached the provider, want %d", n, reads)
	}
	// A deadline does not make the process dead.
	if _, err := p.Client(context.Background(), "testfs"); err != nil {
		t.Errorf("after deadlines: %v", err)
	}

	// A caller whose context ends while waiting for a slot gets a
	// CallError with its context's error.
	for range limit {
		go c.ReadResource(context.Background(), "testfs_file", state, nil)
	}
	time.Sleep(200 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, _, err := c.ReadResource(ctx, "testfs_file", state, nil)
	var ce *CallError
	if !errors.As(err, &ce) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "call slot") {
		t.Errorf("waiting for a slot: %v, want a CallError with a deadline", err)
	}
}

func TestPoolCrashedConfigurationFailsFast(t *testing.T) {
	bin := fakeProvider(t)
	p, starts := newTestPool(t)
	for _, key := range []string{"fake.a", "fake.b"} {
		if err := p.Add(key, bin, cty.NilVal); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	a, b := poolClient(t, p, "fake.a"), poolClient(t, p, "fake.b")
	_, _, crash := a.ReadResource(ctx, "fake_crash", fakeState(true), nil)
	var ce *CallError
	if !errors.As(crash, &ce) || !ce.Exited {
		t.Fatalf("the crash: %v, want a CallError of an exited process", crash)
	}
	for _, want := range []string{"provider fake.a", "panic: fake provider crashed on purpose"} {
		if !strings.Contains(crash.Error(), want) {
			t.Errorf("the crash's error does not say %q:\n%v", want, crash)
		}
	}

	began := time.Now()
	_, _, err := a.ReadResource(ctx, "fake_thing", fakeState(true), nil)
	if err != crash {
		t.Errorf("a read after the crash: %v, want the crash's error", err)
	}
	if _, err := a.Schema(ctx); err != crash {
		t.Errorf("the schema after the crash: %v, want the crash's error", err)
	}
	if _, err := p.Client(ctx, "fake.a"); err != crash {
		t.Errorf("the client after the crash: %v, want the crash's error", err)
	}
	if d := time.Since(began); d > 100*time.Millisecond {
		t.Errorf("failing after the crash took %s", d)
	}

	// The other configuration still works, and nothing was restarted.
	if got, _, err := b.ReadResource(ctx, "fake_thing", fakeState(true), nil); err != nil || !got.RawEquals(fakeState(true)) {
		t.Errorf("the other configuration: %#v, %v", got, err)
	}
	if n := starts.Load(); n != 2 {
		t.Errorf("%d processes started, want 2 (no restart)", n)
	}
}

func TestPoolStartFailureIsKept(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "terraform-provider-broken")
	script := "#!/bin/sh\necho 'broken provider: no credentials' >&2\nexit 3\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	p, starts := newTestPool(t, WithStartOptions(WithStartTimeout(10*time.Second)))
	if err := p.Add("broken.x", bin, cty.NilVal); err != nil {
		t.Fatal(err)
	}
	_, err1 := p.Client(context.Background(), "broken.x")
	_, err2 := p.Client(context.Background(), "broken.x")
	if err1 == nil || err2 != err1 {
		t.Fatalf("errors %v and %v, want one error twice", err1, err2)
	}
	for _, want := range []string{"broken.x", "no credentials"} {
		if !strings.Contains(err1.Error(), want) {
			t.Errorf("error does not say %q: %v", want, err1)
		}
	}
	if n := starts.Load(); n != 1 {
		t.Errorf("%d starts, want 1", n)
	}
}

func TestPoolCloseStopsEveryProcess(t *testing.T) {
	bin := plugintest.Build(t)
	p, _ := newTestPool(t)
	keys := []string{"testfs.a", "testfs.b", "testfs.c"}
	for _, key := range keys {
		if err := p.Add(key, bin, testfsConfig(testfsRoot(t, key))); err != nil {
			t.Fatal(err)
		}
	}
	var pids []int
	for _, key := range keys[:2] {
		pids = append(pids, pidOf(t, poolClient(t, p, key)))
	}
	for _, pid := range pids {
		if !running(pid) {
			t.Fatalf("process %d is not running", pid)
		}
	}
	// A start in flight when Close comes is stopped too.
	started := make(chan error, 1)
	go func() {
		_, err := p.Client(context.Background(), "testfs.c")
		started <- err
	}()
	time.Sleep(20 * time.Millisecond)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-started; err != nil && !errors.Is(err, ErrPoolClosed) && !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("the start cut by Close: %v", err)
	}
	for _, pid := range pids {
		if running(pid) {
			t.Errorf("process %d still runs after Close", pid)
		}
	}
	if left := childrenRunning(t, bin); len(left) > 0 {
		t.Errorf("children left after Close: %v", left)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := p.Client(context.Background(), "testfs.a"); !errors.Is(err, ErrPoolClosed) {
		t.Errorf("Client after Close: %v", err)
	}
	if err := p.Add("testfs.d", bin, cty.NilVal); !errors.Is(err, ErrPoolClosed) {
		t.Errorf("Add after Close: %v", err)
	}
}
