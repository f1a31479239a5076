package remediate

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/scan"
	"github.com/gitdrift/driftctl/state"
)

// cloud is an in-memory provider: "net" resources (name ForceNew, size
// updatable) and "sub" resources that name their net by ID.
type cloud struct {
	mu     sync.Mutex
	things map[string]map[string]cty.Value // type → id → attrs
	next   int
	fail   map[string]bool // "kind type" (or "kind type id") that fails
	calls  []string
	// failRead are the types whose reads fail.
	failRead map[string]bool
}

var schemas = map[string]*providers.Schema{
	"test_net": {Type: "test_net", Attributes: map[string]*providers.Attribute{
		"id":   {Type: cty.String, Computed: true},
		"name": {Type: cty.String, Required: true, ForceNew: true},
		"size": {Type: cty.Number, Optional: true},
	}},
	"test_sub": {Type: "test_sub", Attributes: map[string]*providers.Attribute{
		"id":     {Type: cty.String, Computed: true},
		"net_id": {Type: cty.String, Required: true, ForceNew: true},
		"label":  {Type: cty.String, Optional: true},
	}},
}

func (c *cloud) Name() string { return "test" }
func (c *cloud) Schema() *providers.ProviderSchema {
	return &providers.ProviderSchema{Provider: &providers.Schema{Type: "test", Attributes: map[string]*providers.Attribute{}}, Resources: schemas}
}
func (c *cloud) New(context.Context, providers.Config) (providers.Configured, error) { return c, nil }
func (c *cloud) Region() string                                                      { return "r1" }
func (c *cloud) DefaultTags() map[string]string                                      { return nil }
func (c *cloud) Close() error                                                        { return nil }
func (c *cloud) ReadData(context.Context, string, cty.Value) (cty.Value, error) {
	return cty.NilVal, errors.New("none")
}

func (c *cloud) Read(_ context.Context, req providers.ReadRequest) (*providers.ReadResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failRead[req.Type] {
		return nil, &providers.ReadError{Type: req.Type, Region: "r1", Operation: "test:List", Err: errors.New("injected read failure")}
	}
	var out []*providers.Live
	for id, attrs := range c.things[req.Type] {
		out = append(out, &providers.Live{Type: req.Type, ID: id, Region: "r1", Attrs: attrs})
	}
	return &providers.ReadResponse{Resources: out}, nil
}

func (c *cloud) Apply(_ context.Context, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, fmt.Sprintf("%s %s", req.Kind, req.Type))
	if c.fail[string(req.Kind)+" "+req.Type] || c.fail[string(req.Kind)+" "+req.Type+" "+req.ID] {
		return nil, errors.New("injected failure")
	}
	switch req.Kind {
	case providers.Create:
		if req.Type == "test_sub" {
			if _, ok := c.things["test_net"][req.Desired.GetAttr("net_id").AsString()]; !ok {
				return nil, errors.New("no such net")
			}
		}
		c.next++
		id := fmt.Sprintf("%s-%d", req.Type, c.next)
		m := req.Desired.AsValueMap()
		m["id"] = cty.StringVal(id)
		c.things[req.Type][id] = cty.ObjectVal(m)
		return &providers.ApplyResponse{ID: id}, nil
	case providers.Update:
		m := c.things[req.Type][req.ID].AsValueMap()
		for _, name := range req.Changed {
			if schemas[req.Type].Attributes[name].ForceNew {
				return nil, providers.ErrNotSupported
			}
			m[name] = req.Desired.GetAttr(name)
		}
		c.things[req.Type][req.ID] = cty.ObjectVal(m)
		return &providers.ApplyResponse{ID: req.ID}, nil
	case providers.Delete:
		delete(c.things[req.Type], req.ID)
		return &providers.ApplyResponse{}, nil
	}
	return nil, errors.New("unknown kind")
}

func (c *cloud) put(typ, id string, attrs map[string]cty.Value) {
	attrs["id"] = cty.StringVal(id)
	for name, a := range schemas[typ].Attributes {
		if _, ok := attrs[name]; !ok {
			attrs[name] = cty.NullVal(a.Type)
		}
	}
	c.things[typ][id] = cty.ObjectVal(attrs)
}

const netConfig = `
resource "test_net" "main" {
  name = "main"
  size = 3
}
resource "test_sub" "a" {
  net_id = test_net.main.id
  label  = "a"
}
`

