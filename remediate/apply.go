package remediate

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/scan"
	"github.com/zclconf/go-cty/cty"
)

// The results of an action.
const (
	Verified     = "applied and verified"
	StillDrifted = "applied but still drifted"
	Applied      = "applied"
	Failed       = "failed"
	NotAttempted = "not attempted"
	Blocked      = "blocked"
)

// Outcome is what became of one planned change.
type Outcome struct {
	Change Change
	Result string
	Error  string
	// NewID is the ID of a created (or recreated) resource.
	NewID string
}

// Rescan makes a new scan of the stack, matching the resources created so
// far by their new IDs (by address).
type Rescan func(ctx context.Context, created map[string]string) (*scan.Session, error)

// ApplyOptions shape an apply.
type ApplyOptions struct {
	// Concurrency bounds the changes made at once (default 4).
	Concurrency int
	// ContinueOnError goes on after a failed change with what does not
	// depend on it; by default the first failure stops the apply.
	ContinueOnError bool
	Audit           *AuditLog
	// Schemas finds resource schemas; as for NewPlan.
	Schemas SchemaFunc
}

// StaleError says that a saved plan no longer matches the cloud or Git.
type StaleError struct{ Reasons []string }

func (e *StaleError) Error() string {
	return "the plan is stale, make a new one: " + strings.Join(e.Reasons, "; ")
}

// Apply makes the plan's changes. It scans first and refuses a plan that
// the current live or desired state no longer matches; then it applies the
// changes in dependency order, in waves (a change waits for the changes of
// the resources its configuration refers to, and the stack is scanned
// again between waves so that it sees their new IDs), records each in the
// audit log, and scans a last time to verify each one.
func Apply(ctx context.Context, plan *Plan, rescan Rescan, opts ApplyOptions) ([]Outcome, error) {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	created := map[string]string{}
	sess, err := rescan(ctx, created)
	if err != nil {
		return nil, err
	}
	fresh, err := checkFresh(plan, sess.Report, opts.Schemas)
	if err != nil {
		sess.Close()
		return nil, err
	}
	// The plan matches the scan: take the attribute values (a saved plan
	// has them only for display) and references from the scan, so that the
	// audit log records what is changed, redacted as the scan says.
	for i := range plan.Changes {
		if f := fresh[plan.Changes[i].key()]; f != nil {
			plan.Changes[i].Attributes, plan.Changes[i].References = f.Attributes, f.References
		}
	}
	a := &applier{plan: plan, opts: opts, outcomes: map[string]*Outcome{}, created: created}
	pending := map[string]*Change{}
	for i := range plan.Changes {
		c := &plan.Changes[i]
		if c.Blocked != "" {
			a.finish(c, Blocked, c.Blocked, "")
			continue
		}
		pending[c.key()] = c
	}
	stopped := false
	for len(pending) > 0 && !stopped {
		ready := a.ready(pending)
		if len(ready) == 0 {
			break
		}
		results := a.wave(ctx, sess, ready)
		for _, c := range ready {
			delete(pending, c.key())
		}
		if results.failed && !opts.ContinueOnError || a.auditFailed() != nil {
			stopped = true
			break
		}
		if len(pending) > 0 {
			sess.Close()
			if sess, err = rescan(ctx, created); err != nil {
				for _, c := range pending {
					a.finish(c, NotAttempted, "the scan between changes failed: "+err.Error(), "")
				}
				return a.list(), err
			}
		}
	}
	sess.Close()
	for _, c := range sortedChanges(pending) {
		reason := "an earlier change failed"
		if !stopped {
			reason = "it depends on a change that was not made"
		}
		a.finish(c, NotAttempted, reason, "")
	}
	if err := a.auditFailed(); err != nil {
		// Without the audit log nothing more is done, not even the
		// verifying scan's records.
		return a.list(), fmt.Errorf("changes stopped: %w", err)
	}
	a.verify(ctx, rescan)
	return a.list(), a.auditFailed()
}

