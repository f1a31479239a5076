package remediate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/scan"
)

// reload replaces the stack's configuration, as a new edit of the files.
func (s *stack) reload(cfg string) {
	s.t.Helper()
	dir := s.t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o644); err != nil {
		s.t.Fatal(err)
	}
	mod, diags := config.Load(dir)
	if diags.HasErrors() {
		s.t.Fatal(diags.Error())
	}
	s.mod = mod
}

// countingScan calls before(n) before the n-th scan (from 1).
func countingScan(s *stack, before func(n int)) Rescan {
	n := 0
	return func(ctx context.Context, created map[string]string) (*scan.Session, error) {
		n++
		before(n)
		return s.scan(ctx, created)
	}
}

// A saved replace is refused once prevent_destroy protects the resource,
// even when the attributes (and no commit) tell the change.
func TestSavedPlanRefusedWhenPreventDestroyAdded(t *testing.T) {
	s := newStack(t, netConfig, stateOf(map[string]string{"test_net.main": "n-1"}))
	s.cloud.put("test_net", "n-1", map[string]cty.Value{"name": cty.StringVal("renamed"), "size": cty.NumberIntVal(3)})
	plan := s.plan(Options{Targets: []string{"test_net.main"}})
	if got := actions(plan); got != "-/+ test_net.main" {
		t.Fatalf("plan = %s", got)
	}
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := Save(path, plan); err != nil {
		t.Fatal(err)
	}
	saved, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	s.reload(strings.Replace(netConfig, "  size = 3\n", "  size = 3\n  lifecycle {\n    prevent_destroy = true\n  }\n", 1))
	_, err = Apply(context.Background(), saved, s.scan, ApplyOptions{Schemas: s.schemaOf})
	if !errors.Is(err, ErrStale) {
		t.Fatalf("err = %v, want a stale plan", err)
	}
	if len(s.cloud.calls) != 0 {
		t.Errorf("a plan made before prevent_destroy replaced the resource: %v", s.cloud.calls)
	}
}

// Applying a saved plan records the attribute values in the audit log,
// not nulls.
func TestSavedPlanAuditHasValues(t *testing.T) {
	s := newStack(t, netConfig, stateOf(map[string]string{"test_net.main": "n-1", "test_sub.a": "s-1"}))
	s.cloud.put("test_net", "n-1", map[string]cty.Value{"name": cty.StringVal("main"), "size": cty.NumberIntVal(5)})
	s.cloud.put("test_sub", "s-1", map[string]cty.Value{"net_id": cty.StringVal("n-1"), "label": cty.StringVal("a")})
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := Save(path, s.plan(Options{})); err != nil {
		t.Fatal(err)
	}
	saved, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	audit := filepath.Join(t.TempDir(), "audit.log")
	log, _ := OpenAuditLog(audit)
	if _, err := Apply(context.Background(), saved, s.scan, ApplyOptions{Audit: log, Schemas: s.schemaOf}); err != nil {
		t.Fatal(err)
	}
	log.Close()
	lines := readLines(t, audit)
	if len(lines) == 0 || !strings.Contains(lines[0], `{"path":"size","from":5,"to":3}`) {
		t.Errorf("audit log:\n%s", strings.Join(lines, "\n"))
	}
}

const chainConfig = `
resource "test_net" "main" {
  name = "main"
  size = 3
}
resource "test_sub" "a" {
  net_id = test_net.main.id
  label  = "a"
}
resource "test_sub" "b" {
  net_id = "n-1"
  label  = "${test_sub.a.id}-b"
}
`

