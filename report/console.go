package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/drift"
)

// ConsoleOptions are the settings of Console.
type ConsoleOptions struct {
	// Color adds ANSI colours. The caller decides: only on a terminal, and
	// not with --no-color, NO_COLOR or TERM=dumb.
	Color bool
	// Quiet prints only drift (drifted, missing, unmanaged), errors and the
	// summary.
	Quiet bool
}

// Widths of the console layout, in runes.
const (
	// inlineWidth is the longest "want → got" printed on the diff's line;
	// longer pairs go on lines of their own.
	inlineWidth = 100
	// valueWidth is the longest value printed whole on its own line;
	// longer ones are cut around their first difference.
	valueWidth = 160
	// contextBefore is how much of a long value is kept before its first
	// difference.
	contextBefore = 40
)

// ANSI escape sequences.
const (
	ansiReset   = "\x1b[0m"
	ansiBold    = "\x1b[1m"
	ansiDim     = "\x1b[2m"
	ansiRed     = "\x1b[31m"
	ansiGreen   = "\x1b[32m"
	ansiYellow  = "\x1b[33m"
	ansiMagenta = "\x1b[35m"
)

// statusStyle is how a status is listed: its heading, its symbol (as in
// terraform plan: ~ update, - gone, + new) and its colour.
var statusStyle = map[drift.Status]struct {
	heading, symbol, color string
}{
	drift.Drifted:   {"Drifted", "~", ansiYellow},
	drift.Missing:   {"Missing", "-", ansiRed},
	drift.Unmanaged: {"Unmanaged", "+", ansiGreen},
	drift.Unknown:   {"Unknown", "?", ansiMagenta},
	drift.Ignored:   {"Ignored", "#", ansiDim},
}

// Console writes r for people, in the manner of terraform plan: a header,
// the resources that are not in sync grouped by status in drift.Statuses
// order with their attribute diffs and the file:line each desired value is
// written at, the errors, and a summary. Resources in sync are only
// counted. Sensitive values print as (sensitive).
func Console(w io.Writer, r *drift.Report, opts ConsoleOptions) error {
	c := &console{w: w, color: opts.Color, now: r.StartedAt, accounts: severalAccounts(r.Providers)}
	if c.now.IsZero() {
		c.now = time.Now()
	}
	if !opts.Quiet {
		c.header(r)
	}
	groups := map[drift.Status][]*drift.Result{}
	for _, res := range sortedResults(r.Results) {
		groups[res.Status] = append(groups[res.Status], res)
	}
	for _, st := range drift.Statuses {
		style, listed := statusStyle[st]
		if !listed || len(groups[st]) == 0 || (opts.Quiet && !st.IsDrift()) {
			continue
		}
		c.blank()
		c.printf("%s\n", c.paint(ansiBold, fmt.Sprintf("%s (%d):", style.heading, len(groups[st]))))
		for _, res := range groups[st] {
			c.result(res, style.symbol, style.color)
		}
	}
	if len(r.Errors) > 0 {
		c.blank()
		c.printf("%s\n", c.paint(ansiBold, fmt.Sprintf("Errors (%d):", len(r.Errors))))
		for _, e := range r.Errors {
			c.printf("  %s %s\n", c.paint(ansiRed, "!"), errorText(e))
		}
	}
	if len(r.Withheld) > 0 {
		c.blank()
		c.printf("%s\n", c.paint(ansiBold, fmt.Sprintf("Unmanaged resources not reported (%d types):", len(r.Withheld))))
		for _, w := range r.Withheld {
			c.printf("  %s %s (%s): %s\n", c.paint(ansiYellow, "?"), w.Type, w.Provider, w.Reason)
		}
	}
	s := r.Summary()
	switch {
	case s.Drifted+s.Missing+s.Unmanaged > 0 || len(r.Errors) > 0:
	case s.Unknown > 0:
		// Never a clean bill of health for what could not be checked.
		c.blank()
		c.printf("%s\n", c.paint(ansiYellow, fmt.Sprintf("No drift detected among the resources checked; %d could not be checked (unknown).", s.Unknown)))
	default:
		c.blank()
		c.printf("%s\n", c.paint(ansiGreen, "No drift detected."))
	}
	c.blank()
	c.printf("%s\n", summaryText(s, len(r.Errors)))
	return c.err
}

// console writes through w, keeping the first write error.
type console struct {
	w     io.Writer
	color bool
	// now is when ages ("3 days ago") are counted from: the scan's start,
	// so the same report always prints the same.
	now time.Time
	// accounts is true when the scan read more than one account: an
	// unmanaged resource's line names its account.
	accounts bool
	wrote    bool
	err      error
}

func (c *console) printf(format string, args ...any) {
	if c.err != nil {
		return
	}
	c.wrote = true
	_, c.err = fmt.Fprintf(c.w, format, args...)
}