type applier struct {
	plan     *Plan
	opts     ApplyOptions
	mu       sync.Mutex
	outcomes map[string]*Outcome
	created  map[string]string
	// changeIDs tie each change's audit records together.
	changeIDs map[string]string
	// failed are the changes that failed or were not made because one
	// they depend on failed: what depends on them is not made either.
	failed map[string]bool
	// auditErr is the first failure to write the audit log; no change is
	// started after it.
	auditErr error
}

func (a *applier) auditFailed() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.auditErr
}

// ready lists the pending changes none of whose references is pending or
// failed; those that depend on a failed change are finished as not
// attempted.
func (a *applier) ready(pending map[string]*Change) []*Change {
	// A change that is not made because one it depends on failed makes
	// those that depend on it wait too: go round until nothing more is
	// left out.
	for again := true; again; {
		again = false
		for _, c := range sortedChanges(pending) {
			if key := a.failedReference(c); key != "" {
				a.finish(c, NotAttempted, "it depends on "+key+", whose change failed or was not made", "")
				delete(pending, c.key())
				if a.failed == nil {
					a.failed = map[string]bool{}
				}
				a.failed[c.key()] = true
				again = true
			}
		}
	}
	var ready []*Change
	for _, c := range sortedChanges(pending) {
		waits := false
		for _, ref := range c.References {
			for key := range pending {
				if key != c.key() && (key == ref || strings.HasPrefix(key, ref+"[")) {
					waits = true
				}
			}
		}
		if !waits {
			ready = append(ready, c)
		}
	}
	return ready
}

// failedReference is a failed (or not made) change that c depends on, ""
// for none.
func (a *applier) failedReference(c *Change) string {
	for _, ref := range c.References {
		for _, key := range slices.Sorted(maps.Keys(a.failed)) {
			if key == ref || strings.HasPrefix(key, ref+"[") {
				return key
			}
		}
	}
	return ""
}

type waveResult struct{ failed bool }

// wave makes changes concurrently, at most Concurrency at once.
func (a *applier) wave(ctx context.Context, sess *scan.Session, changes []*Change) waveResult {
	sem := make(chan struct{}, a.opts.Concurrency)
	var wg sync.WaitGroup
	var mu sync.Mutex
	res := waveResult{}
	for _, c := range changes {
		sem <- struct{}{}
		// The first failure stops the apply: what has not started yet is
		// not started, even in this wave.
		mu.Lock()
		stop := res.failed && !a.opts.ContinueOnError
		mu.Unlock()
		if stop || a.auditFailed() != nil {
			<-sem
			a.finish(c, NotAttempted, "an earlier change failed", "")
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			newID, err := a.change(ctx, sess, c)
			if err != nil {
				a.finish(c, Failed, err.Error(), newID)
				mu.Lock()
				res.failed = true
				if a.failed == nil {
					a.failed = map[string]bool{}
				}
				a.failed[c.key()] = true
				mu.Unlock()
				return
			}
			a.finish(c, Applied, "", newID)
		}()
	}
	wg.Wait()
	return res
}

