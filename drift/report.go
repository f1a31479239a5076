// Package drift compares desired resources with live ones: it matches them,
// diffs them with each type's attribute semantics and classifies each
// resource. Its Report is what every renderer, metric and exit code reads.
package drift

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/internal/ctypack"
)

// Status is the outcome for one resource.
type Status string

// The statuses, in the order reports list them.
const (
	Drifted   Status = "drifted"
	Missing   Status = "missing"
	Unmanaged Status = "unmanaged"
	Unknown   Status = "unknown"
	Ignored   Status = "ignored"
	InSync    Status = "in_sync"
)

// Statuses lists every status in report order.
var Statuses = []Status{Drifted, Missing, Unmanaged, Unknown, Ignored, InSync}

// IsDrift reports whether the status means live differs from Git.
func (s Status) IsDrift() bool { return s == Drifted || s == Missing || s == Unmanaged }

// Diff is one attribute whose live value differs from the desired one.
type Diff struct {
	// Path is the attribute path: "tags.Env", "ingress", "versioning_configuration[0].status".
	Path string
	// Want is the desired value (null: the attribute should be absent or
	// empty); Got the live value (null: absent).
	Want cty.Value
	Got  cty.Value
	// Sensitive values are never printed.
	Sensitive bool
	// Range is where the attribute is written, nil when the configuration
	// leaves it out.
	Range *hcl.Range
	// Blame says who last wrote the line of Range, when the desired state
	// comes from Git; nil otherwise.
	Blame *Blame
	// Replace is true when the provider cannot change the attribute in
	// place: making the resource match replaces it (a provider plugin's
	// RequiresReplace).
	Replace bool
}

// PathString writes a cty path as Diff.Path does: attributes and map keys
// after dots, list indices in brackets ("tags.Env", "ingress[0].port").
func PathString(p cty.Path) string {
	var b strings.Builder
	for _, step := range p {
		switch s := step.(type) {
		case cty.GetAttrStep:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Name)
		case cty.IndexStep:
			switch {
			case s.Key.Type() == cty.String && s.Key.IsKnown() && !s.Key.IsNull():
				b.WriteByte('.')
				b.WriteString(s.Key.AsString())
			case s.Key.Type() == cty.Number && s.Key.IsKnown() && !s.Key.IsNull():
				fmt.Fprintf(&b, "[%s]", s.Key.AsBigFloat().Text('f', -1))
			}
		}
	}
	return b.String()
}

// Reader says how a resource was read.
type Reader string

// The readers.
const (
	// ReaderNative: driftctl's own reader of the type.
	ReaderNative Reader = "native"
	// ReaderPlugin: the provider's own binary, over the plugin protocol.
	ReaderPlugin Reader = "plugin"
)

// Blame is the last change to a line of the desired state.
type Blame struct {
	// SHA is the commit; "" for a line of a working tree not committed yet.
	SHA    string
	Author string
	Email  string
	Time   time.Time
}

// Result is the outcome for one resource.
type Result struct {
	// Address is Terraform's address; "" for unmanaged resources.
	Address string
	Type    string
	// ID is the live resource's ID as it may be shown: SensitiveID when
	// the ID is or contains a sensitive value (a bucket named by a
	// sensitive variable), so that no report, metric label or log built
	// from a Result shows it. LiveID is the real one.
	ID string
	// IDSensitive is true when ID is SensitiveID in place of the real ID;
	// the resource is then known by its Address.
	IDSensitive bool
	// liveID is the real ID when IDSensitive; "" otherwise.
	liveID string
	// secrets are the string forms of the configuration's sensitive
	// values, kept for the results remediation changes (see ShownID).
	secrets  []string
	Provider string
	// Account is the provider's account ID, when known.
	Account string
	Region  string
	Status  Status
	// Reader says how the resource was read ("" when it was not).
	Reader Reader
	Diffs  []Diff
	// Reason explains unknown and ignored statuses.
	Reason string
	// Unsupported marks an unknown result that driftctl cannot check yet
	// by design (a type without a reader, a resource in a module): a
	// known limit, which lowers coverage but does not make the scan
	// partial, unlike a failed read.
	Unsupported bool
	// DeclRange is where the resource block is written (zero for unmanaged).
	DeclRange hcl.Range
	// Tags are the resource's tags, for filters (--filter): the live ones
	// when it was read, else the configuration's; nil when it has none.
	// A sensitive value, or one holding a sensitive value of the
	// configuration, is SensitiveID. Not part of the JSON report.
	Tags map[string]string

	// What remediation needs; not part of the JSON report.

	// desired is the configuration with the provider's default tags merged
	// (none for unmanaged resources), live the live resource's attributes
	// (none when none was read): see DesiredValue and LiveValue. A scan
	// keeps them only for the results remediation changes, and packed.
	desired, live  packedValue
	PreventDestroy bool
	// References are the resources ("TYPE.NAME") the configuration
	// depends on.
	References []string
}

// SensitiveID is what Result.ID shows for an ID that comes from a
// sensitive value.
const SensitiveID = "(sensitive)"

// LiveID is the live resource's real ID, for calling the cloud: the same
// as ID unless IDSensitive. A result decoded from a kept record has lost
// it: LiveID is then SensitiveID.
func (r *Result) LiveID() string {
	if r.IDSensitive && r.liveID != "" {
		return r.liveID
	}
	return r.ID
}

// ShownID is how an ID of this resource that remediation got from the
// cloud (a created resource's) may be printed or logged: SensitiveID when
// it holds a sensitive value of the configuration.
func (r *Result) ShownID(id string) string {
	for _, s := range r.secrets {
		if s != "" && strings.Contains(id, s) {
			return SensitiveID
		}
	}
	return id
}

