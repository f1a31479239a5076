package scan

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/state"
)

// fakeFactory is a provider whose live resources and read errors a test
// sets per type.
type fakeFactory struct {
	schema *providers.Schema
	live   map[string][]*providers.Live
	errs   map[string]error
	tags   map[string]string
	// panics makes a read of the type panic with this value.
	panics map[string]any
	// accounts are the account IDs of the provider configurations, by
	// alias ("" for the default one); none: the account is not known.
	// liveIn, when set, are the live resources of each account, by type,
	// in place of live.
	accounts map[string]string
	liveIn   map[string]map[string][]*providers.Live
	// onRead, when set, sees each read's request (from the reading
	// goroutines).
	onRead func(providers.ReadRequest)
}

func (f *fakeFactory) Name() string { return "test" }
func (f *fakeFactory) Schema() *providers.ProviderSchema {
	return &providers.ProviderSchema{
		Provider:  &providers.Schema{Type: "test", Attributes: map[string]*providers.Attribute{"region": {Type: cty.String, Optional: true}}},
		Resources: map[string]*providers.Schema{f.schema.Type: f.schema},
	}
}
func (f *fakeFactory) New(_ context.Context, cfg providers.Config) (providers.Configured, error) {
	return fakeProvider{f: f, account: f.accounts[cfg.Alias]}, nil
}

type fakeProvider struct {
	f       *fakeFactory
	account string
}

func (p fakeProvider) Read(_ context.Context, req providers.ReadRequest) (*providers.ReadResponse, error) {
	if p.f.onRead != nil {
		p.f.onRead(req)
	}
	if v, ok := p.f.panics[req.Type]; ok {
		panic(v)
	}
	if err := p.f.errs[req.Type]; err != nil {
		return nil, &providers.ReadError{Type: req.Type, Region: "r1", Operation: "test:List", Err: err}
	}
	// Half the resources come through Page, the others in the response:
	// the scanner must take both.
	all := p.f.live[req.Type]
	if p.f.liveIn != nil {
		all = p.f.liveIn[p.account][req.Type]
	}
	if req.Page == nil {
		return &providers.ReadResponse{Resources: all}, nil
	}
	half := len(all) / 2
	req.Page(all[:half])
	return &providers.ReadResponse{Resources: all[half:]}, nil
}
func (p fakeProvider) ReadData(context.Context, string, cty.Value) (cty.Value, error) {
	return cty.NilVal, errors.New("no data sources")
}
func (p fakeProvider) Apply(context.Context, providers.ApplyRequest) (*providers.ApplyResponse, error) {
	return nil, providers.ErrNotSupported
}
func (p fakeProvider) Close() error                   { return nil }
func (p fakeProvider) Region() string                 { return "r1" }
func (p fakeProvider) Account() string                { return p.account }
func (p fakeProvider) DefaultTags() map[string]string { return p.f.tags }

func live(t *testing.T, s *providers.Schema, id string, attrs map[string]cty.Value) *providers.Live {
	attrs["id"] = cty.StringVal(id)
	if _, ok := attrs["tenancy"]; !ok {
		attrs["tenancy"] = cty.StringVal("default")
	}
	return &providers.Live{Type: s.Type, ID: id, Region: "r1", Attrs: obj(t, s, attrs)}
}