// change makes one change with the values of the current scan.
func (a *applier) change(ctx context.Context, sess *scan.Session, c *Change) (string, error) {
	res := findResult(sess.Report, c)
	if res == nil {
		return "", fmt.Errorf("%s is no longer in the scan", c.Address)
	}
	p, ok := sess.Provider(c.Provider)
	if !ok {
		return "", fmt.Errorf("provider %s is not configured", c.Provider)
	}
	// The resource must still need the planned change: never touch one
	// whose status became unknown (a read failed), never create one that
	// is no longer missing.
	if want := statusFor(c.Action); res.Status != want {
		detail := ""
		if res.Reason != "" {
			detail = ": " + res.Reason
		}
		return "", fmt.Errorf("its status is now %s, not %s%s", res.Status, want, detail)
	}
	if c.Action != Delete && !res.DesiredValue().IsWhollyKnown() {
		return "", fmt.Errorf("its configuration is not known yet (it refers to %s)", strings.Join(c.References, ", "))
	}
	// The intent is on disk before the cloud is touched: a run killed
	// during the change leaves it without a result, for the next run to
	// report. No change is made that the log cannot record.
	if err := a.intent(c); err != nil {
		return "", err
	}
	if ir, ok := p.(providers.InstanceReader); ok && a.byInstance(c.Type) {
		return a.changeByPlan(ctx, ir, res, c)
	}
	// res.ID may be drift.SensitiveID: the cloud is given the real one.
	del := providers.ApplyRequest{Type: c.Type, Kind: providers.Delete, ID: res.LiveID(), Live: res.LiveValue()}
	switch c.Action {
	case Update:
		_, err := p.Apply(ctx, providers.ApplyRequest{Type: c.Type, Kind: providers.Update, ID: res.LiveID(), Desired: res.DesiredValue(), Live: res.LiveValue(), Changed: c.changedAttributes()})
		return "", err
	case Delete:
		_, err := p.Apply(ctx, del)
		return "", err
	case Replace:
		if _, err := p.Apply(ctx, del); err != nil {
			return "", fmt.Errorf("deleting before recreating: %w", err)
		}
		fallthrough
	case Create:
		resp, err := p.Apply(ctx, providers.ApplyRequest{Type: c.Type, Kind: providers.Create, Desired: res.DesiredValue()})
		if err != nil {
			return "", err
		}
		a.mu.Lock()
		a.created[c.Address] = resp.ID
		a.mu.Unlock()
		// What is printed and logged: never a sensitive value.
		return res.ShownID(resp.ID), nil
	}
	return "", fmt.Errorf("unknown action %q", c.Action)
}

// byInstance says whether typ is read (and changed) through a provider
// plugin.
func (a *applier) byInstance(typ string) bool {
	if a.opts.Schemas == nil {
		return false
	}
	s, ok := a.opts.Schemas(typ)
	return ok && s.ByInstance
}

// changeByPlan makes a change through a provider plugin, as terraform
// apply does: the provider plans from the live object toward the
// configuration and applies its own plan (a replace deletes, then plans
// and applies a create).
func (a *applier) changeByPlan(ctx context.Context, ir providers.InstanceReader, res *drift.Result, c *Change) (string, error) {
	live := &providers.Instance{Type: c.Type, State: res.LiveValue()}
	cfg := res.DesiredValue()
	switch c.Action {
	case Update:
		plan, err := ir.Plan(ctx, live, cfg)
		if err != nil {
			return "", err
		}
		if len(plan.RequiresReplace) > 0 {
			return "", fmt.Errorf("the provider now plans a replacement, not the update that was approved")
		}
		_, err = ir.ApplyPlan(ctx, live, plan, cfg)
		return "", err
	case Delete:
		_, err := ir.ApplyPlan(ctx, live, nil, cty.NilVal)
		return "", err
	case Replace:
		if _, err := ir.ApplyPlan(ctx, live, nil, cty.NilVal); err != nil {
			return "", fmt.Errorf("deleting before recreating: %w", err)
		}
		fallthrough
	case Create:
		none := &providers.Instance{Type: c.Type, State: cty.NilVal}
		plan, err := ir.Plan(ctx, none, cfg)
		if err != nil {
			return "", err
		}
		created, err := ir.ApplyPlan(ctx, none, plan, cfg)
		if err != nil {
			return "", err
		}
		id := ""
		if created != nil && created.State.Type().IsObjectType() && created.State.Type().HasAttribute("id") {
			if v := created.State.GetAttr("id"); v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
				id = v.AsString()
			}
		}
		if id == "" {
			return "", errors.New("the provider created it but returned no id")
		}
		a.mu.Lock()
		a.created[c.Address] = id
		a.mu.Unlock()
		return res.ShownID(id), nil
	}
	return "", fmt.Errorf("unknown action %q", c.Action)
}

