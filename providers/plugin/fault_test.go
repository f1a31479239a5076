package plugin

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"
)

// fakeState is a fake_* resource's state.
func fakeState(v5 bool) cty.Value {
	m := map[string]cty.Value{
		"id": cty.StringVal("a"), "value": cty.StringVal("x"), "secret": cty.NullVal(cty.String),
		"password": cty.NullVal(cty.String),
	}
	if v5 {
		m["rule"] = cty.SetValEmpty(cty.Object(map[string]cty.Type{"port": cty.String}))
	}
	return cty.ObjectVal(m)
}

func TestFakeProviderProtocol5(t *testing.T) {
	ctx := context.Background()
	c := start(t, fakeProvider(t))
	if v := c.ProtocolVersion(); v != 5 {
		t.Fatalf("protocol %d, want 5", v)
	}
	ps, err := c.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := ps.ResourceTypes["fake_thing"]
	if s == nil || s.Version != 2 {
		t.Fatalf("fake_thing schema = %+v", s)
	}
	// Field 10 of an attribute is write_only in protocol 5.
	if a := s.Block.Attributes["password"]; a == nil || !a.WriteOnly {
		t.Errorf("password = %+v, want write-only", a)
	}
	if nb := s.Block.BlockTypes["rule"]; nb == nil || nb.Nesting != NestingSet || nb.MaxItems != 3 {
		t.Errorf("rule = %+v, want a set of at most 3", nb)
	}
	want := fakeState(true)
	got, _, err := c.ReadResource(ctx, "fake_thing", want, []byte("private"))
	if err != nil {
		t.Fatal(err)
	}
	if !got.RawEquals(want) {
		t.Errorf("read back %#v, want %#v", got, want)
	}
}

func TestFakeProviderProtocol6(t *testing.T) {
	t.Setenv("FAKE_PROTOCOL", "6")
	ctx := context.Background()
	c := start(t, fakeProvider(t))
	if v := c.ProtocolVersion(); v != 6 {
		t.Fatalf("protocol %d, want 6", v)
	}
	ps, err := c.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := ps.ResourceTypes["fake_thing"]
	// Field 11 is write_only in protocol 6, field 10 nested_type.
	if a := s.Block.Attributes["password"]; a == nil || !a.WriteOnly || a.NestedType != nil {
		t.Errorf("password = %+v, want write-only", a)
	}
	ep := s.Block.Attributes["endpoints"]
	if ep == nil || ep.NestedType == nil || ep.NestedType.Nesting != NestingMap || !ep.NestedType.Attributes["token"].Sensitive {
		t.Fatalf("endpoints = %+v, want a map of objects with a sensitive token", ep)
	}
	endpoint := cty.Object(map[string]cty.Type{"url": cty.String, "token": cty.String})
	if got, want := ep.ImpliedType(), cty.Map(endpoint); !got.Equals(want) {
		t.Errorf("endpoints type %#v, want %#v", got, want)
	}

	state := cty.ObjectVal(map[string]cty.Value{
		"id": cty.StringVal("a"), "value": cty.StringVal("x"), "secret": cty.StringVal("s"),
		"password": cty.NullVal(cty.String),
		"endpoints": cty.MapVal(map[string]cty.Value{
			"api": cty.ObjectVal(map[string]cty.Value{"url": cty.StringVal("https://api"), "token": cty.NullVal(cty.String)}),
		}),
	})
	got, private, err := c.ReadResource(ctx, "fake_thing", state, []byte("p"))
	if err != nil {
		t.Fatal(err)
	}
	if !got.RawEquals(state) || string(private) != "p" {
		t.Errorf("read back %#v %q, want %#v", got, private, state)
	}

	// In driftctl's schema: a nested attribute, written `endpoints = {...}`,
	// whose objects may leave token out.
	pschema := s.ProvidersSchema("fake_thing")
	pa := pschema.Attributes["endpoints"]
	if pa.Nested == nil || !pa.Nested.AttributeOnly || !pa.Nested.Attributes["token"].Sensitive {
		t.Fatalf("providers attribute endpoints = %+v", pa)
	}
	if !pschema.Attributes["password"].WriteOnly {
		t.Error("providers attribute password is not write-only")
	}
	if !pschema.ImpliedType().Equals(s.ImpliedType()) {
		t.Errorf("providers.Schema type %#v, plugin schema type %#v", pschema.ImpliedType(), s.ImpliedType())
	}
}

func TestCrashMidCall(t *testing.T) {
	c := start(t, fakeProvider(t), WithName("example/fake"))
	_, _, err := c.ReadResource(context.Background(), "fake_crash", fakeState(true), nil)
	var ce *CallError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a *CallError", err)
	}
	if !ce.Exited {
		t.Errorf("Exited is false: %v", err)
	}
	for _, want := range []string{"provider example/fake", "ReadResource", "panic: fake provider crashed on purpose"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	t.Logf("the error:\n%v", err)
	// Calls after the crash fail the same way, and Close still returns.
	if _, _, err := c.ReadResource(context.Background(), "fake_thing", fakeState(true), nil); !errors.As(err, &ce) {
		t.Errorf("after the crash: %v, want a *CallError", err)
	}
}