func scan(t *testing.T, f *fakeFactory, hcl string, st *state.State) *drift.Report {
	t.Helper()
	rep, err := scanModule(t, f, writeModule(t, hcl), st)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func statuses(rep *drift.Report) map[string]drift.Status {
	m := map[string]drift.Status{}
	for _, r := range rep.Results {
		key := r.Address
		if key == "" {
			key = "unmanaged:" + r.ID
		}
		m[key] = r.Status
	}
	return m
}

func TestScanClassifies(t *testing.T) {
	s := identitySchema()
	const config = `
resource "test_thing" "a" { name = "a" }
resource "test_thing" "b" { name = "b" }
resource "test_thing" "c" {
  name = "c"
  tags = { Env = "prod" }
  lifecycle { ignore_changes = [tags["Env"]] }
}
resource "test_thing" "d" { name = "d" }
`
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
		live(t, s, "t-a", map[string]cty.Value{"name": cty.StringVal("a")}),
		live(t, s, "t-c", map[string]cty.Value{"name": cty.StringVal("c"), "tags": cty.MapVal(map[string]cty.Value{"Env": cty.StringVal("dev"), "Team": cty.StringVal("x")})}),
		live(t, s, "t-d", map[string]cty.Value{"name": cty.StringVal("d"), "description": cty.StringVal("by hand")}),
		live(t, s, "t-e", map[string]cty.Value{"name": cty.StringVal("e")}),
		{Type: s.Type, ID: "t-default", Region: "r1", CloudManaged: true, Attrs: obj(t, s, map[string]cty.Value{"name": cty.StringVal("default")})},
	}}, tags: map[string]string{"Team": "x"}}
	got := statuses(scan(t, f, config, nil))
	want := map[string]drift.Status{
		"test_thing.a":  drift.Drifted,   // found by identity; lacks the Team tag that default_tags expects
		"test_thing.b":  drift.Missing,   // its identity finds nothing
		"test_thing.c":  drift.Ignored,   // only the ignored tag differs; Team comes from default_tags
		"test_thing.d":  drift.Drifted,   // an optional attribute set by hand
		"unmanaged:t-e": drift.Unmanaged, // live, not declared
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: status %q, want %q", k, got[k], w)
		}
	}
	if _, ok := got["unmanaged:t-default"]; ok {
		t.Errorf("a cloud-managed resource was reported unmanaged")
	}
	if len(got) != len(want) {
		t.Errorf("results %v, want exactly %v", got, want)
	}
}

func TestScanReadFailureIsUnknownNeverMissing(t *testing.T) {
	s := testSchema()
	f := &fakeFactory{schema: s, errs: map[string]error{"test_thing": errors.New("access denied")}}
	st := &state.State{Version: 4, Instances: []*state.Instance{{Address: "test_thing.a", Mode: state.ModeManaged, Type: "test_thing", Name: "a", ID: "t-a"}}}
	rep := scan(t, f, `resource "test_thing" "a" { name = "a" }`, st)
	if got := statuses(rep)["test_thing.a"]; got != drift.Unknown {
		t.Errorf("status %q, want unknown", got)
	}
	if len(rep.Errors) != 1 || rep.Errors[0].Operation != "test:List" || rep.Errors[0].Type != "test_thing" {
		t.Errorf("errors = %+v, want one naming test:List", rep.Errors)
	}
	if rep.Count(drift.Missing)+rep.Count(drift.Unmanaged) != 0 {
		t.Errorf("a failed read produced missing or unmanaged results: %+v", rep.Results)
	}
}

// A provider that panics while reading a type fails that read: its
// resources are unknown, the error says so, and the process goes on (serve
// scans every stack in one process).
func TestScanReadPanicIsAReadError(t *testing.T) {
	s := testSchema()
	f := &fakeFactory{schema: s, panics: map[string]any{"test_thing": "index out of range"}}
	st := &state.State{Version: 4, Instances: []*state.Instance{{Address: "test_thing.a", Mode: state.ModeManaged, Type: "test_thing", Name: "a", ID: "t-a"}}}
	rep := scan(t, f, `resource "test_thing" "a" { name = "a" }`, st)
	if got := statuses(rep)["test_thing.a"]; got != drift.Unknown {
		t.Errorf("status %q, want unknown", got)
	}
	if len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Message, "panicked: index out of range") {
		t.Errorf("errors = %+v, want one saying the read panicked", rep.Errors)
	}
}

func TestScanMatchesByStateID(t *testing.T) {
	s := testSchema()
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
		live(t, s, "t-1", map[string]cty.Value{"name": cty.StringVal("renamed")}),
	}}}
	st := &state.State{Version: 4, Instances: []*state.Instance{{Address: "test_thing.a", Mode: state.ModeManaged, Type: "test_thing", Name: "a", ID: "t-1"}}}
	rep := scan(t, f, `resource "test_thing" "a" { name = "a" }`, st)
	if len(rep.Results) != 1 || rep.Results[0].Status != drift.Drifted || rep.Results[0].ID != "t-1" {
		t.Fatalf("results %+v, want test_thing.a drifted with ID t-1", rep.Results)
	}
	if d := rep.Results[0].Diffs; len(d) != 1 || d[0].Path != "name" || d[0].Range == nil || d[0].Range.Start.Line != 1 {
		t.Errorf("diffs %+v, want name at main.tf:1", d)
	}
}