// statusFor is the status of a resource that needs the action.
func statusFor(a Action) drift.Status {
	switch a {
	case Create:
		return drift.Missing
	case Delete:
		return drift.Unmanaged
	}
	return drift.Drifted
}

// findResult finds a change's resource in a scan.
func findResult(rep *drift.Report, c *Change) *drift.Result {
	for i := range rep.Results {
		if resultAddress(&rep.Results[i]) == c.Address {
			return &rep.Results[i]
		}
	}
	return nil
}

// finish records a change's outcome, in memory and in the audit log.
func (a *applier) finish(c *Change, result, detail, newID string) {
	o := &Outcome{Change: *c, Result: result, NewID: newID}
	if result != Applied {
		o.Error = detail
	}
	a.mu.Lock()
	a.outcomes[c.key()] = o
	a.mu.Unlock()
	a.record(c, result, o.Error, newID)
}

// changeID is the ID of c's audit records, made on first use.
func (a *applier) changeID(c *Change) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.changeIDs == nil {
		a.changeIDs = map[string]string{}
	}
	id, ok := a.changeIDs[c.key()]
	if !ok {
		id = newChangeID()
		a.changeIDs[c.key()] = id
	}
	return id
}

// intent records, synced, the change about to be made.
func (a *applier) intent(c *Change) error {
	err := a.opts.Audit.Record(Entry{
		Record: RecordIntent, ChangeID: a.changeID(c),
		Stack: a.plan.Stack, Commit: a.plan.Commit, Address: c.Address, Type: c.Type, ID: c.ID,
		Action: c.Action.Name(), Attributes: entryAttributes(c),
	})
	if err != nil {
		a.mu.Lock()
		if a.auditErr == nil {
			a.auditErr = err
		}
		a.mu.Unlock()
	}
	return err
}

func (a *applier) record(c *Change, result, errText, newID string) {
	err := a.opts.Audit.Record(Entry{
		Record: RecordResult, ChangeID: a.changeID(c),
		Stack: a.plan.Stack, Commit: a.plan.Commit, Address: c.Address, Type: c.Type, ID: c.ID,
		Action: c.Action.Name(), Attributes: entryAttributes(c), Result: result, Error: errText, NewID: newID,
	})
	if err != nil {
		a.mu.Lock()
		if a.auditErr == nil {
			a.auditErr = err
		}
		a.mu.Unlock()
	}
}

// verify scans again and says, for every applied change, whether the
// resource is now as Git declares.
func (a *applier) verify(ctx context.Context, rescan Rescan) {
	var applied []*Outcome
	for _, o := range a.outcomes {
		if o.Result == Applied {
			applied = append(applied, o)
		}
	}
	if len(applied) == 0 {
		return
	}
	sess, err := rescan(ctx, a.created)
	var rep *drift.Report
	if err == nil {
		rep = sess.Report
		defer sess.Close()
	}
	for _, o := range applied {
		result, detail := StillDrifted, ""
		switch {
		case err != nil:
			detail = "the verifying scan failed: " + err.Error()
		case o.Change.Action == Delete:
			switch {
			case readFailed(rep, &o.Change):
				detail = "the verifying scan could not read " + o.Change.Type
			case findResult(rep, &o.Change) == nil:
				result = Verified
			}
		default:
			if r := findResult(rep, &o.Change); r != nil && (r.Status == drift.InSync || r.Status == drift.Ignored) {
				result = Verified
			} else if r != nil {
				detail = "status after the change: " + string(r.Status)
			}
		}
		o.Result, o.Error = result, detail
		a.record(&o.Change, result, detail, o.NewID)
	}
}

