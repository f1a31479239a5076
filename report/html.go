package report

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"

	"github.com/hashicorp/hcl/v2"

	"github.com/gitdrift/driftctl/drift"
)

//go:embed html.tmpl
var htmlTemplateText string

//go:embed html.js
var htmlScript string

// htmlTemplate is the page's template, parsed once (html/template
// executes concurrently): a mistake in it fails at start, in every test.
var htmlTemplate = template.Must(template.New("report").Parse(htmlTemplateText))

// HTML writes r as one self-contained HTML page: no external asset (the
// style and the script are inline, and the page's Content-Security-Policy
// forbids loading anything and runs no script but its own), a summary,
// and a table of every resource with its attribute diffs, which the page
// filters by status and by text. The filter is also read from the
// address: "#status=drifted&q=web" (or "?status=...&q=...") opens the page
// filtered.
//
// Everything is escaped by html/template: a tag value, a file name or a
// commit message holding markup shows as text. Sensitive values print as
// (sensitive).
func HTML(w io.Writer, r *drift.Report, opts Options) error {
	if err := htmlTemplate.Execute(w, htmlPageOf(r, opts)); err != nil {
		return fmt.Errorf("writing the HTML report: %w", err)
	}
	return nil
}

// htmlPage is what the template shows.
type htmlPage struct {
	Stack, Outcome, OutcomeClass string
	Commit                       *htmlCommit
	StartedAt                    string
	Duration                     string
	Counts                       []htmlCount
	Total                        int
	Coverage                     string
	Errors                       []string
	Results                      []htmlResult
	Script                       template.JS
	// ScriptHash is the script's CSP source ('sha256-...').
	ScriptHash string
}

type htmlCommit struct {
	SHA, Short, URL, Author, Ref, Path, Message string
	Dirty                                       bool
}

type htmlCount struct {
	Status  string
	Title   string
	Count   int
	Failing bool
}

type htmlResult struct {
	Status, Title, Name, Type, ID, Region, Reason string
	Decl                                          htmlWhere
	Diffs                                         []htmlDiff
}

type htmlDiff struct {
	Path, Want, Got string
	Where           htmlWhere
}

// htmlWhere is a file:line, with the line's web address when there is one.
type htmlWhere struct{ Text, URL string }

func htmlWhereOf(c *drift.Commit, rg *hcl.Range) htmlWhere {
	return htmlWhere{Text: where(rg), URL: lineURL(c, rg)}
}

func htmlPageOf(r *drift.Report, opts Options) htmlPage {
	failOn := opts.failOn()
	o := outcome(r, failOn)
	p := htmlPage{Stack: r.Stack, Outcome: o, Script: template.JS(htmlScript)}
	sum := sha256.Sum256([]byte(htmlScript))
	p.ScriptHash = "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	switch o {
	case "no drift":
		p.OutcomeClass = "ok"
	case "drift found":
		p.OutcomeClass = "bad"
	default:
		p.OutcomeClass = "warn"
	}
	if c := r.Commit; c != nil {
		p.Commit = &htmlCommit{SHA: c.SHA, Short: shortSHA(c.SHA), URL: commitURL(c), Author: c.Author, Ref: c.Ref,
			Path: c.Path, Message: c.Message, Dirty: c.Dirty}
	}
	if !r.StartedAt.IsZero() {
		p.StartedAt = r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	if r.Duration > 0 {
		p.Duration = fmt.Sprintf("%.1f s", r.Duration.Seconds())
	}
	s := r.Summary()
	p.Total, p.Coverage = s.Total, fmt.Sprintf("%.1f%%", s.Coverage*100)
	for _, st := range drift.Statuses {
		n := s.Of(st)
		p.Counts = append(p.Counts, htmlCount{Status: string(st), Title: statusTitles[st], Count: n, Failing: failOn[st] && n > 0})
	}
	for _, e := range r.Errors {
		p.Errors = append(p.Errors, errorText(e))
	}
	for _, res := range sortedResults(r.Results) {
		hr := htmlResult{Status: string(res.Status), Title: statusTitles[res.Status], Name: caseName(res), Type: res.Type,
			ID: res.ID, Region: res.Region, Reason: res.Reason, Decl: htmlWhereOf(r.Commit, &res.DeclRange)}
		for _, d := range res.Diffs {
			want, got := diffValues(d)
			hr.Diffs = append(hr.Diffs, htmlDiff{Path: d.Path, Want: want, Got: got, Where: htmlWhereOf(r.Commit, d.Range)})
		}
		p.Results = append(p.Results, hr)
	}
	return p
}
