package report

import (
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/gitdrift/driftctl/drift"
)

// MarkdownLimit is the most bytes Markdown writes: GitHub refuses a
// comment longer than 65,536 characters, and a byte is never less than a
// character; the margin leaves room for a bot's own header.
const MarkdownLimit = 60000

// markdownValueLimit is the most bytes of one value in a table cell: one
// large policy document must not take the whole comment.
const markdownValueLimit = 1000

// markdownDiffLimit is the most attribute rows of one resource: a
// resource with hundreds of drifted attributes must not hide the others.
const markdownDiffLimit = 50

// Markdown writes r as a pull-request comment in GitHub Flavored Markdown:
// a header with the stack, the commit and the outcome, a table of counts
// per status, the scan's errors, then one collapsible <details> section
// per drifted, missing, unmanaged or unknown resource, with a want/got
// table of its attributes and where each is written (a link to the line
// at the commit for an https GitHub or GitLab repository).
//
// Everything that comes from the configuration or the cloud is escaped:
// a value cannot end a table cell, open a link or mention someone. Sensitive
// values print as (sensitive). The output never exceeds MarkdownLimit
// bytes: the resources that do not fit are left out and a last line says
// how many.
func Markdown(w io.Writer, r *drift.Report, opts Options) error {
	var head strings.Builder
	markdownHeader(&head, r, opts.failOn())

	var sections []string
	for _, res := range sortedResults(r.Results) {
		if reported(res.Status) {
			sections = append(sections, markdownSection(r.Commit, res))
		}
	}
	// Room for the note on what was left out, however many that is.
	const noteRoom = 200
	var b strings.Builder
	b.WriteString(head.String())
	shown := 0
	for i, s := range sections {
		room := MarkdownLimit - b.Len()
		if i < len(sections)-1 {
			room -= noteRoom
		}
		if len(s) > room {
			break
		}
		b.WriteString(s)
		shown++
	}
	if left := len(sections) - shown; left > 0 {
		fmt.Fprintf(&b, "\n> **%d more %s not shown**: this comment is kept under GitHub's size limit. The JSON or HTML report lists them all.\n", left, plural(left, "resource", "resources"))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing the Markdown report: %w", err)
	}
	return nil
}

// statusTitles are the statuses as the Markdown and HTML reports name them.
var statusTitles = map[drift.Status]string{
	drift.Drifted: "Drifted", drift.Missing: "Missing", drift.Unmanaged: "Unmanaged",
	drift.Unknown: "Unknown", drift.Ignored: "Ignored", drift.InSync: "In sync",
}

func outcomeIcon(o string) string {
	switch o {
	case "no drift":
		return "✅"
	case "drift found":
		return "❌"
	}
	return "⚠️"
}

func markdownHeader(b *strings.Builder, r *drift.Report, failOn map[drift.Status]bool) {
	o := outcome(r, failOn)
	stack := ""
	if r.Stack != "" {
		stack = " " + mdCode(r.Stack)
	}
	fmt.Fprintf(b, "### %s driftctl%s: %s\n\n", outcomeIcon(o), stack, o)
	if c := r.Commit; c != nil {
		sha := mdCode(shortSHA(c.SHA))
		if u := commitURL(c); u != "" {
			sha = mdLink(u, sha)
		}
		fmt.Fprintf(b, "Commit %s", sha)
		if c.Author != "" {
			fmt.Fprintf(b, " by %s", mdText(c.Author))
		}
		if c.Ref != "" {
			fmt.Fprintf(b, " on %s", mdCode(c.Ref))
		}
		if c.Path != "" {
			fmt.Fprintf(b, ", path %s", mdCode(c.Path))
		}
		if c.Dirty {
			b.WriteString(" (working tree with uncommitted changes)")
		}
		b.WriteString("\n\n")
	}
	s := r.Summary()
	b.WriteString("| Status | Resources |\n|---|---:|\n")
	for _, st := range drift.Statuses {
		mark := ""
		if failOn[st] && s.Of(st) > 0 {
			mark = " ❌"
		}
		fmt.Fprintf(b, "| %s%s | %d |\n", statusTitles[st], mark, s.Of(st))
	}
	fmt.Fprintf(b, "| **Total** | **%d** |\n\nCoverage %.1f%%", s.Total, s.Coverage*100)
	if r.Duration > 0 {
		fmt.Fprintf(b, ", scanned in %.1f s", r.Duration.Seconds())
	}
	b.WriteString(".\n")
	if len(r.Errors) > 0 {
		const most = 20
		fmt.Fprintf(b, "\n**%d %s** (the results are partial):\n\n", len(r.Errors), plural(len(r.Errors), "error", "errors"))
		for i, e := range r.Errors {
			if i == most {
				fmt.Fprintf(b, "- and %d more\n", len(r.Errors)-most)
				break
			}
			fmt.Fprintf(b, "- %s\n", mdCode(shorten(errorText(e), markdownValueLimit)))
		}
	}
	b.WriteString("\n")
}