// readFailed reports whether the scan failed to read the change's type in
// its region: a resource absent from such a scan may still exist.
func readFailed(rep *drift.Report, c *Change) bool {
	for _, e := range rep.Errors {
		if e.Type == c.Type && (e.Region == c.Region || c.Region == "" || e.Region == "" || c.Region == "global") {
			return true
		}
	}
	return false
}

func (a *applier) list() []Outcome {
	out := make([]Outcome, 0, len(a.outcomes))
	for _, o := range a.outcomes {
		out = append(out, *o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Change.Address < out[j].Change.Address })
	return out
}

func sortedChanges(m map[string]*Change) []*Change {
	out := make([]*Change, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out
}

// checkFresh refuses a plan when a new plan from the current scan differs:
// another commit, other changes, or resources whose live or desired values
// changed since.
func checkFresh(plan *Plan, rep *drift.Report, schemas SchemaFunc) (map[string]*Change, error) {
	fresh := NewPlan(rep, schemas, plan.Options)
	var reasons []string
	if fresh.Stack != plan.Stack {
		reasons = append(reasons, fmt.Sprintf("the plan was made for stack %q, not %q", plan.Stack, fresh.Stack))
	}
	if fresh.Commit != plan.Commit {
		reasons = append(reasons, fmt.Sprintf("the plan was made from commit %q, the desired state is now at %q", short(plan.Commit), short(fresh.Commit)))
	}
	now := map[string]*Change{}
	all := map[string]*Change{}
	for i := range fresh.Changes {
		now[fresh.Changes[i].key()] = &fresh.Changes[i]
		all[fresh.Changes[i].key()] = &fresh.Changes[i]
	}
	for i := range plan.Changes {
		c := &plan.Changes[i]
		f, ok := now[c.key()]
		switch {
		case !ok:
			reasons = append(reasons, c.Address+" no longer needs a change")
		case f.Action != c.Action:
			reasons = append(reasons, fmt.Sprintf("%s now needs %s, not %s", c.Address, f.Action.Name(), c.Action.Name()))
		case f.LiveFingerprint != c.LiveFingerprint:
			reasons = append(reasons, c.Address+" changed in the cloud since the plan was made")
		case f.DesiredFingerprint != c.DesiredFingerprint:
			reasons = append(reasons, c.Address+"'s configuration changed since the plan was made")
		case f.Type != c.Type || f.ID != c.ID || f.Provider != c.Provider || f.Region != c.Region:
			reasons = append(reasons, c.Address+" is now another resource than the plan's")
		case f.Blocked != c.Blocked:
			reasons = append(reasons, c.Address+"'s lifecycle changed since the plan was made")
		case !sameAttributes(f, c):
			reasons = append(reasons, c.Address+" now needs other attributes changed than the plan's (ignore_changes or sensitivity changed)")
		}
		delete(now, c.key())
	}
	for _, c := range sortedChanges(now) {
		reasons = append(reasons, c.Address+" needs a change the plan does not have")
	}
	if len(reasons) > 0 {
		return nil, &StaleError{Reasons: reasons}
	}
	return all, nil
}

// sameAttributes reports whether two changes change the same attribute
// paths, with the same sensitivity and ForceNew.
func sameAttributes(a, b *Change) bool {
	if len(a.Attributes) != len(b.Attributes) {
		return false
	}
	key := func(x AttributeChange) string { return fmt.Sprintf("%s|%t|%t", x.Path, x.Sensitive, x.ForceNew) }
	as, bs := make([]string, len(a.Attributes)), make([]string, len(b.Attributes))
	for i := range a.Attributes {
		as[i], bs[i] = key(a.Attributes[i]), key(b.Attributes[i])
	}
	sort.Strings(as)
	sort.Strings(bs)
	for i := range as {
		if as[i] != bs[i] {
			return false
		}
	}
	return true
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// ErrStale is matched by errors.Is for a StaleError.
var ErrStale = errors.New("stale plan")

// Is makes errors.Is(err, ErrStale) true.
func (e *StaleError) Is(target error) bool { return target == ErrStale }
