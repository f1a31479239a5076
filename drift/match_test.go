package drift

import (
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// identitySchema is the test schema with a natural identity: a resource's
// name.
func identitySchema() *providers.Schema {
	s := testSchema()
	s.Identity = func(v cty.Value) string {
		n := v.GetAttr("name")
		if !n.IsKnown() || n.IsNull() {
			return ""
		}
		return n.AsString()
	}
	return s
}

func TestMatch(t *testing.T) {
	t.Parallel()
	s := identitySchema()
	named := func(name string) cty.Value {
		return obj(t, s, map[string]cty.Value{"name": cty.StringVal(name)})
	}
	idx := NewIndex(s, "test_thing")
	for _, l := range []struct{ id, name string }{{"t-1", "one"}, {"t-2", "two"}, {"t-3", "three"}} {
		v := named(l.name)
		idx.Add(s, &providers.Live{Type: "test_thing", ID: l.id, Region: "r1", Attrs: v})
	}
	calledStateAttrs := false
	tests := []struct {
		name           string
		id             Identity
		want           string // the ID found, "" for none
		wantIdentified bool
	}{
		{"nothing to go by", Identity{}, "", false},
		{"configuration not wholly known", Identity{Config: cty.UnknownVal(s.ImpliedType())}, "", false},
		{"a known ID first", Identity{KnownID: "t-3", StateID: "t-1", Config: named("two")}, "t-3", true},
		{"a known ID that is gone falls back to the state", Identity{KnownID: "t-9", StateID: "t-1"}, "t-1", true},
		{"the state's ID", Identity{StateID: "t-2", Config: named("one")}, "t-2", true},
		{"the state's attributes when its ID is not the cloud's", Identity{StateID: "arn:t-2", StateAttrs: func() cty.Value { return named("two") }}, "t-2", true},
		{"a state ID that finds nothing is missing", Identity{StateID: "t-9"}, "", true},
		{"a state ID that finds nothing, then the import ID", Identity{StateID: "t-9", ImportID: "t-3"}, "t-3", true},
		{"the import block's ID", Identity{ImportID: "t-1"}, "t-1", true},
		{"an import ID that finds nothing is missing", Identity{ImportID: "t-9"}, "", true},
		{"the configuration's identity", Identity{Config: named("three")}, "t-3", true},
		{"an identity that finds nothing is missing", Identity{Config: named("four")}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, identified := Match(s, tt.id, idx)
			gotID := ""
			if got != nil {
				gotID = got.ID()
			}
			if gotID != tt.want || identified != tt.wantIdentified {
				t.Errorf("Match = %q identified %v, want %q identified %v", gotID, identified, tt.want, tt.wantIdentified)
			}
		})
	}
	// The state's attributes are only decoded when its ID finds nothing.
	if _, _ = Match(s, Identity{StateID: "t-1", StateAttrs: func() cty.Value { calledStateAttrs = true; return named("x") }}, idx); calledStateAttrs {
		t.Error("StateAttrs was called although the state's ID found the resource")
	}
	// Without a natural identity, only IDs find a resource.
	plain := testSchema()
	if got, identified := Match(plain, Identity{Config: obj(t, plain, map[string]cty.Value{"name": cty.StringVal("one")})}, idx); got != nil || identified {
		t.Errorf("a type without identity matched by configuration: %v %v", got, identified)
	}
}

func TestClaim(t *testing.T) {
	t.Parallel()
	s := identitySchema()
	idx := NewIndex(s, "test_thing")
	attrs := obj(t, s, map[string]cty.Value{"id": cty.StringVal("t-1"), "name": cty.StringVal("one")})
	idx.Add(s, &providers.Live{Type: "test_thing", ID: "t-1", Region: "r1", Attrs: attrs})
	e, _ := Match(s, Identity{StateID: "t-1"}, idx)
	l, by, ok := idx.Claim(e, "test_thing.a")
	if !ok || by != "" || l.ID != "t-1" || l.Region != "r1" || !l.Attrs.RawEquals(attrs) {
		t.Fatalf("first claim = %+v %q %v", l, by, ok)
	}
	if l, by, ok := idx.Claim(e, "test_thing.b"); ok || l != nil || by != "test_thing.a" {
		t.Errorf("second claim = %+v %q %v, want refused naming test_thing.a", l, by, ok)
	}
	if got := Unclaimed([]TypeRead{{Provider: "test", Index: idx}}); len(got) != 0 {
		t.Errorf("a claimed resource is unmanaged: %+v", got)
	}
}