// Two desired resources whose IDs name one live resource: the first is
// compared, the second is unknown (never missing), naming the first.
func TestScanTwoResourcesOneLive(t *testing.T) {
	s := testSchema()
	const config = `
resource "test_thing" "a" { name = "x" }
resource "test_thing" "b" { name = "x" }
`
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
		live(t, s, "t-x", map[string]cty.Value{"name": cty.StringVal("x")}),
	}}}
	st := &state.State{Version: 4, Instances: []*state.Instance{
		{Address: "test_thing.a", Mode: state.ModeManaged, Type: "test_thing", Name: "a", ID: "t-x"},
		{Address: "test_thing.b", Mode: state.ModeManaged, Type: "test_thing", Name: "b", ID: "t-x"},
	}}
	rep := scan(t, f, config, st)
	got := map[string]drift.Result{}
	for _, r := range rep.Results {
		got[r.Address] = r
	}
	if a := got["test_thing.a"]; a.Status != drift.InSync {
		t.Errorf("test_thing.a: %s (%s), want in sync", a.Status, a.Reason)
	}
	b := got["test_thing.b"]
	if b.Status != drift.Unknown || !strings.Contains(b.Reason, "test_thing.a matched the same live resource (t-x) first") {
		t.Errorf("test_thing.b: %s (%q), want unknown naming test_thing.a", b.Status, b.Reason)
	}
}

// A drifted result keeps its desired and live values (packed) for
// remediation; an in-sync one keeps neither.
func TestScanKeepsValuesForRemediation(t *testing.T) {
	s := testSchema()
	const config = `
resource "test_thing" "a" {
  name = "a"
  tags = { Env = "prod" }
}
resource "test_thing" "b" { name = "b" }
`
	liveA := live(t, s, "t-a", map[string]cty.Value{"name": cty.StringVal("a"), "tags": cty.MapVal(map[string]cty.Value{"Env": cty.StringVal("dev")})})
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {liveA, live(t, s, "t-b", map[string]cty.Value{"name": cty.StringVal("b")})}}}
	st := &state.State{Version: 4, Instances: []*state.Instance{
		{Address: "test_thing.a", Mode: state.ModeManaged, Type: "test_thing", Name: "a", ID: "t-a"},
		{Address: "test_thing.b", Mode: state.ModeManaged, Type: "test_thing", Name: "b", ID: "t-b"},
	}}
	rep := scan(t, f, config, st)
	for i := range rep.Results {
		r := &rep.Results[i]
		switch r.Address {
		case "test_thing.a":
			if r.Status != drift.Drifted {
				t.Fatalf("test_thing.a: %s, want drifted", r.Status)
			}
			if got := r.LiveValue(); !got.RawEquals(liveA.Attrs) {
				t.Errorf("LiveValue = %#v, want %#v", got, liveA.Attrs)
			}
			if got := r.DesiredValue().GetAttr("tags").Index(cty.StringVal("Env")); !got.RawEquals(cty.StringVal("prod")) {
				t.Errorf("DesiredValue().tags.Env = %#v", got)
			}
		case "test_thing.b":
			if r.Status != drift.InSync || r.DesiredValue() != cty.NilVal || r.LiveValue() != cty.NilVal {
				t.Errorf("test_thing.b: %s, values kept: %v %v", r.Status, r.DesiredValue() != cty.NilVal, r.LiveValue() != cty.NilVal)
			}
		}
	}
}