// With --continue-on-error, a change is not made when one it depends on,
// even through another, failed.
func TestContinueOnErrorSkipsTransitiveDependents(t *testing.T) {
	s := newStack(t, chainConfig, stateOf(map[string]string{"test_net.main": "n-1", "test_sub.a": "s-a", "test_sub.b": "s-b"}))
	s.cloud.put("test_net", "n-1", map[string]cty.Value{"name": cty.StringVal("main"), "size": cty.NumberIntVal(5)})
	s.cloud.put("test_sub", "s-a", map[string]cty.Value{"net_id": cty.StringVal("n-1"), "label": cty.StringVal("x")})
	s.cloud.put("test_sub", "s-b", map[string]cty.Value{"net_id": cty.StringVal("n-1"), "label": cty.StringVal("x")})
	s.cloud.fail["update test_net"] = true
	plan := s.plan(Options{})
	if got := actions(plan); got != "~ test_net.main, ~ test_sub.a, ~ test_sub.b" {
		t.Fatalf("plan = %s", got)
	}
	outcomes, err := Apply(context.Background(), plan, s.scan, ApplyOptions{ContinueOnError: true, Schemas: s.schemaOf})
	if err != nil {
		t.Fatal(err)
	}
	if got := results(outcomes); got != "test_net.main: failed, test_sub.a: not attempted, test_sub.b: not attempted" {
		t.Errorf("outcomes = %s, calls %v", got, s.cloud.calls)
	}
	if got := strings.Join(s.cloud.calls, ", "); got != "update test_net" {
		t.Errorf("calls = %s", got)
	}
}

const twoNets = `
resource "test_net" "a" {
  name = "a"
  size = 3
}
resource "test_net" "b" {
  name = "b"
  size = 3
}
`

// The first failure stops the apply, also within a wave.
func TestFailureStopsTheWave(t *testing.T) {
	s := newStack(t, twoNets, stateOf(map[string]string{"test_net.a": "n-a", "test_net.b": "n-b"}))
	s.cloud.put("test_net", "n-a", map[string]cty.Value{"name": cty.StringVal("a"), "size": cty.NumberIntVal(5)})
	s.cloud.put("test_net", "n-b", map[string]cty.Value{"name": cty.StringVal("b"), "size": cty.NumberIntVal(5)})
	s.cloud.fail["update test_net n-a"] = true
	outcomes, err := Apply(context.Background(), s.plan(Options{}), s.scan, ApplyOptions{Concurrency: 1, Schemas: s.schemaOf})
	if err != nil {
		t.Fatal(err)
	}
	if got := results(outcomes); got != "test_net.a: failed, test_net.b: not attempted" {
		t.Errorf("outcomes = %s", got)
	}
	if got := strings.Join(s.cloud.calls, ", "); got != "update test_net" {
		t.Errorf("calls = %s", got)
	}
}

