package scan

import (
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/providers"
)

// scanAccounts scans src against f and returns each result as
// "ADDRESS or unmanaged:ID account region status", sorted.
func scanAccounts(t *testing.T, f *fakeFactory, src string, addrIDs ...string) []string {
	t.Helper()
	rep := scan(t, f, src, stateWith(addrIDs...))
	var got []string
	for _, r := range rep.Results {
		key := r.Address
		if key == "" {
			key = "unmanaged:" + r.ID
		}
		line := key + " " + r.Account + " " + r.Region + " " + string(r.Status)
		if r.Status == drift.Unknown {
			line += " (" + r.Reason + ")"
		}
		got = append(got, line)
	}
	slices.Sort(got)
	return got
}

// Provider configurations in two accounts read the same region: a live
// resource is its account's, so the same ID in the other account is
// another resource, unmanaged there although claimed here.
func TestScanTwoAccounts(t *testing.T) {
	s := testSchema()
	const src = `
provider "test" {}
provider "test" { alias = "prod" }
resource "test_thing" "dev" { name = "x" }
resource "test_thing" "prod" {
  provider = test.prod
  name     = "y"
}
`
	named := func(id, name string) *providers.Live {
		return live(t, s, id, map[string]cty.Value{"name": cty.StringVal(name)})
	}
	f := &fakeFactory{schema: s, accounts: map[string]string{"": "123456789012", "prod": "111111111111"},
		liveIn: map[string]map[string][]*providers.Live{
			"123456789012": {"test_thing": {named("t-x", "x"), named("t-y", "y")}},
			"111111111111": {"test_thing": {named("t-x", "x"), named("t-y", "y")}},
		}}
	got := scanAccounts(t, f, src, "test_thing.dev", "t-x", "test_thing.prod", "t-y")
	want := []string{
		"test_thing.dev 123456789012 r1 in_sync",
		"test_thing.prod 111111111111 r1 in_sync",
		"unmanaged:t-x 111111111111 r1 unmanaged",
		"unmanaged:t-y 123456789012 r1 unmanaged",
	}
	if !slices.Equal(got, want) {
		t.Errorf("results =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// Two configurations of one account and region (aliases that differ in
// default_tags only) read the same resources: one claimed through either
// is not unmanaged through the other, an unclaimed one is reported once,
// and two resources claiming one live resource through the two are, as
// through one, the first compared and the second unknown.
func TestScanAliasesOfOneAccount(t *testing.T) {
	s := testSchema()
	const src = `
provider "test" {}
provider "test" { alias = "tagged" }
resource "test_thing" "a" { name = "a" }
resource "test_thing" "b" {
  provider = test.tagged
  name     = "b"
}
resource "test_thing" "dup" {
  provider = test.tagged
  name     = "a"
}
`
	named := func(id, name string) *providers.Live {
		return live(t, s, id, map[string]cty.Value{"name": cty.StringVal(name)})
	}
	f := &fakeFactory{schema: s, accounts: map[string]string{"": "123456789012", "tagged": "123456789012"},
		live: map[string][]*providers.Live{"test_thing": {named("t-a", "a"), named("t-b", "b"), named("t-c", "c")}}}
	got := scanAccounts(t, f, src, "test_thing.a", "t-a", "test_thing.b", "t-b", "test_thing.dup", "t-a")
	want := []string{
		"test_thing.a 123456789012 r1 in_sync",
		"test_thing.b 123456789012 r1 in_sync",
		"test_thing.dup 123456789012 r1 unknown (test_thing.a matched the same live resource (t-a) first; two resources cannot manage one)",
		"unmanaged:t-c 123456789012 r1 unmanaged",
	}
	if !slices.Equal(got, want) {
		t.Errorf("results =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// A global type read through configurations of two accounts: a role
// name is its account's, so each account's role is claimed by the
// resource of that account's configuration; through two of one account,
// one claimed through either is claimed.
func TestScanGlobalTypeTwoAccounts(t *testing.T) {
	s := testSchema()
	s.Global = true
	const src = `
provider "test" {}
provider "test" { alias = "prod" }
provider "test" { alias = "dev2" }
resource "test_thing" "dev" { name = "app" }
resource "test_thing" "prod" {
  provider = test.prod
  name     = "app"
}
resource "test_thing" "dev2" {
  provider = test.dev2
  name     = "shared"
}
`
	globalLive := func(id string) *providers.Live {
		l := live(t, s, id, map[string]cty.Value{"name": cty.StringVal(id)})
		l.Region = "global"
		return l
	}
	f := &fakeFactory{schema: s, accounts: map[string]string{"": "123456789012", "dev2": "123456789012", "prod": "111111111111"},
		liveIn: map[string]map[string][]*providers.Live{
			"123456789012": {"test_thing": {globalLive("app"), globalLive("shared"), globalLive("other")}},
			"111111111111": {"test_thing": {globalLive("app")}},
		}}
	got := scanAccounts(t, f, src, "test_thing.dev", "app", "test_thing.prod", "app", "test_thing.dev2", "shared")
	want := []string{
		"test_thing.dev 123456789012 global in_sync",
		"test_thing.dev2 123456789012 global in_sync",
		"test_thing.prod 111111111111 global in_sync",
		// Read through the default configuration and dev2: reported once.
		"unmanaged:other 123456789012 global unmanaged",
	}
	if !slices.Equal(got, want) {
		t.Errorf("results =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// The report lists every configured provider configuration with its
// account and region, a configuration without resources too.
func TestScanReportProviders(t *testing.T) {
	s := testSchema()
	const src = `
provider "test" {}
provider "test" { alias = "prod" }
provider "test" { alias = "unused" }
resource "test_thing" "a" { name = "a" }
`
	f := &fakeFactory{schema: s, accounts: map[string]string{"": "123456789012", "prod": "111111111111"}}
	rep := scan(t, f, src, nil)
	want := []drift.ProviderInfo{
		{Name: "test", Account: "123456789012", Region: "r1"},
		{Name: "test.prod", Account: "111111111111", Region: "r1"},
		{Name: "test.unused", Region: "r1"},
	}
	if !slices.Equal(rep.Providers, want) {
		t.Errorf("Providers = %+v, want %+v", rep.Providers, want)
	}
}