// TestTypeWithoutReader: every instance of a type driftctl cannot read is
// in the report, unknown, saying so; what refers to it sees the values the
// state recorded for it.
func TestTypeWithoutReader(t *testing.T) {
	t.Parallel()
	s := testSchema()
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
		live(t, s, "t-a", map[string]cty.Value{"name": cty.StringVal("from-state")}),
		live(t, s, "t-b", map[string]cty.Value{"name": cty.StringVal("b")}),
	}}}
	dir := writeModule(t, `
resource "other_thing" "o" {
  label = "x"
}
resource "other_thing" "n" {
  count = 2
  label = "n${count.index}"
}
resource "test_thing" "a" { name = other_thing.o.label }
resource "test_thing" "b" { name = other_thing.n[0].label }
`)
	state := writeStateJSON(t,
		`{"mode": "managed", "type": "other_thing", "name": "o", `+stateProvider+`,
   "instances": [{"schema_version": 0, "attributes": {"id": "o-1", "label": "from-state"}}]}`,
		stateResource("test_thing.a", "t-a"), stateResource("test_thing.b", "t-b"))
	res, err := Run(context.Background(), f, Options{Location: dir, States: []string{state}})
	if err != nil {
		t.Fatal(err)
	}
	got := resultsByAddress(res.Report)
	for _, addr := range []string{"other_thing.o", "other_thing.n[0]", "other_thing.n[1]"} {
		if r, ok := got[addr]; !ok || r.Status != drift.Unknown || !r.Unsupported || !strings.HasPrefix(r.Reason, "no reader for other_thing: driftctl has no native reader, and the plugin of registry.terraform.io/hashicorp/other is not installed: run `terraform init`") {
			t.Errorf("%s: %+v, want unknown with no reader", addr, r)
		}
	}
	if r := got["other_thing.o"]; r.ID != "o-1" {
		t.Errorf("other_thing.o: ID %q, want the state's", r.ID)
	}
	if a := got["test_thing.a"]; a.Status != drift.InSync {
		t.Errorf("test_thing.a: %s (%s), want in sync with the state's label", a.Status, a.Reason)
	}
	// other_thing.n[0] is not in the state: what refers to it is unknown.
	if b := got["test_thing.b"]; b.Status != drift.Unknown || !strings.Contains(b.Reason, "other_thing") {
		t.Errorf("test_thing.b: %s (%s), want unknown naming other_thing", b.Status, b.Reason)
	}
	if n := res.Report.Count(drift.Unknown); n != 4 {
		t.Errorf("%d unknown, want 4", n)
	}
	// test_thing.b is unknown for want of a value, not by design.
	if res.Report.Complete() {
		t.Error("the report is complete although test_thing.b could not be checked")
	}
}

// TestProviderLocalNames: required_providers gives a provider any local
// name; its source's type says which provider it is.
func TestProviderLocalNames(t *testing.T) {
	t.Parallel()
	s := testSchema()
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
		live(t, s, "t-a", map[string]cty.Value{"name": cty.StringVal("a")}),
	}}}
	dir := writeModule(t, `
terraform {
  required_version = ">= 1.5"
  required_providers {
    primary = {
      source  = "registry.terraform.io/acme/test"
      version = "~> 1.0"
    }
  }
}
provider "primary" {
  region = "r1"
}
resource "test_thing" "a" {
  provider = primary
  name     = "a"
}
`)
	res, err := Run(context.Background(), f, Options{Location: dir, States: []string{writeState(t, "test_thing.a", "t-a")}})
	if err != nil {
		t.Fatal(err)
	}
	a := resultsByAddress(res.Report)["test_thing.a"]
	if a.Status != drift.InSync || a.Provider != "primary" || a.Region != "r1" {
		t.Errorf("test_thing.a: %s (%s) through %q in %q, want in sync through primary", a.Status, a.Reason, a.Provider, a.Region)
	}
	for _, d := range res.Diagnostics {
		t.Errorf("diagnostic: %s", d.Error())
	}
}