// blank separates blocks with an empty line, except at the start.
func (c *console) blank() {
	if c.wrote {
		c.printf("\n")
	}
}

// paint wraps s in an ANSI style when colours are on.
func (c *console) paint(style, s string) string {
	if !c.color {
		return s
	}
	return style + s + ansiReset
}

func (c *console) header(r *drift.Report) {
	var b strings.Builder
	b.WriteString("Drift report")
	if r.Stack != "" {
		fmt.Fprintf(&b, " for stack %s", clean(r.Stack))
	}
	if r.Commit != nil && r.Commit.SHA != "" {
		fmt.Fprintf(&b, " at commit %s", clean(shortSHA(r.Commit.SHA)))
		if r.Commit.Ref != "" {
			fmt.Fprintf(&b, " (%s)", clean(r.Commit.Ref))
		}
	}
	c.printf("%s\n", c.paint(ansiBold, b.String()))
	if cm := r.Commit; cm != nil && cm.SHA != "" {
		var d strings.Builder
		if cm.Repository != "" {
			fmt.Fprintf(&d, "%s", clean(cm.Repository))
			if cm.Path != "" {
				fmt.Fprintf(&d, " %s", clean(cm.Path))
			}
			d.WriteString(": ")
		}
		if subject, _, _ := strings.Cut(cm.Message, "\n"); subject != "" {
			fmt.Fprintf(&d, "%q ", clean(subject))
		}
		if cm.Author != "" {
			fmt.Fprintf(&d, "by %s", clean(cm.Author))
		}
		if !cm.Time.IsZero() {
			fmt.Fprintf(&d, ", %s", age(cm.Time, c.now))
		}
		if text := strings.TrimSpace(d.String()); text != "" {
			c.printf("%s\n", c.paint(ansiDim, text))
		}
		if cm.Dirty {
			c.printf("%s\n", c.paint(ansiYellow, "The working tree differs from this commit: the files scanned are the working tree's."))
		}
	}
}

// severalAccounts reports whether providers read more than one known
// account.
func severalAccounts(providers []drift.ProviderInfo) bool {
	first := ""
	for _, p := range providers {
		switch {
		case p.Account == "":
		case first == "":
			first = p.Account
		case p.Account != first:
			return true
		}
	}
	return false
}

func (c *console) result(res *drift.Result, symbol, color string) {
	name := res.Address
	if name == "" {
		name = res.Type // unmanaged resources have no address
	}
	line := "  " + c.paint(color, symbol) + " " + c.paint(ansiBold, clean(name))
	switch {
	case res.IDSensitive:
		line += " " + drift.SensitiveID
	case res.ID != "":
		line += " (" + clean(res.ID) + ")"
	}
	if res.Status == drift.Unmanaged && res.Region != "" {
		line += " in " + clean(res.Region)
	}
	if res.Status == drift.Unmanaged && c.accounts && res.Account != "" {
		line += " of account " + clean(res.Account)
	}
	c.printf("%s\n", line)
	if res.Reason != "" {
		c.printf("      %s\n", c.paint(ansiDim, "reason: "+clean(res.Reason)))
	}
	for _, d := range res.Diffs {
		c.diff(d, color)
	}
}

func (c *console) diff(d drift.Diff, color string) {
	want, got := diffValues(d)
	at := ""
	if loc := clean(where(d.Range)); loc != "" {
		if b := d.Blame; b != nil {
			// Who last wrote the line: main.tf:12 (a1b2c3d, Jane Doe, 3 days ago).
			who := "not committed yet"
			if b.SHA != "" {
				who = fmt.Sprintf("%s, %s, %s", clean(shortSHA(b.SHA)), clean(b.Author), age(b.Time, c.now))
			}
			at = "  " + c.paint(ansiDim, fmt.Sprintf("%s (%s)", loc, who))
		} else {
			at = "  " + c.paint(ansiDim, "("+loc+")")
		}
	}
	if d.Replace {
		// As terraform plan says it.
		at += " " + c.paint(ansiRed, "# forces replacement")
	}
	prefix := "      " + c.paint(color, "~") + " " + clean(d.Path)
	if added, removed, ok := setDelta(d); ok {
		// As terraform plan lists set elements: + is only live (someone
		// added it by hand), - is only in Git.
		c.printf("%s%s\n", prefix, at)
		for _, e := range removed {
			c.printf("          %s %s\n", c.paint(ansiRed, "-"), e)
		}
		for _, e := range added {
			c.printf("          %s %s\n", c.paint(ansiGreen, "+"), e)
		}
		return
	}
	if !d.Sensitive && d.Got.IsNull() != d.Want.IsNull() && isBlock(d.Want, d.Got) {
		// One element of a set of blocks (a security group rule) that
		// is only in Git (-) or only live (+).
		sign, text, paint := "+", got, ansiGreen
		if d.Got.IsNull() {
			sign, text, paint = "-", want, ansiRed
		}
		c.printf("      %s %s: %s%s\n", c.paint(paint, sign), clean(d.Path), text, at)
		return
	}
	if utf8.RuneCountInString(want)+utf8.RuneCountInString(got) <= inlineWidth {
		c.printf("%s: %s → %s%s\n", prefix, want, got, at)
		return
	}
	want, got = elidePair(want, got)
	c.printf("%s%s\n", prefix, at)
	c.printf("          want: %s\n", want)
	c.printf("           got: %s\n", got)
}