func TestUnclaimed(t *testing.T) {
	t.Parallel()
	s := testSchema()
	add := func(idx *Index, id, region string, cloud bool) {
		idx.Add(s, &providers.Live{Type: "test_thing", ID: id, Region: region, CloudManaged: cloud,
			Attrs: obj(t, s, map[string]cty.Value{"id": cty.StringVal(id), "name": cty.StringVal(id)})})
	}
	// A global type is read through two provider configurations: each
	// read has every resource.
	east, west := NewIndex(s, "test_thing"), NewIndex(s, "test_thing")
	for _, idx := range []*Index{east, west} {
		add(idx, "g-claimed", "global", false)
		add(idx, "g-free", "global", false)
		add(idx, "g-default", "global", true)
	}
	add(west, "w-only", "global", false)
	e, _ := Match(s, Identity{StateID: "g-claimed"}, west)
	if _, _, ok := west.Claim(e, "test_thing.a"); !ok {
		t.Fatal("claim refused")
	}
	got := Unclaimed([]TypeRead{{Provider: "test", Index: east}, {Provider: "test.west", Index: west}})
	var ids []string
	for _, r := range got {
		if r.Status != Unmanaged || r.Address != "" || r.Type != "test_thing" {
			t.Errorf("result %+v is not an unmanaged resource", r)
		}
		if r.LiveValue() == cty.NilVal {
			t.Errorf("%s: no live value for remediation", r.ID)
		}
		ids = append(ids, r.Provider+"/"+r.ID)
	}
	// Claimed through west counts for east too; the cloud's own resource
	// is left out; g-free is reported once, through the first read.
	want := []string{"test/g-free", "test.west/w-only"}
	if len(ids) != len(want) || ids[0] != want[0] || ids[1] != want[1] {
		t.Errorf("unmanaged = %v, want %v", ids, want)
	}
}

func TestUnclaimedAccounts(t *testing.T) {
	t.Parallel()
	s := testSchema()
	// read is one provider configuration's read: its live resources
	// (ID@region, claimed ones marked with a trailing "*").
	type read struct {
		provider, account string
		live              []string
	}
	tests := []struct {
		name  string
		reads []read
		want  []string // provider/account/region/id of each unmanaged result, in order
	}{
		{
			name: "the same ID in two accounts and one region is two resources",
			reads: []read{
				{"test", "123456789012", []string{"v-1@r1*", "v-2@r1"}},
				{"test.prod", "111111111111", []string{"v-1@r1", "v-2@r1"}},
			},
			want: []string{"test/123456789012/r1/v-2", "test.prod/111111111111/r1/v-1", "test.prod/111111111111/r1/v-2"},
		},
		{
			name: "two configurations of one account and region: claimed through either",
			reads: []read{
				{"test", "123456789012", []string{"v-1@r1*", "v-2@r1", "v-3@r1"}},
				{"test.tagged", "123456789012", []string{"v-1@r1", "v-2@r1*", "v-3@r1"}},
			},
			want: []string{"test/123456789012/r1/v-3"},
		},
		{
			name: "one account in two regions: an ID in another region is another resource",
			reads: []read{
				{"test", "123456789012", []string{"v-1@r1*"}},
				{"test.west", "123456789012", []string{"v-1@r2"}},
			},
			want: []string{"test.west/123456789012/r2/v-1"},
		},
		{
			name: "a global type through aliases of one account",
			reads: []read{
				{"test", "123456789012", []string{"role-a@global", "role-b@global"}},
				{"test.west", "123456789012", []string{"role-a@global*", "role-b@global"}},
			},
			want: []string{"test/123456789012/global/role-b"},
		},
		{
			name: "a global type in two accounts: the same name is two resources",
			reads: []read{
				{"test", "123456789012", []string{"role-a@global*", "role-b@global"}},
				{"test.prod", "111111111111", []string{"role-a@global", "role-b@global*"}},
			},
			want: []string{"test/123456789012/global/role-b", "test.prod/111111111111/global/role-a"},
		},
		{
			name: "configurations whose account is not known share one",
			reads: []read{
				{"test", "", []string{"v-1@r1*", "v-2@r1"}},
				{"test.other", "", []string{"v-1@r1", "v-2@r1"}},
			},
			want: []string{"test//r1/v-2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var reads []TypeRead
			for _, r := range tt.reads {
				idx := NewIndex(s, "test_thing")
				for _, l := range r.live {
					l, claimed := strings.CutSuffix(l, "*")
					id, region, _ := strings.Cut(l, "@")
					idx.Add(s, &providers.Live{Type: "test_thing", ID: id, Region: region,
						Attrs: obj(t, s, map[string]cty.Value{"id": cty.StringVal(id), "name": cty.StringVal(id)})})
					if claimed {
						e, _ := Match(s, Identity{StateID: id}, idx)
						if _, _, ok := idx.Claim(e, "test_thing."+id); !ok {
							t.Fatalf("claim of %s refused", id)
						}
					}
				}
				reads = append(reads, TypeRead{Provider: r.provider, Account: r.account, Index: idx})
			}
			var got []string
			for _, res := range Unclaimed(reads) {
				got = append(got, res.Provider+"/"+res.Account+"/"+res.Region+"/"+res.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("unmanaged =\n  %v\nwant\n  %v", got, tt.want)
			}
		})
	}
}