// TestDataSourceFromState: a data source driftctl cannot read takes the
// value the state recorded (sensitive parts stay sensitive), so that what
// depends on it is compared; without one, its dependants are unknown.
func TestDataSourceFromState(t *testing.T) {
	t.Parallel()
	s := testSchema()
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
		live(t, s, "t-a", map[string]cty.Value{"name": cty.StringVal("from-data")}),
		live(t, s, "t-b", map[string]cty.Value{"name": cty.StringVal("changed-by-hand")}),
		live(t, s, "t-c", map[string]cty.Value{"name": cty.StringVal("c")}),
	}}}
	dir := writeModule(t, `
data "other_data" "d" {
  filter = "x"
}
data "other_data" "missing" {}
resource "test_thing" "a" { name = data.other_data.d.name }
resource "test_thing" "b" { name = data.other_data.d.secret }
resource "test_thing" "c" { name = data.other_data.missing.name }
`)
	statePath := writeStateJSON(t,
		`{"mode": "data", "type": "other_data", "name": "d", `+stateProvider+`,
   "instances": [{"schema_version": 0, "attributes": {"id": "d", "name": "from-data", "secret": "s3cr3t-value"},
     "sensitive_attributes": [[{"type": "get_attr", "value": "secret"}]]}]}`,
		stateResource("test_thing.a", "t-a"), stateResource("test_thing.b", "t-b"), stateResource("test_thing.c", "t-c"))
	res, err := Run(context.Background(), f, Options{Location: dir, States: []string{statePath}})
	if err != nil {
		t.Fatal(err)
	}
	got := resultsByAddress(res.Report)
	if a := got["test_thing.a"]; a.Status != drift.InSync {
		t.Errorf("test_thing.a: %s (%s), want in sync with the state's data", a.Status, a.Reason)
	}
	b := got["test_thing.b"]
	if b.Status != drift.Drifted || len(b.Diffs) != 1 || !b.Diffs[0].Sensitive {
		t.Errorf("test_thing.b: %s %+v, want drifted with a sensitive diff", b.Status, b.Diffs)
	}
	if c := got["test_thing.c"]; c.Status != drift.Unknown || !strings.Contains(c.Reason, "data.other_data.missing") {
		t.Errorf("test_thing.c: %s (%s), want unknown naming the data source", c.Status, c.Reason)
	}
	var notes []string
	for _, d := range res.Diagnostics {
		notes = append(notes, d.Summary)
	}
	want := []string{"data source other_data: the value the state recorded is used", "data source other_data is not yet supported"}
	for _, w := range want {
		if !slices.Contains(notes, w) {
			t.Errorf("diagnostics %q lack %q", notes, w)
		}
	}
}

// TestMovedBlocks: a resource renamed with a moved block is found through
// the state's old address (resource to resource with its instance keys,
// instance to instance, chains of moves), as Terraform moves it; its live
// resource is not unmanaged.
func TestMovedBlocks(t *testing.T) {
	t.Parallel()
	s := testSchema() // no natural identity: only the state finds them
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
		live(t, s, "t-1", map[string]cty.Value{"name": cty.StringVal("one")}),
		live(t, s, "t-2", map[string]cty.Value{"name": cty.StringVal("two")}),
		live(t, s, "t-3", map[string]cty.Value{"name": cty.StringVal("three")}),
	}}}
	dir := writeModule(t, `
resource "test_thing" "renamed" { name = "one" }
moved {
  from = test_thing.original
  to   = test_thing.renamed
}

resource "test_thing" "counted" {
  count = 1
  name  = "two"
}
moved {
  from = test_thing.before
  to   = test_thing.counted
}

resource "test_thing" "last" { name = "three" }
moved {
  from = test_thing.first["x"]
  to   = test_thing.middle
}
moved {
  from = test_thing.middle
  to   = test_thing.last
}
`)
	statePath := writeStateJSON(t,
		stateResource("test_thing.original", "t-1"),
		`{"mode": "managed", "type": "test_thing", "name": "before", `+stateProvider+`, "instances": [{"index_key": 0, "schema_version": 0, "attributes": {"id": "t-2"}}]}`,
		`{"mode": "managed", "type": "test_thing", "name": "first", "each": "map", `+stateProvider+`, "instances": [{"index_key": "x", "schema_version": 0, "attributes": {"id": "t-3"}}]}`)
	res, err := Run(context.Background(), f, Options{Location: dir, States: []string{statePath}, Unmanaged: true})
	if err != nil {
		t.Fatal(err)
	}
	got := resultsByAddress(res.Report)
	for addr, id := range map[string]string{"test_thing.renamed": "t-1", "test_thing.counted[0]": "t-2", "test_thing.last": "t-3"} {
		if r := got[addr]; r.Status != drift.InSync || r.ID != id {
			t.Errorf("%s: %s %q (%s), want in sync with %s", addr, r.Status, r.ID, r.Reason, id)
		}
	}
	if n := res.Report.Count(drift.Unmanaged); n != 0 {
		t.Errorf("%d unmanaged, want none", n)
	}
}