// An unmanaged resource that may be a declared resource of unknown status
// is not deleted, even with --allow-delete.
func TestAllowDeleteLeavesWhatMayBeUnknown(t *testing.T) {
	// test_net.main has no state and its configuration does not identify
	// it: n-1 may be it.
	s := newStack(t, twoNets, stateOf(map[string]string{"test_net.a": "n-a"}))
	s.cloud.put("test_net", "n-a", map[string]cty.Value{"name": cty.StringVal("a"), "size": cty.NumberIntVal(3)})
	s.cloud.put("test_net", "n-1", map[string]cty.Value{"name": cty.StringVal("b"), "size": cty.NumberIntVal(3)})
	sess, err := s.scan(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	sess.Close()
	var statuses []string
	for _, r := range sess.Report.Results {
		statuses = append(statuses, string(r.Status)+" "+r.Address+r.ID)
	}
	plan := NewPlan(sess.Report, s.schemaOf, Options{AllowDelete: true})
	if got := actions(plan); got != "" {
		t.Fatalf("plan = %s (results %v)", got, statuses)
	}
	// The scan does not call n-1 unmanaged at all: test_net.b, which no
	// ID identifies, may be it.
	if w := sess.Report.Withheld; len(w) != 1 || w[0].Type != "test_net" || !strings.Contains(w[0].Reason, "test_net.b is not identified") {
		t.Errorf("withheld = %+v (results %v)", w, statuses)
	}
	if len(plan.Skipped) != 1 || plan.Skipped[0].Address != "test_net.b" {
		t.Errorf("skipped = %+v", plan.Skipped)
	}
	// Were it reported unmanaged (a report from elsewhere), the plan
	// would still leave it: it may be test_net.b.
	withN1 := *sess.Report
	withN1.Results = append(append([]drift.Result(nil), sess.Report.Results...), drift.Result{Type: "test_net", ID: "n-1", Provider: "test", Status: drift.Unmanaged})
	plan = NewPlan(&withN1, s.schemaOf, Options{AllowDelete: true})
	if got := actions(plan); got != "" {
		t.Fatalf("plan = %s", got)
	}
	if len(plan.Skipped) != 2 || !strings.Contains(plan.Skipped[1].Reason+plan.Skipped[0].Reason, "may be test_net.b") {
		t.Errorf("skipped = %+v", plan.Skipped)
	}
}

// A resource whose read fails between waves is not touched: its status is
// unknown.
func TestUnknownBetweenWavesIsNotTouched(t *testing.T) {
	s := newStack(t, netConfig, stateOf(map[string]string{"test_net.main": "n-1", "test_sub.a": "s-gone"}))
	s.cloud.put("test_net", "n-1", map[string]cty.Value{"name": cty.StringVal("renamed"), "size": cty.NumberIntVal(3)})
	plan := s.plan(Options{})
	if got := actions(plan); got != "-/+ test_net.main, + test_sub.a" {
		t.Fatalf("plan = %s", got)
	}
	rescan := countingScan(s, func(n int) { s.cloud.failRead["test_sub"] = n >= 2 })
	outcomes, err := Apply(context.Background(), plan, rescan, ApplyOptions{Schemas: s.schemaOf})
	if err != nil {
		t.Fatal(err)
	}
	if got := results(outcomes); !strings.HasPrefix(got, "test_net.main: ") || !strings.HasSuffix(got, "test_sub.a: failed") {
		t.Errorf("outcomes = %s", got)
	}
	if got := strings.Join(s.cloud.calls, ", "); got != "delete test_net, create test_net" {
		t.Errorf("calls = %s", got)
	}
}

// A delete is not verified by a scan that could not read its type.
func TestDeleteNotVerifiedByPartialScan(t *testing.T) {
	s := newStack(t, netConfig, stateOf(map[string]string{"test_net.main": "n-1", "test_sub.a": "s-1"}))
	s.cloud.put("test_net", "n-1", map[string]cty.Value{"name": cty.StringVal("main"), "size": cty.NumberIntVal(3)})
	s.cloud.put("test_sub", "s-1", map[string]cty.Value{"net_id": cty.StringVal("n-1"), "label": cty.StringVal("a")})
	s.cloud.put("test_net", "n-extra", map[string]cty.Value{"name": cty.StringVal("extra")})
	plan := s.plan(Options{AllowDelete: true})
	if got := actions(plan); got != "- test_net/n-extra" {
		t.Fatalf("plan = %s", got)
	}
	rescan := countingScan(s, func(n int) { s.cloud.failRead["test_net"] = n >= 2 })
	outcomes, err := Apply(context.Background(), plan, rescan, ApplyOptions{Schemas: s.schemaOf})
	if err != nil {
		t.Fatal(err)
	}
	if got := results(outcomes); got != "test_net/n-extra: applied but still drifted" {
		t.Errorf("outcomes = %s", got)
	}
}

// A failing audit log stops the apply: no change is made that the log
// cannot record (its intent is written before the cloud is touched).
func TestAuditFailureStops(t *testing.T) {
	s := newStack(t, netConfig, stateOf(map[string]string{"test_net.main": "n-1", "test_sub.a": "s-gone"}))
	s.cloud.put("test_net", "n-1", map[string]cty.Value{"name": cty.StringVal("renamed"), "size": cty.NumberIntVal(3)})
	dir := filepath.Join(t.TempDir(), "logs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	log, err := OpenAuditLog(filepath.Join(dir, "audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	outcomes, err := Apply(context.Background(), s.plan(Options{}), s.scan, ApplyOptions{Audit: log, Schemas: s.schemaOf})
	if err == nil || !strings.Contains(err.Error(), "audit log") {
		t.Errorf("err = %v, want the audit log's failure", err)
	}
	if got := strings.Join(s.cloud.calls, ", "); got != "" {
		t.Errorf("calls = %s (outcomes %s)", got, results(outcomes))
	}
}
