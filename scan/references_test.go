package scan

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/state"
)

func stateWith(addrIDs ...string) *state.State {
	st := &state.State{Version: 4}
	for i := 0; i+1 < len(addrIDs); i += 2 {
		addr, id := addrIDs[i], addrIDs[i+1]
		typ, rest, _ := strings.Cut(addr, ".")
		name, _, _ := strings.Cut(rest, "[")
		st.Instances = append(st.Instances, &state.Instance{Address: addr, Mode: state.ModeManaged, Type: typ, Name: name, ID: id})
	}
	return st
}

func resultsByAddress(rep *drift.Report) map[string]drift.Result {
	m := map[string]drift.Result{}
	for _, r := range rep.Results {
		key := r.Address
		if key == "" {
			key = "unmanaged:" + r.ID
		}
		m[key] = r
	}
	return m
}

// References to a resource see its live attributes, whatever form they
// take: a resource whose desired value comes from another's live value is
// compared with it (here it drifted: its name is not the other's).
func TestReferenceForms(t *testing.T) {
	s := testSchema()
	tests := []struct {
		name string
		ref  string // an expression for test_thing.b's name, naming test_thing.a's "x" instance
	}{
		{"index", `test_thing.a["x"].description`},
		{"for_each key as an attribute step", `test_thing.a.x.description`},
		{"for expression", `[for k, v in test_thing.a : v.description][0]`},
		{"splat over values", `(values(test_thing.a)[*].description)[0]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := `
resource "test_thing" "a" {
  for_each    = toset(["x"])
  name        = each.key
  description = "from-live"
}
resource "test_thing" "b" { name = ` + tt.ref + ` }
`
			f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
				live(t, s, "t-x", map[string]cty.Value{"name": cty.StringVal("x"), "description": cty.StringVal("from-live")}),
				live(t, s, "t-b", map[string]cty.Value{"name": cty.StringVal("drifted")}),
			}}}
			rep := scan(t, f, src, stateWith(`test_thing.a["x"]`, "t-x", "test_thing.b", "t-b"))
			got := resultsByAddress(rep)
			if r := got[`test_thing.a["x"]`]; r.Status != drift.InSync {
				t.Errorf(`test_thing.a["x"]: %s (%s), want in sync`, r.Status, r.Reason)
			}
			b := got["test_thing.b"]
			if b.Status != drift.Drifted || len(b.Diffs) != 1 || b.Diffs[0].Path != "name" || !b.Diffs[0].Want.RawEquals(cty.StringVal("from-live")) {
				t.Errorf("test_thing.b: %s (%s) %+v, want drifted: name from-live, live drifted", b.Status, b.Reason, b.Diffs)
			}
		})
	}
}

// Blocks of one type through two provider configurations: each claims its
// live resource; neither is reported unmanaged although the type's reads
// are released when the last block of the type is evaluated, and a block
// reached first through a reference counts once.
func TestTypeDoneAcrossAliases(t *testing.T) {
	s := testSchema()
	const src = `
provider "test" {}
provider "test" { alias = "two" }
resource "test_thing" "z" {
  provider = test.two
  name     = test_thing.a.name
}
resource "test_thing" "a" { name = "a" }
resource "test_thing" "m" {
  provider = test.two
  count    = 2
  name     = "m${count.index}"
}
`
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
		live(t, s, "t-a", map[string]cty.Value{"name": cty.StringVal("a")}),
		live(t, s, "t-z", map[string]cty.Value{"name": cty.StringVal("a")}),
		live(t, s, "t-m0", map[string]cty.Value{"name": cty.StringVal("m0")}),
		live(t, s, "t-m1", map[string]cty.Value{"name": cty.StringVal("m1")}),
		live(t, s, "t-u", map[string]cty.Value{"name": cty.StringVal("u")}),
	}}}
	rep := scan(t, f, src, stateWith("test_thing.a", "t-a", "test_thing.z", "t-z", "test_thing.m[0]", "t-m0", "test_thing.m[1]", "t-m1"))
	got := resultsByAddress(rep)
	for _, a := range []string{"test_thing.a", "test_thing.z", "test_thing.m[0]", "test_thing.m[1]"} {
		if got[a].Status != drift.InSync {
			t.Errorf("%s: %s (%s), want in sync", a, got[a].Status, got[a].Reason)
		}
	}
	if got["unmanaged:t-u"].Status != drift.Unmanaged {
		t.Errorf("t-u not reported unmanaged: %v", statuses(rep))
	}
	for k, r := range got {
		if r.Status == drift.Unmanaged && k != "unmanaged:t-u" {
			t.Errorf("%s reported unmanaged although a block claims it", k)
		}
	}
}

// A global type's live resource is one resource whichever provider
// configuration reads it: two desired resources naming it through two
// configurations are, like two through one, the first compared and the
// second unknown.
func TestGlobalTypeClaimedTwice(t *testing.T) {
	s := testSchema()
	s.Global = true
	const src = `
provider "test" {}
provider "test" { alias = "two" }
resource "test_thing" "a" { name = "x" }
resource "test_thing" "b" {
  provider = test.two
  name     = "x"
}
`
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
		live(t, s, "t-x", map[string]cty.Value{"name": cty.StringVal("x")}),
	}}}
	rep := scan(t, f, src, stateWith("test_thing.a", "t-x", "test_thing.b", "t-x"))
	got := resultsByAddress(rep)
	if a := got["test_thing.a"]; a.Status != drift.InSync {
		t.Errorf("test_thing.a: %s (%s), want in sync", a.Status, a.Reason)
	}
	if b := got["test_thing.b"]; b.Status != drift.Unknown || !strings.Contains(b.Reason, "test_thing.a matched the same live resource") {
		t.Errorf("test_thing.b: %s (%q), want unknown naming test_thing.a", b.Status, b.Reason)
	}
}

// A configuration whose reference names an instance of a for_each
// resource by an attribute step must evaluate: a scan that fails on it
// reports nothing.
func TestForEachInstanceWhole(t *testing.T) {
	s := testSchema()
	const src = `
resource "test_thing" "a" {
  for_each = toset(["x"])
  name     = each.key
}
locals { x = test_thing.a.x }
resource "test_thing" "b" { name = local.x.name }
`
	f := &fakeFactory{schema: s, live: map[string][]*providers.Live{"test_thing": {
		live(t, s, "t-x", map[string]cty.Value{"name": cty.StringVal("x")}),
		live(t, s, "t-b", map[string]cty.Value{"name": cty.StringVal("x")}),
	}}}
	rep, err := scanModule(t, f, writeModule(t, src), stateWith(`test_thing.a["x"]`, "t-x", "test_thing.b", "t-b"))
	if err != nil || rep == nil {
		t.Fatalf("the scan failed: %v", err)
	}
	if b := resultsByAddress(rep)["test_thing.b"]; b.Status != drift.InSync {
		t.Errorf("test_thing.b: %s (%s), want in sync", b.Status, b.Reason)
	}
}