// TestUnevaluatedResourcesClaimTheirLive: a resource whose configuration
// could not be evaluated (here: it uses a data source without a value) is
// unknown, yet its state ID still claims its live resource, which is then
// not unmanaged; one that no ID identifies withholds the unmanaged
// resources of its type, saying why.
func TestUnevaluatedResourcesClaimTheirLive(t *testing.T) {
	t.Parallel()
	s := testSchema()
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
		live(t, s, "t-a", map[string]cty.Value{"name": cty.StringVal("a")}),
		live(t, s, "t-b", map[string]cty.Value{"name": cty.StringVal("b")}),
	}}}
	tests := []struct {
		name     string
		state    []string // addresses and IDs
		withheld string
	}{
		{"with its state ID", []string{"test_thing.a", "t-a"}, ""},
		{"without", nil, "test_thing.a could not be evaluated, and no state or import block gives its ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeModule(t, `
data "other_data" "d" {}
resource "test_thing" "a" { name = data.other_data.d.name }
`)
			var states []string
			if tt.state != nil {
				states = []string{writeState(t, tt.state[0], tt.state[1])}
			}
			res, err := Run(context.Background(), f, Options{Location: dir, States: states, Unmanaged: true})
			if err != nil {
				t.Fatal(err)
			}
			rep := res.Report
			a := resultsByAddress(rep)["test_thing.a"]
			if a.Status != drift.Unknown || a.Unsupported || !strings.Contains(a.Reason, "data.other_data.d") {
				t.Errorf("test_thing.a: %s (%s), want unknown naming the data source", a.Status, a.Reason)
			}
			var unmanaged []string
			for _, r := range rep.Results {
				if r.Status == drift.Unmanaged {
					unmanaged = append(unmanaged, r.ID)
				}
			}
			if tt.withheld == "" {
				if a.ID != "t-a" || len(unmanaged) != 1 || unmanaged[0] != "t-b" || len(rep.Withheld) != 0 {
					t.Errorf("ID %q, unmanaged %v, withheld %+v; want t-a claimed and only t-b unmanaged", a.ID, unmanaged, rep.Withheld)
				}
				return
			}
			if len(unmanaged) != 0 || len(rep.Withheld) != 1 || !strings.Contains(rep.Withheld[0].Reason, tt.withheld) {
				t.Errorf("unmanaged %v, withheld %+v; want none unmanaged and test_thing withheld with %q", unmanaged, rep.Withheld, tt.withheld)
			}
		})
	}
}

// TestUnidentifiedResourceWithholds: without a state, a resource of a type
// with no natural identity cannot be matched: its type's live resources
// are not called unmanaged.
func TestUnidentifiedResourceWithholds(t *testing.T) {
	t.Parallel()
	s := testSchema()
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
		live(t, s, "t-a", map[string]cty.Value{"name": cty.StringVal("a")}),
	}}}
	res, err := Run(context.Background(), f, Options{Location: writeModule(t, "resource \"test_thing\" \"a\" { name = \"a\" }\n"), Unmanaged: true})
	if err != nil {
		t.Fatal(err)
	}
	rep := res.Report
	if rep.Count(drift.Unmanaged) != 0 || len(rep.Withheld) != 1 || !strings.Contains(rep.Withheld[0].Reason, "test_thing.a is not identified") {
		t.Errorf("%d unmanaged, withheld %+v; want t-a withheld", rep.Count(drift.Unmanaged), rep.Withheld)
	}
}