// stack holds a configuration, a state and a cloud, and scans them.
type stack struct {
	t     *testing.T
	cloud *cloud
	mod   *config.Module
	st    *state.State
}

func newStack(t *testing.T, cfg string, st *state.State) *stack {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	mod, diags := config.Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	c := &cloud{things: map[string]map[string]cty.Value{"test_net": {}, "test_sub": {}}, fail: map[string]bool{}, failRead: map[string]bool{}}
	return &stack{t: t, cloud: c, mod: mod, st: st}
}

func (s *stack) scan(ctx context.Context, created map[string]string) (*scan.Session, error) {
	return scan.NewStack(s.cloud, s.mod, s.st, scan.Options{Stack: "s", Unmanaged: true}).Session(ctx, created)
}

func (s *stack) schemaOf(typ string) (*providers.Schema, bool) {
	sc, ok := schemas[typ]
	return sc, ok
}

func (s *stack) plan(opts Options) *Plan {
	s.t.Helper()
	sess, err := s.scan(context.Background(), nil)
	if err != nil {
		s.t.Fatal(err)
	}
	sess.Close()
	return NewPlan(sess.Report, s.schemaOf, opts)
}

func stateOf(ids map[string]string) *state.State {
	st := &state.State{Version: 4}
	for addr, id := range ids {
		typ, name, _ := strings.Cut(addr, ".")
		st.Instances = append(st.Instances, &state.Instance{Address: addr, Mode: state.ModeManaged, Type: typ, Name: name, ID: id})
	}
	return st
}

