package drift

import (
	"sort"
	"sync"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/internal/ctypack"
)

// Results collects a scan's results as they are decided, from concurrent
// evaluation. It keeps the values that remediation needs packed (ctypack,
// with one type per shape shared by the scan), drops the values of results
// remediation never changes, and shows as SensitiveID an ID that holds a
// sensitive value of its type's configurations.
type Results struct {
	mu   sync.Mutex
	list []Result
	// secrets are the string forms of the sensitive values of each type's
	// configurations: an unclaimed live resource whose ID holds one is
	// shown redacted too.
	secrets map[string][]string
	types   ctypack.Types // of the packed values (see pack)
	// tags says whether Add fills each result's Tags (see KeepTags).
	tags bool
}

// NewResults returns an empty collection with room for capacity results.
func NewResults(capacity int) *Results {
	return &Results{list: make([]Result, 0, capacity)}
}

// KeepTags makes Add fill each result's Tags, which only filters read: a
// scan without one keeps no map of tags per resource.
func (rs *Results) KeepTags() { rs.tags = true }

// AddSecrets records sensitive strings of a configuration of typ.
func (rs *Results) AddSecrets(typ string, secrets []string) {
	if len(secrets) == 0 {
		return
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.secrets == nil {
		rs.secrets = map[string][]string{}
	}
	rs.secrets[typ] = append(rs.secrets[typ], secrets...)
}

// Secrets returns the sensitive strings recorded for typ.
func (rs *Results) Secrets(typ string) []string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.secrets[typ]
}

// Add records res; an ID holding one of secrets is redacted.
func (rs *Results) Add(res Result, secrets []string) {
	res.redactID(secrets)
	if rs.tags && res.Tags == nil {
		res.Tags = tagsOf(res.live.v, secrets)
		if res.Tags == nil {
			res.Tags = tagsOf(res.desired.v, secrets)
		}
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	switch res.Status {
	case InSync, Ignored, Unknown:
		// Remediation never changes these: the values need not stay in
		// memory until the report is done.
		res.desired, res.live = packedValue{}, packedValue{}
	default:
		// Remediation changes drifted, missing and unmanaged ones;
		// gen-import writes the configuration of unmanaged ones from
		// their live values and secrets.
		res.desired, res.live = rs.pack(res.desired.v), rs.pack(res.live.v)
		res.secrets = secrets
	}
	rs.list = append(rs.list, res)
}

// Sorted returns the results in report order (see SortResults).
func (rs *Results) Sorted() []Result {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	SortResults(rs.list)
	return rs.list
}

// pack encodes a result's value, with a type shared by the scan's values
// of that type; a value it cannot encode (unknown parts) is kept as it is.
// Called with rs.mu held.
func (rs *Results) pack(v cty.Value) packedValue {
	if v == cty.NilVal || v.IsNull() || !v.IsWhollyKnown() || v.ContainsMarked() {
		return packedValue{v: v}
	}
	ty := rs.types.Shared(v.Type())
	b, err := ctypack.Marshal(v, ty)
	if err != nil {
		return packedValue{v: v}
	}
	return packedValue{b: b, ty: ty}
}

// TypeRead is one provider configuration's finished read of a type.
type TypeRead struct {
	// Provider is the configuration ("aws", "aws.west"); Account its
	// account ID, when known.
	Provider, Account string
	Index             *Index
}

// LiveKey names one live resource across the provider configurations of
// a scan: the same ID in another account or region is another resource
// (VPC and security group IDs are unique per account, bucket and role
// names only per account or partition). Configurations whose account is
// not known ("": the identity check was skipped) share one account.
func LiveKey(account, region, typ, id string) string {
	return account + "|" + region + "|" + typ + "|" + id
}

// Unclaimed returns, as Unmanaged results, the live resources of one type's reads that no
// desired resource claimed, leaving out what the cloud makes by itself.
// Several provider configurations of one account and region (aliases
// that differ in default_tags, or any configuration of a global type)
// read the same resources: one claimed through any of them is claimed,
// and an unclaimed one is reported once, through the first read. The same
// ID in other accounts is another resource (see LiveKey).
func Unclaimed(reads []TypeRead) []Result {
	claimed := map[string]bool{}
	for _, r := range reads {
		for _, p := range r.Index.list {
			if p.claimedBy != "" {
				claimed[LiveKey(r.Account, p.region, r.Index.typ, p.id)] = true
			}
		}
	}
	var out []Result
	seen := map[string]bool{}
	for _, r := range reads {
		for _, p := range r.Index.list {
			key := LiveKey(r.Account, p.region, r.Index.typ, p.id)
			if p.cloudManaged || claimed[key] || seen[key] {
				continue
			}
			seen[key] = true
			l := r.Index.live(p)
			res := Result{Type: l.Type, ID: l.ID, Provider: r.Provider, Account: r.Account, Region: l.Region, Status: Unmanaged}
			res.SetValues(cty.NilVal, l.Attrs)
			out = append(out, res)
		}
	}
	return out
}

// SortResults orders results by status (report order), then address, type
// and ID.
func SortResults(rs []Result) {
	rank := map[Status]int{}
	for i, s := range Statuses {
		rank[s] = i
	}
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if rank[a.Status] != rank[b.Status] {
			return rank[a.Status] < rank[b.Status]
		}
		if a.Address != b.Address {
			return a.Address < b.Address
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.ID < b.ID
	})
}
