// Package remediate plans and applies changes that bring the cloud back to
// the state Git declares: updates of drifted attributes, replaces where an
// attribute cannot change in place, creates of missing resources and, only
// when asked, deletes of unmanaged ones. It never touches a resource whose
// status is unknown, honours prevent_destroy and ignore_changes, writes every
// action to an audit log, and verifies the result with a new scan.
package remediate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/providers"
)

// Action is what remediation does to one resource, written as terraform
// plan writes it.
type Action string

// The actions.
const (
	Create  Action = "+"
	Update  Action = "~"
	Replace Action = "-/+"
	Delete  Action = "-"
)

// IsReplace reports whether the action deletes and recreates the resource.
func (a Action) IsReplace() bool { return a == Replace }

// Destroys reports whether the action deletes a live resource.
func (a Action) Destroys() bool { return a == Delete || a == Replace }

// Name is the action in words, for people and the audit log.
func (a Action) Name() string {
	switch a {
	case Create:
		return "create"
	case Update:
		return "update"
	case Replace:
		return "replace"
	case Delete:
		return "delete"
	}
	return string(a)
}

// AttributeChange is one attribute an update or replace changes.
type AttributeChange struct {
	// Path is the attribute path as drift reports it ("tags.Env").
	Path string
	// From is the live value, To the desired one.
	From      cty.Value
	To        cty.Value
	Sensitive bool
	// ForceNew attributes cannot change in place.
	ForceNew bool
	// saved holds the values of a plan read from a file, for display.
	savedFrom, savedTo json.RawMessage
}

type attributeChangeJSON struct {
	Path      string          `json:"path"`
	From      json.RawMessage `json:"from"`
	To        json.RawMessage `json:"to"`
	Sensitive bool            `json:"sensitive"`
	ForceNew  bool            `json:"force_new"`
}