func TestDeadlineOnHungCall(t *testing.T) {
	c := start(t, fakeProvider(t), WithCallTimeout(300*time.Millisecond))
	began := time.Now()
	_, _, err := c.ReadResource(context.Background(), "fake_hang", fakeState(true), nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline", err)
	}
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("the hung call returned after %s", d)
	}
	// The context's own, shorter, deadline holds too.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, _, err := c.ReadResource(ctx, "fake_hang", fakeState(true), nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a deadline", err)
	}
	began = time.Now()
	c.Close()
	if d := time.Since(began); d > 10*time.Second {
		t.Errorf("closing a hung provider took %s", d)
	}
}

func TestNoisyStderrIsBounded(t *testing.T) {
	c := start(t, fakeProvider(t))
	if _, _, err := c.ReadResource(context.Background(), "fake_noisy", fakeState(true), nil); err != nil {
		t.Fatal(err)
	}
	buf := c.(*client).stderr.synced
	// The 10 MB reach go-plugin's copier before the answer; give it a
	// moment to drain them.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(buf.String(), "done being noisy") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	tail := buf.String()
	if !strings.HasSuffix(tail, "fake provider: done being noisy") {
		t.Errorf("tail ends %q", tail[max(0, len(tail)-80):])
	}
	if n := len(tail); n > stderrBytes+stderrLines {
		t.Errorf("kept %d bytes of stderr, bound %d", n, stderrBytes)
	}
	if n := strings.Count(tail, "\n") + 1; n > stderrLines {
		t.Errorf("kept %d lines of stderr, bound %d", n, stderrLines)
	}
}

func TestStartFailureNamesTheProvider(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "terraform-provider-broken")
	script := "#!/bin/sh\necho 'broken provider: cannot load its credentials' >&2\nexit 3\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Start(context.Background(), bin, WithStartTimeout(10*time.Second))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"terraform-provider-broken", "cannot load its credentials"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	if _, err := Start(context.Background(), filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Error("starting a missing binary: no error")
	}
}

func TestTFLogShowsPluginLog(t *testing.T) {
	t.Setenv("TF_LOG", "debug")
	var out lockedBuffer
	start(t, fakeProvider(t), withLogOutput(&out))
	if !strings.Contains(out.String(), "plugin") {
		t.Errorf("with TF_LOG=debug, go-plugin logged nothing: %q", out.String())
	}
}

func TestTailBuffer(t *testing.T) {
	b := newTailBuffer(3, 100)
	for i := range 1000 {
		b.Write([]byte(strings.Repeat("y", i%7) + "\n"))
	}
	b.Write([]byte("last"))
	if got := strings.Count(b.String(), "\n"); got > 3 {
		t.Errorf("%d lines kept, bound 3: %q", got, b.String())
	}
	if !strings.HasSuffix(b.String(), "last") {
		t.Errorf("unfinished line lost: %q", b.String())
	}
	// A crash's first line stays when its goroutine dump is longer than
	// the tail.
	b = newTailBuffer(3, 1000)
	b.Write([]byte("panic: boom\n\ngoroutine 1 [running]:\nmain.f()\nmain.g()\nmain.main()\n"))
	if got, want := b.String(), "panic: boom\n[...]\nmain.f()\nmain.g()\nmain.main()"; got != want {
		t.Errorf("tail after a panic = %q, want %q", got, want)
	}
	// Debug and trace lines of providers' JSON logs are dropped, whatever
	// the order of their keys; other levels and plain lines are kept.
	b = newTailBuffer(10, 10000)
	b.Write([]byte(`{"@level":"debug","@message":"plugin address","@timestamp":"2026-01-01T00:00:00Z"}` + "\n"))
	b.Write([]byte(`{"@caller":"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server/server.go:852","@level":"trace","@message":"Received request","@module":"sdk.proto"}` + "\n"))
	b.Write([]byte(`{"@caller":"x.go:1","@level":"error","@message":"it failed","@module":"sdk.framework"}` + "\n"))
	b.Write([]byte(`a plain line with "@level":"trace" in it` + "\n"))
	if got, want := b.String(), `{"@caller":"x.go:1","@level":"error","@message":"it failed","@module":"sdk.framework"}`+"\n"+`a plain line with "@level":"trace" in it`; got != want {
		t.Errorf("tail of JSON log lines = %q, want %q", got, want)
	}
	// One 10 MB line without a newline is cut, not kept.
	b = newTailBuffer(50, 64<<10)
	b.Write([]byte(strings.Repeat("z", 10<<20)))
	b.Write([]byte("\nafter\n"))
	if n := len(b.String()); n > 64<<10 {
		t.Errorf("kept %d bytes", n)
	}
	if !strings.HasSuffix(b.String(), "[...]\nafter") {
		t.Errorf("tail = ...%q", b.String()[max(0, len(b.String())-20):])
	}
}