// redactID makes ID SensitiveID when it contains one of secrets (the
// string forms of the configuration's sensitive values), keeping the real
// one for LiveID, and takes it out of Reason too.
func (r *Result) redactID(secrets []string) {
	if r.ID == "" || r.IDSensitive {
		return
	}
	if holdsSecret(r.ID, secrets) {
		r.liveID, r.ID, r.IDSensitive = r.ID, SensitiveID, true
		r.Reason = strings.ReplaceAll(r.Reason, r.liveID, SensitiveID)
	}
}

// holdsSecret reports whether s contains one of secrets, the string forms
// of the configuration's sensitive values.
func holdsSecret(s string, secrets []string) bool {
	for _, secret := range secrets {
		if secret != "" && strings.Contains(s, secret) {
			return true
		}
	}
	return false
}

// DesiredValue is the configuration with the provider's default tags
// merged: what remediation applies. It is cty.NilVal for an unmanaged
// resource, and for results remediation does not change (in sync,
// ignored, unknown).
func (r *Result) DesiredValue() cty.Value { return r.desired.value() }

// LiveValue is the live resource's attributes as read; cty.NilVal when
// none was read, and for results remediation does not change.
func (r *Result) LiveValue() cty.Value { return r.live.value() }

// SetValues sets what DesiredValue and LiveValue return (tests, and
// results made outside a scan).
func (r *Result) SetValues(desired, live cty.Value) {
	r.desired, r.live = packedValue{v: desired}, packedValue{v: live}
}

// packedValue is a cty value encoded by ctypack with a type shared by the
// scan's values of that type, or, when it cannot be encoded (unknown
// parts), the value itself.
type packedValue struct {
	b  []byte
	ty cty.Type
	v  cty.Value
}

func (p packedValue) value() cty.Value {
	if p.b == nil {
		return p.v
	}
	return ctypack.Unpack(p.b, p.ty)
}

// Error is a failure that left part of the scan incomplete.
type Error struct {
	Type      string
	Region    string
	Operation string
	Message   string
}

// Commit identifies the Git commit the desired state came from.
type Commit struct {
	SHA string
	// Ref is the ref the scan asked for, or the branch HEAD points to.
	Ref     string
	Author  string
	Email   string
	Time    time.Time
	Message string
	// Dirty is true when a local working tree differs from the commit: the
	// files scanned are the working tree's.
	Dirty bool
	// Repository is where the commit was read, without credentials.
	Repository string
	// Path is the stack's directory inside the repository.
	Path string
}

// Summary counts results per status.
type Summary struct {
	Total     int
	InSync    int
	Drifted   int
	Missing   int
	Unmanaged int
	Ignored   int
	Unknown   int
	// Coverage is the share of resources that were checked and found
	// managed: (total - unmanaged - unknown) / total, 0..1, and 1 when there
	// is nothing. A resource whose read failed (unknown) was not checked, so
	// it lowers coverage as an unmanaged one does: a scan whose every read
	// failed has coverage 0, never 100%.
	Coverage float64
}

// Report is the outcome of one scan.
type Report struct {
	Stack     string
	Commit    *Commit
	StartedAt time.Time
	Duration  time.Duration
	Results   []Result
	Errors    []Error
	// Withheld are the types whose unmanaged resources are not reported,
	// because part of the configuration that may declare them was not
	// evaluated: calling those unmanaged could be false.
	Withheld []Withheld
	// Providers are the provider configurations the scan configured,
	// sorted by name: where each one's results are (a result's Provider
	// is one of their names).
	Providers []ProviderInfo
}

// ProviderInfo is one configured provider configuration of a scan.
type ProviderInfo struct {
	// Name is the configuration as results name it ("aws", "aws.prod").
	Name string
	// Account is the account ID of its credentials, "" when not known
	// (the identity check was skipped); Region where it reads.
	Account, Region string
}

// Withheld is a type whose unmanaged resources a scan does not report.
type Withheld struct {
	Type string
	// Provider is the provider configuration ("aws", "aws.west").
	Provider string
	Reason   string
}

// Count returns the number of results with the status.
func (r *Report) Count(s Status) int {
	n := 0
	for _, res := range r.Results {
		if res.Status == s {
			n++
		}
	}
	return n
}

// Of is the number of results with status st.
func (s Summary) Of(st Status) int {
	switch st {
	case InSync:
		return s.InSync
	case Drifted:
		return s.Drifted
	case Missing:
		return s.Missing
	case Unmanaged:
		return s.Unmanaged
	case Ignored:
		return s.Ignored
	case Unknown:
		return s.Unknown
	}
	return 0
}

// Summary counts the report's results.
func (r *Report) Summary() Summary {
	s := Summary{
		Total:     len(r.Results),
		InSync:    r.Count(InSync),
		Drifted:   r.Count(Drifted),
		Missing:   r.Count(Missing),
		Unmanaged: r.Count(Unmanaged),
		Ignored:   r.Count(Ignored),
		Unknown:   r.Count(Unknown),
	}
	checked := s.Total - s.Unmanaged - s.Unknown
	if s.Total == 0 {
		s.Coverage = 1
	} else {
		s.Coverage = float64(checked) / float64(s.Total)
	}
	return s
}

// Complete reports whether the scan read everything it needed: no failed
// read, and no unknown result but those driftctl does not support yet.
func (r *Report) Complete() bool {
	if len(r.Errors) > 0 {
		return false
	}
	for _, res := range r.Results {
		if res.Status == Unknown && !res.Unsupported {
			return false
		}
	}
	return true
}
