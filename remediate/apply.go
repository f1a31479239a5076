package remediate

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/providers"
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
type Rescan func(ctx context.Context, created map[string]string) (*drift.Session, error)

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
	if err := checkFresh(plan, sess.Report, opts.Schemas); err != nil {
		sess.Close()
		return nil, err
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
		if results.failed && !opts.ContinueOnError {
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
	a.verify(ctx, rescan)
	return a.list(), nil
}

type applier struct {
	plan     *Plan
	opts     ApplyOptions
	mu       sync.Mutex
	outcomes map[string]*Outcome
	created  map[string]string
	failed   map[string]bool
}

// ready lists the pending changes none of whose references is pending or
// failed; those that depend on a failed change are finished as not
// attempted.
func (a *applier) ready(pending map[string]*Change) []*Change {
	var ready []*Change
	for _, c := range sortedChanges(pending) {
		waits := false
		for _, ref := range c.References {
			for key := range pending {
				if key != c.key() && (key == ref || strings.HasPrefix(key, ref+"[")) {
					waits = true
				}
			}
			for key := range a.failed {
				if key == ref || strings.HasPrefix(key, ref+"[") {
					a.finish(c, NotAttempted, "it depends on "+key+", whose change failed", "")
					delete(pending, c.key())
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

type waveResult struct{ failed bool }

// wave makes changes concurrently, at most Concurrency at once.
func (a *applier) wave(ctx context.Context, sess *drift.Session, changes []*Change) waveResult {
	sem := make(chan struct{}, a.opts.Concurrency)
	var wg sync.WaitGroup
	var mu sync.Mutex
	res := waveResult{}
	for _, c := range changes {
		wg.Add(1)
		sem <- struct{}{}
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
func (a *applier) change(ctx context.Context, sess *drift.Session, c *Change) (string, error) {
	res := findResult(sess.Report, c)
	if res == nil {
		return "", fmt.Errorf("%s is no longer in the scan", c.Address)
	}
	p, ok := sess.Provider(c.Provider)
	if !ok {
		return "", fmt.Errorf("provider %s is not configured", c.Provider)
	}
	if c.Action != Delete && !res.Desired.IsWhollyKnown() {
		return "", fmt.Errorf("its configuration is not known yet (it refers to %s)", strings.Join(c.References, ", "))
	}
	del := providers.ApplyRequest{Type: c.Type, Kind: providers.Delete, ID: res.ID, Live: res.Live}
	switch c.Action {
	case Update:
		_, err := p.Apply(ctx, providers.ApplyRequest{Type: c.Type, Kind: providers.Update, ID: res.ID, Desired: res.Desired, Live: res.Live, Changed: c.changedAttributes()})
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
		resp, err := p.Apply(ctx, providers.ApplyRequest{Type: c.Type, Kind: providers.Create, Desired: res.Desired})
		if err != nil {
			return "", err
		}
		a.mu.Lock()
		a.created[c.Address] = resp.ID
		a.mu.Unlock()
		return resp.ID, nil
	}
	return "", fmt.Errorf("unknown action %q", c.Action)
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

func (a *applier) record(c *Change, result, errText, newID string) {
	_ = a.opts.Audit.Record(Entry{
		Stack: a.plan.Stack, Commit: a.plan.Commit, Address: c.Address, Type: c.Type, ID: c.ID,
		Action: c.Action.Name(), Attributes: entryAttributes(c), Result: result, Error: errText, NewID: newID,
	})
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
			if findResult(rep, &o.Change) == nil {
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
func checkFresh(plan *Plan, rep *drift.Report, schemas SchemaFunc) error {
	fresh := NewPlan(rep, schemas, plan.Options)
	var reasons []string
	if fresh.Commit != plan.Commit {
		reasons = append(reasons, fmt.Sprintf("the plan was made from commit %q, the desired state is now at %q", short(plan.Commit), short(fresh.Commit)))
	}
	now := map[string]*Change{}
	for i := range fresh.Changes {
		now[fresh.Changes[i].key()] = &fresh.Changes[i]
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
		}
		delete(now, c.key())
	}
	for _, c := range sortedChanges(now) {
		reasons = append(reasons, c.Address+" needs a change the plan does not have")
	}
	if len(reasons) > 0 {
		return &StaleError{Reasons: reasons}
	}
	return nil
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