// isBlock reports whether a diff's values are block objects.
func isBlock(want, got cty.Value) bool {
	for _, v := range []cty.Value{want, got} {
		if v != cty.NilVal && v.Type().IsObjectType() {
			return true
		}
	}
	return false
}

// setDelta lists the elements of a set-valued diff that are only live
// (added) and only desired (removed), each sorted. ok is false unless both
// sides are known, non-null, non-sensitive sets.
func setDelta(d drift.Diff) (added, removed []string, ok bool) {
	isSet := func(v cty.Value) bool {
		return v != cty.NilVal && v.Type().IsSetType() && v.IsWhollyKnown() && !v.IsNull() && !v.ContainsMarked()
	}
	if d.Sensitive || !isSet(d.Want) || !isSet(d.Got) {
		return nil, nil, false
	}
	elements := func(v cty.Value) map[string]bool {
		m := map[string]bool{}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			m[formatValue(e)] = true
		}
		return m
	}
	want, got := elements(d.Want), elements(d.Got)
	for e := range got {
		if !want[e] {
			added = append(added, e)
		}
	}
	for e := range want {
		if !got[e] {
			removed = append(removed, e)
		}
	}
	slices.Sort(added)
	slices.Sort(removed)
	return added, removed, true
}

// elidePair shortens two long renderings to valueWidth runes each, keeping
// the same window of both around their first difference so that what
// differs stays visible (a policy document that differs in the middle).
func elidePair(a, b string) (string, string) {
	ra, rb := []rune(a), []rune(b)
	if len(ra) <= valueWidth && len(rb) <= valueWidth {
		return a, b
	}
	common := 0
	for common < len(ra) && common < len(rb) && ra[common] == rb[common] {
		common++
	}
	start := max(0, common-contextBefore)
	return window(ra, start), window(rb, start)
}

// window returns valueWidth runes of r from start, marking cuts with "…".
func window(r []rune, start int) string {
	if len(r) <= valueWidth {
		return string(r)
	}
	start = min(start, len(r)-valueWidth)
	end := start + valueWidth
	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	b.WriteString(string(r[start:end]))
	if end < len(r) {
		b.WriteString("…")
	}
	return b.String()
}

func errorText(e drift.Error) string {
	var b strings.Builder
	switch {
	case e.Operation != "":
		b.WriteString(clean(e.Operation))
	case e.Type != "":
		b.WriteString(clean(e.Type))
	default:
		b.WriteString("scan")
	}
	if e.Region != "" {
		b.WriteString(" in " + clean(e.Region))
	}
	if e.Operation != "" && e.Type != "" {
		b.WriteString(" (" + clean(e.Type) + ")")
	}
	b.WriteString(": " + clean(e.Message))
	return b.String()
}

func summaryText(s drift.Summary, errors int) string {
	noun := "resources"
	if s.Total == 1 {
		noun = "resource"
	}
	text := fmt.Sprintf("Summary: %d %s: %d in sync, %d drifted, %d missing, %d unmanaged, %d ignored, %d unknown; coverage %.1f%%",
		s.Total, noun, s.InSync, s.Drifted, s.Missing, s.Unmanaged, s.Ignored, s.Unknown, s.Coverage*100)
	switch {
	case errors == 1:
		text += "; 1 error"
	case errors > 1:
		text += fmt.Sprintf("; %d errors", errors)
	}
	return text
}

func shortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// clean escapes control characters in text that comes from configuration
// or from the cloud, so that it cannot move the cursor or change colours.
func clean(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case isControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// age says how long before now t was, as people say it: "5 minutes ago",
// "3 days ago".
func age(t, now time.Time) string {
	d := now.Sub(t)
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit + " ago"
		}
		return fmt.Sprintf("%d %ss ago", n, unit)
	}
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute")
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour")
	case d < 60*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day")
	case d < 2*365*24*time.Hour:
		return plural(int(d/(30*24*time.Hour)), "month")
	}
	return plural(int(d/(365*24*time.Hour)), "year")
}