func actions(p *Plan) string {
	var out []string
	for _, c := range p.Changes {
		s := string(c.Action) + " " + c.Address
		if c.Blocked != "" {
			s += " (blocked)"
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

func results(outcomes []Outcome) string {
	var out []string
	for _, o := range outcomes {
		out = append(out, o.Change.Address+": "+o.Result)
	}
	return strings.Join(out, ", ")
}

func TestPlanAndApplyConverge(t *testing.T) {
	s := newStack(t, netConfig, stateOf(map[string]string{"test_net.main": "n-1", "test_sub.a": "s-1"}))
	s.cloud.put("test_net", "n-1", map[string]cty.Value{"name": cty.StringVal("main"), "size": cty.NumberIntVal(5)})
	s.cloud.put("test_net", "n-extra", map[string]cty.Value{"name": cty.StringVal("extra")})
	// test_sub.a is missing.

	plan := s.plan(Options{})
	if got := actions(plan); got != "~ test_net.main, + test_sub.a" {
		t.Fatalf("plan = %s", got)
	}
	if len(plan.Skipped) != 1 || !strings.Contains(plan.Skipped[0].Reason, "--allow-delete") {
		t.Errorf("skipped = %+v, want the unmanaged net left alone", plan.Skipped)
	}
	audit := filepath.Join(t.TempDir(), "audit.log")
	log, err := OpenAuditLog(audit)
	if err != nil {
		t.Fatal(err)
	}
	outcomes, err := Apply(context.Background(), plan, s.scan, ApplyOptions{Audit: log, Schemas: s.schemaOf})
	log.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got := results(outcomes); got != "test_net.main: applied and verified, test_sub.a: applied and verified" {
		t.Errorf("outcomes = %s", got)
	}
	if _, ok := s.cloud.things["test_net"]["n-extra"]; !ok {
		t.Error("the unmanaged net was deleted without --allow-delete")
	}
	// The state still has the sub's old ID (remediation does not write
	// Terraform's state): with the created ID, as an import block would
	// give it, nothing is left to do.
	created := map[string]string{}
	for _, o := range outcomes {
		if o.NewID != "" {
			created[o.Change.Address] = o.NewID
		}
	}
	sess, err := s.scan(context.Background(), created)
	if err != nil {
		t.Fatal(err)
	}
	sess.Close()
	if again := NewPlan(sess.Report, s.schemaOf, Options{}); !again.Empty() {
		t.Errorf("after apply the plan is %s, want nothing", actions(again))
	}
	lines := readLines(t, audit)
	// Each change: its intent, then its result, then the verification.
	if len(lines) != 6 || !strings.Contains(lines[0], `"record":"intent"`) || !strings.Contains(lines[1], `"result":"applied"`) || !strings.Contains(lines[5], `"result":"applied and verified"`) {
		t.Errorf("audit log:\n%s", strings.Join(lines, "\n"))
	}
}

// A replaced net gets a new ID; the sub that refers to it waits for it and
// is created in the new net, in a second wave.
func TestApplyOrdersByReferences(t *testing.T) {
	// The sub was in the net that is replaced; its state ID is gone.
	s := newStack(t, netConfig, stateOf(map[string]string{"test_net.main": "n-1", "test_sub.a": "s-gone"}))
	s.cloud.put("test_net", "n-1", map[string]cty.Value{"name": cty.StringVal("renamed"), "size": cty.NumberIntVal(3)})
	plan := s.plan(Options{})
	if got := actions(plan); got != "-/+ test_net.main, + test_sub.a" {
		t.Fatalf("plan = %s", got)
	}
	outcomes, err := Apply(context.Background(), plan, s.scan, ApplyOptions{Schemas: s.schemaOf})
	if err != nil {
		t.Fatal(err)
	}
	if got := results(outcomes); got != "test_net.main: applied and verified, test_sub.a: applied and verified" {
		t.Errorf("outcomes = %s (calls %v)", got, s.cloud.calls)
	}
	if got := strings.Join(s.cloud.calls, ", "); got != "delete test_net, create test_net, create test_sub" {
		t.Errorf("calls = %s", got)
	}
}

func TestPreventDestroyBlocksReplace(t *testing.T) {
	cfg := strings.Replace(netConfig, "  size = 3\n", "  size = 3\n  lifecycle {\n    prevent_destroy = true\n  }\n", 1)
	s := newStack(t, cfg, stateOf(map[string]string{"test_net.main": "n-1"}))
	s.cloud.put("test_net", "n-1", map[string]cty.Value{"name": cty.StringVal("renamed"), "size": cty.NumberIntVal(3)})
	plan := s.plan(Options{Targets: []string{"test_net.main"}})
	if got := actions(plan); got != "-/+ test_net.main (blocked)" || !plan.Empty() {
		t.Fatalf("plan = %s", got)
	}
	outcomes, err := Apply(context.Background(), plan, s.scan, ApplyOptions{Schemas: s.schemaOf})
	if err != nil {
		t.Fatal(err)
	}
	if got := results(outcomes); got != "test_net.main: blocked" || len(s.cloud.calls) != 0 {
		t.Errorf("outcomes = %s, calls %v", got, s.cloud.calls)
	}
}

func TestAllowDeleteAndTargets(t *testing.T) {
	s := newStack(t, netConfig, stateOf(map[string]string{"test_net.main": "n-1", "test_sub.a": "s-1"}))
	s.cloud.put("test_net", "n-1", map[string]cty.Value{"name": cty.StringVal("main"), "size": cty.NumberIntVal(3)})
	s.cloud.put("test_sub", "s-1", map[string]cty.Value{"net_id": cty.StringVal("n-1"), "label": cty.StringVal("a")})
	s.cloud.put("test_net", "n-extra", map[string]cty.Value{"name": cty.StringVal("extra")})
	s.cloud.put("test_net", "n-other", map[string]cty.Value{"name": cty.StringVal("other")})
	plan := s.plan(Options{AllowDelete: true, Targets: []string{"test_net/n-extra"}})
	if got := actions(plan); got != "- test_net/n-extra" {
		t.Fatalf("plan = %s", got)
	}
	outcomes, err := Apply(context.Background(), plan, s.scan, ApplyOptions{Schemas: s.schemaOf})
	if err != nil {
		t.Fatal(err)
	}
	if got := results(outcomes); got != "test_net/n-extra: applied and verified" {
		t.Errorf("outcomes = %s", got)
	}
	if _, ok := s.cloud.things["test_net"]["n-other"]; !ok {
		t.Error("an untargeted unmanaged net was deleted")
	}
}

func TestStalePlanIsRefused(t *testing.T) {
	s := newStack(t, netConfig, stateOf(map[string]string{"test_net.main": "n-1", "test_sub.a": "s-1"}))
	s.cloud.put("test_net", "n-1", map[string]cty.Value{"name": cty.StringVal("main"), "size": cty.NumberIntVal(5)})
	s.cloud.put("test_sub", "s-1", map[string]cty.Value{"net_id": cty.StringVal("n-1"), "label": cty.StringVal("a")})
	plan := s.plan(Options{})
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := Save(path, plan); err != nil {
		t.Fatal(err)
	}
	saved, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	// Someone changes the net again after the plan was made.
	s.cloud.put("test_net", "n-1", map[string]cty.Value{"name": cty.StringVal("main"), "size": cty.NumberIntVal(7)})
	_, err = Apply(context.Background(), saved, s.scan, ApplyOptions{Schemas: s.schemaOf})
	if !errors.Is(err, ErrStale) || !strings.Contains(err.Error(), "test_net.main changed in the cloud since the plan was made") {
		t.Fatalf("err = %v, want a stale plan naming test_net.main", err)
	}
	if len(s.cloud.calls) != 0 {
		t.Errorf("a stale plan made calls: %v", s.cloud.calls)
	}
}

// A failure stops the apply: the audit log says what was done and what was
// not, and running again converges.
func TestFailureStopsAndRerunConverges(t *testing.T) {
	s := newStack(t, netConfig, stateOf(map[string]string{"test_net.main": "n-1", "test_sub.a": "s-gone"}))
	s.cloud.put("test_net", "n-1", map[string]cty.Value{"name": cty.StringVal("renamed"), "size": cty.NumberIntVal(3)})
	s.cloud.fail["create test_net"] = true
	audit := filepath.Join(t.TempDir(), "audit.log")
	log, _ := OpenAuditLog(audit)
	outcomes, err := Apply(context.Background(), s.plan(Options{}), s.scan, ApplyOptions{Audit: log, Schemas: s.schemaOf})
	log.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got := results(outcomes); got != "test_net.main: failed, test_sub.a: not attempted" {
		t.Errorf("outcomes = %s", got)
	}
	lines := strings.Join(readLines(t, audit), "\n")
	if !strings.Contains(lines, `"address":"test_net.main","type":"test_net","id":"n-1","action":"replace"`) || !strings.Contains(lines, `"result":"failed","error":"deleting before recreating`) && !strings.Contains(lines, `injected failure`) {
		t.Errorf("audit log lacks the failure:\n%s", lines)
	}
	if !strings.Contains(lines, `"address":"test_sub.a"`) || !strings.Contains(lines, `"result":"not attempted"`) {
		t.Errorf("audit log lacks what was not attempted:\n%s", lines)
	}

	// The net was deleted before its create failed: now it is missing, and
	// a new plan creates it and then the sub.
	delete(s.cloud.fail, "create test_net")
	plan := s.plan(Options{})
	if got := actions(plan); got != "+ test_net.main, + test_sub.a" {
		t.Fatalf("second plan = %s", got)
	}
	outcomes, err = Apply(context.Background(), plan, s.scan, ApplyOptions{Schemas: s.schemaOf})
	if err != nil {
		t.Fatal(err)
	}
	if got := results(outcomes); got != "test_net.main: applied and verified, test_sub.a: applied and verified" {
		t.Errorf("second outcomes = %s", got)
	}
}

func TestPlanJSONRedactsNothingItShouldShowAndRoundTrips(t *testing.T) {
	s := newStack(t, netConfig, stateOf(map[string]string{"test_net.main": "n-1", "test_sub.a": "s-1"}))
	s.cloud.put("test_net", "n-1", map[string]cty.Value{"name": cty.StringVal("main"), "size": cty.NumberIntVal(5)})
	s.cloud.put("test_sub", "s-1", map[string]cty.Value{"net_id": cty.StringVal("n-1"), "label": cty.StringVal("a")})
	var b strings.Builder
	if err := WriteJSON(&b, s.plan(Options{})); err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		Changes []struct {
			Action     string `json:"action"`
			Attributes []struct {
				Path string `json:"path"`
				From any    `json:"from"`
				To   any    `json:"to"`
			} `json:"attributes"`
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(b.String()), &decoded); err != nil {
		t.Fatal(err)
	}
	if len(decoded.Changes) != 1 || decoded.Changes[0].Action != "~" || decoded.Changes[0].Attributes[0].From != float64(5) || decoded.Changes[0].Attributes[0].To != float64(3) {
		t.Errorf("plan JSON = %s", b.String())
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}