// MarshalJSON writes the values as plain JSON, sensitive ones as
// "(sensitive)".
func (a AttributeChange) MarshalJSON() ([]byte, error) {
	j := attributeChangeJSON{Path: a.Path, From: redactedJSON(a.From, a.Sensitive), To: redactedJSON(a.To, a.Sensitive), Sensitive: a.Sensitive, ForceNew: a.ForceNew}
	if a.From == cty.NilVal && a.savedFrom != nil {
		j.From, j.To = a.savedFrom, a.savedTo
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a saved plan's attribute; its values are only for
// people (applying a saved plan takes them from a new scan).
func (a *AttributeChange) UnmarshalJSON(b []byte) error {
	var j attributeChangeJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*a = AttributeChange{Path: j.Path, Sensitive: j.Sensitive, ForceNew: j.ForceNew, From: cty.NilVal, To: cty.NilVal,
		savedFrom: j.From, savedTo: j.To}
	return nil
}

// Change is one planned action on one resource.
type Change struct {
	// Address is the resource's address; for an unmanaged resource, its
	// type and ID ("aws_s3_bucket/tmp-exports").
	Address  string `json:"address"`
	Type     string `json:"type"`
	ID       string `json:"id"`
	Provider string `json:"provider"`
	Region   string `json:"region"`
	Action   Action `json:"action"`
	// Attributes lists what an update or replace changes.
	Attributes []AttributeChange `json:"attributes"`
	// Reason says why a replace cannot be an update.
	Reason string `json:"reason,omitempty"`
	// Blocked says why the change will not be made (prevent_destroy).
	Blocked string `json:"blocked,omitempty"`
	// References are the resources this one's configuration depends on;
	// the change waits for theirs.
	References []string `json:"references,omitempty"`
	// Live and Desired fingerprint what the plan was made from, so that a
	// saved plan is refused when either has changed since.
	LiveFingerprint    string `json:"live_fingerprint"`
	DesiredFingerprint string `json:"desired_fingerprint"`
}

// key identifies the resource of a change across scans.
func (c *Change) key() string { return c.Address }

// Skip is a resource that needs a change remediation will not make.
type Skip struct {
	Address string `json:"address"`
	Reason  string `json:"reason"`
}

// Plan is what remediation will do, made from one scan.
type Plan struct {
	// Version of the saved plan format.
	Version   int       `json:"format_version"`
	Stack     string    `json:"stack"`
	Commit    string    `json:"commit"`
	CreatedAt time.Time `json:"created_at"`
	Options   Options   `json:"options"`
	Changes   []Change  `json:"changes"`
	Skipped   []Skip    `json:"skipped"`
	// Interrupted are changes an earlier run began and never finished
	// (their intent is in the audit log without a result): shown with the
	// plan so that someone checks those resources.
	Interrupted []Interrupted `json:"interrupted,omitempty"`
}

// PlanFormatVersion is the version of saved plans this code reads.
const PlanFormatVersion = 1

// Options shape a plan.
type Options struct {
	// AllowDelete plans deletes of unmanaged resources.
	AllowDelete bool `json:"allow_delete"`
	// Targets limit the plan to these addresses (an address also selects
	// its instances: aws_subnet.private selects aws_subnet.private["a"]);
	// an unmanaged resource is targeted as TYPE/ID.
	Targets []string `json:"targets"`
}

// SchemaFunc finds the schema of a resource type.
type SchemaFunc func(typ string) (*providers.Schema, bool)

// NewPlan plans the changes that bring the report's resources to their
// desired state.
func NewPlan(rep *drift.Report, schemaOf SchemaFunc, opts Options) *Plan {
	p := &Plan{Version: PlanFormatVersion, Stack: rep.Stack, CreatedAt: time.Now().UTC(), Options: opts, Changes: []Change{}, Skipped: []Skip{}}
	if rep.Commit != nil {
		p.Commit = rep.Commit.SHA
	}
	unknown := unknownDeclared(rep)
	for i := range rep.Results {
		res := &rep.Results[i]
		addr := resultAddress(res)
		if !targeted(addr, opts.Targets) {
			continue
		}
		schema, ok := schemaOf(res.Type)
		c := Change{
			Address: addr, Type: res.Type, ID: res.ID, Provider: res.Provider, Region: res.Region,
			References: res.References, LiveFingerprint: fingerprint(res.LiveValue()), DesiredFingerprint: fingerprint(res.DesiredValue()),
		}
		switch res.Status {
		case drift.Unknown:
			p.Skipped = append(p.Skipped, Skip{addr, "its status is unknown: " + res.Reason})
			continue
		case drift.InSync, drift.Ignored:
			continue
		}
		if !ok {
			p.Skipped = append(p.Skipped, Skip{addr, "resource type " + res.Type + " is not supported"})
			continue
		}
		switch res.Status {
		case drift.Drifted:
			c.Action = Update
			var forceNew []string
			for _, d := range res.Diffs {
				a := topAttribute(schema, d.Path)
				ac := AttributeChange{Path: d.Path, From: d.Got, To: d.Want, Sensitive: d.Sensitive, ForceNew: d.Replace || a != nil && a.ForceNew}
				if ac.ForceNew {
					forceNew = append(forceNew, d.Path)
				}
				c.Attributes = append(c.Attributes, ac)
			}
			if len(forceNew) > 0 {
				c.Action = Replace
				c.Reason = strings.Join(forceNew, ", ") + " cannot change in place"
				if res.PreventDestroy {
					c.Blocked = "lifecycle.prevent_destroy forbids replacing it"
				}
			}
		case drift.Missing:
			// A read that failed, or left any resource of the type
			// unknown, may have missed this one: creating it could make a
			// second one.
			if why := unknown.readProblem(rep, res); why != "" {
				p.Skipped = append(p.Skipped, Skip{addr, "missing, but not created: " + why})
				continue
			}
			c.Action = Create
		case drift.Unmanaged:
			if !opts.AllowDelete {
				p.Skipped = append(p.Skipped, Skip{addr, "unmanaged: left alone without --allow-delete"})
				continue
			}
			if who := unknown.mayBe(res); who != "" {
				p.Skipped = append(p.Skipped, Skip{addr, "unmanaged, but it may be " + who + ", whose status is unknown: left alone"})
				continue
			}
			c.Action = Delete
		default:
			continue
		}
		p.Changes = append(p.Changes, c)
	}
	sort.SliceStable(p.Changes, func(i, j int) bool { return p.Changes[i].Address < p.Changes[j].Address })
	return p
}

// unknownResources are the declared resources whose status is unknown, by
// type: their live resources were not matched, so a scan lists them as
// unmanaged, and deleting them would touch a resource whose status is
// unknown.
type unknownResources map[string][]*drift.Result

func unknownDeclared(rep *drift.Report) unknownResources {
	u := unknownResources{}
	for i := range rep.Results {
		r := &rep.Results[i]
		if r.Status == drift.Unknown && r.Address != "" {
			u[r.Type] = append(u[r.Type], r)
		}
	}
	return u
}

// mayBe names a declared resource of unknown status that the unmanaged
// resource may be: one with its ID, or one of its type whose ID is not
// known. "" for none.
func (u unknownResources) mayBe(res *drift.Result) string {
	for _, r := range u[res.Type] {
		if r.ID == "" || r.LiveID() == res.LiveID() {
			return r.Address
		}
	}
	return ""
}

// readProblem says why the scan's reads of res's type and region cannot be
// trusted to show that res is missing: an error reading the type there, or
// a resource of the type there whose status is unknown. "" when there is
// none.
func (u unknownResources) readProblem(rep *drift.Report, res *drift.Result) string {
	for _, e := range rep.Errors {
		if e.Type == res.Type && sameRegion(e.Region, res.Region) {
			op := ""
			if e.Operation != "" {
				op = " (" + e.Operation + ")"
			}
			return "reading " + res.Type + " in " + e.Region + " failed" + op + "; rerun when the read succeeds"
		}
	}
	for _, r := range u[res.Type] {
		if sameRegion(r.Region, res.Region) {
			return r.Address + ", of the same type, has an unknown status; rerun when the read succeeds"
		}
	}
	return ""
}

// sameRegion reports whether two regions may be the same read's: global
// types' errors are in "global", and an empty region is any.
func sameRegion(a, b string) bool {
	return a == b || a == "" || b == "" || a == "global" || b == "global"
}

// resultAddress is a result's address, or TYPE/ID for an unmanaged one.
func resultAddress(res *drift.Result) string {
	if res.Address != "" {
		return res.Address
	}
	return res.Type + "/" + res.ID
}

func targeted(addr string, targets []string) bool {
	if len(targets) == 0 {
		return true
	}
	for _, t := range targets {
		if addr == t || strings.HasPrefix(addr, t+"[") {
			return true
		}
	}
	return false
}

// topAttribute is the schema attribute a diff path starts with.
func topAttribute(s *providers.Schema, path string) *providers.Attribute {
	name := path
	if i := strings.IndexAny(name, ".["); i >= 0 {
		name = name[:i]
	}
	return s.Attributes[name]
}

// changedAttributes are the top-level attributes an update changes.
func (c *Change) changedAttributes() []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range c.Attributes {
		name := a.Path
		if i := strings.IndexAny(name, ".["); i >= 0 {
			name = name[:i]
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// fingerprint is a short hash of a value, "" for none.
func fingerprint(v cty.Value) string {
	if v == cty.NilVal || v.IsNull() {
		return ""
	}
	if !v.IsWhollyKnown() {
		return "unknown"
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return "unencodable"
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

// Summary counts the plan's changes: "2 to add, 1 to change, 1 to
// replace, 0 to destroy".
func (p *Plan) Summary() string {
	n := map[Action]int{}
	for _, c := range p.Changes {
		if c.Blocked == "" {
			n[c.Action]++
		}
	}
	return fmt.Sprintf("%d to add, %d to change, %d to replace, %d to destroy", n[Create], n[Update], n[Replace], n[Delete])
}

// Empty reports whether the plan changes nothing.
func (p *Plan) Empty() bool {
	for _, c := range p.Changes {
		if c.Blocked == "" {
			return false
		}
	}
	return true
}