func plural(n int, one, more string) string {
	if n == 1 {
		return one
	}
	return more
}

// markdownSection is one resource's <details> block.
func markdownSection(c *drift.Commit, res *drift.Result) string {
	var b strings.Builder
	summary := fmt.Sprintf("<b>%s</b> %s", statusTitles[res.Status], mdCode(resourceName(res)))
	if res.Address != "" && res.ID != "" {
		summary += " " + mdCode(res.ID)
	}
	if n := len(res.Diffs); n > 0 {
		summary += fmt.Sprintf(" (%d %s)", n, plural(n, "attribute", "attributes"))
	}
	fmt.Fprintf(&b, "<details><summary>%s</summary>\n\n", summary)
	var facts []string
	if res.Region != "" {
		facts = append(facts, "region "+mdCode(res.Region))
	}
	if res.Account != "" {
		facts = append(facts, "account "+mdCode(res.Account))
	}
	if res.DeclRange.Filename != "" {
		facts = append(facts, "declared at "+mdWhere(c, &res.DeclRange))
	}
	if res.Reason != "" {
		facts = append(facts, "reason: "+mdCode(shorten(res.Reason, markdownValueLimit)))
	}
	switch res.Status {
	case drift.Missing:
		facts = append(facts, "not found in the cloud")
	case drift.Unmanaged:
		facts = append(facts, "in the cloud, not in the configuration")
	}
	if len(facts) > 0 {
		b.WriteString(strings.Join(facts, ", ") + ".\n\n")
	}
	if len(res.Diffs) > 0 {
		b.WriteString("| Attribute | Want | Got | Where |\n|---|---|---|---|\n")
		for i, d := range res.Diffs {
			if i == markdownDiffLimit {
				n := len(res.Diffs) - i
				fmt.Fprintf(&b, "| %d more %s | | | |\n", n, plural(n, "attribute", "attributes"))
				break
			}
			want, got := diffValues(d)
			loc := mdWhere(c, d.Range)
			if loc == "" {
				loc = "not in the configuration"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCode(d.Path),
				mdCode(shorten(want, markdownValueLimit)), mdCode(shorten(got, markdownValueLimit)), loc)
		}
		b.WriteString("\n")
	}
	b.WriteString("</details>\n\n")
	return b.String()
}

// mdWhere is "file:line" of a range, a link to the line when the
// repository has a web view; "" without a range.
func mdWhere(c *drift.Commit, rg *hcl.Range) string {
	text := where(rg)
	if text == "" {
		return ""
	}
	if u := lineURL(c, rg); u != "" {
		return mdLink(u, mdCode(text))
	}
	return mdCode(text)
}

// mdText escapes s for Markdown text that does not start a line, in a
// table cell or not: every character GitHub Flavored Markdown or HTML gives
// a meaning to inside a line (emphasis, code, links, tables, strikethrough,
// HTML, entities, mentions, issue references, emoji, math) is written as a
// numeric character reference, which renders as itself and is never
// markup; control characters are escaped as the console escapes them.
func mdText(s string) string {
	s = clean(s)
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 && strings.ContainsRune("\\`*_[]<>|~&@#:$", r) {
			fmt.Fprintf(&b, "&#%d;", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdCode is s as inline code: GitHub neither links nor mentions inside it.
// It is HTML (<code>) rather than backticks, which a value could close.
func mdCode(s string) string { return "<code>" + mdText(s) + "</code>" }

// mdLink links text (Markdown already) to the address u, which the caller
// built from escaped parts.
func mdLink(u, text string) string {
	return `<a href="` + html.EscapeString(u) + `">` + text + "</a>"
}
