package config

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// MaxDiagnosticsShown is how many errors, and how many warnings, are
// printed at most: a file of random bytes has thousands of errors, and the
// first few say what is wrong.
const MaxDiagnosticsShown = 20

// LimitDiagnostics keeps the first max errors and the first max warnings
// of diags, in their order, and counts those left out.
func LimitDiagnostics(diags hcl.Diagnostics, max int) (shown hcl.Diagnostics, moreErrors, moreWarnings int) {
	errs, warns := 0, 0
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			if errs++; errs > max {
				moreErrors++
				continue
			}
		} else {
			if warns++; warns > max {
				moreWarnings++
				continue
			}
		}
		shown = append(shown, d)
	}
	return shown, moreErrors, moreWarnings
}

// MoreDiagnostics is the line that says how many diagnostics were left
// out; "" when none was.
func MoreDiagnostics(moreErrors, moreWarnings int) string {
	var parts []string
	if moreErrors > 0 {
		parts = append(parts, plural(moreErrors, "more error"))
	}
	if moreWarnings > 0 {
		parts = append(parts, plural(moreWarnings, "more warning"))
	}
	if len(parts) == 0 {
		return ""
	}
	return "And " + strings.Join(parts, " and ") + " not shown."
}

func plural(n int, what string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// DiagnosticWriter prints diagnostics as hcl's DiagnosticTextWriter does
// (severity, summary, "on FILE line N, in BLOCK:", the source lines with
// the subject highlighted, the detail wrapped), but finds a file's lines
// once, not once per diagnostic: hcl's writer scans the whole file for
// each, which makes a file with thousands of errors take minutes.
type DiagnosticWriter struct {
	w     io.Writer
	files map[string]*hcl.File
	width int
	color bool
	lines map[string][]int // line start offsets by file
}

// NewDiagnosticWriter writes to w, with source snippets from files (as
// Module.Files gives them), wrapping details at width (0: no wrapping).
func NewDiagnosticWriter(w io.Writer, files map[string]*hcl.File, width int, color bool) *DiagnosticWriter {
	return &DiagnosticWriter{w: w, files: files, width: width, color: color, lines: map[string][]int{}}
}

// WriteDiagnostics writes each diagnostic of diags.
func (dw *DiagnosticWriter) WriteDiagnostics(diags hcl.Diagnostics) error {
	for _, d := range diags {
		if err := dw.WriteDiagnostic(d); err != nil {
			return err
		}
	}
	return nil
}

// WriteDiagnostic writes one diagnostic.
func (dw *DiagnosticWriter) WriteDiagnostic(d *hcl.Diagnostic) error {
	var b bytes.Buffer
	severity, color, reset, highlight := "Warning", "", "", ""
	if d.Severity == hcl.DiagError {
		severity = "Error"
	}
	if dw.color {
		color, reset, highlight = "\x1b[33m", "\x1b[0m", "\x1b[1;4m"
		if d.Severity == hcl.DiagError {
			color = "\x1b[31m"
		}
	}
	fmt.Fprintf(&b, "%s%s%s: %s\n\n", color, severity, reset, d.Summary)
	if d.Subject != nil {
		dw.snippet(&b, d, highlight, reset)
		dw.values(&b, d)
	}
	if d.Detail != "" {
		b.WriteString(wrap(d.Detail, dw.width))
		b.WriteString("\n\n")
	}
	_, err := dw.w.Write(b.Bytes())
	return err
}

func (dw *DiagnosticWriter) snippet(b *bytes.Buffer, d *hcl.Diagnostic, highlight, reset string) {
	subject := *d.Subject
	f := dw.files[subject.Filename]
	if f == nil || f.Bytes == nil {
		fmt.Fprintf(b, "  on %s line %d:\n  (source code not available)\n\n", subject.Filename, subject.Start.Line)
		return
	}
	src := f.Bytes
	context := ""
	if nav, ok := f.Nav.(interface{ ContextString(int) string }); ok {
		if c := nav.ContextString(subject.Start.Byte); c != "" {
			context = ", in " + c
		}
	}
	fmt.Fprintf(b, "  on %s line %d%s:\n", subject.Filename, subject.Start.Line, context)
	snip := subject
	if d.Context != nil {
		snip = hcl.RangeOver(snip, *d.Context)
	}
	starts := dw.lineStarts(subject.Filename, src)
	first, last := max(snip.Start.Line, 1), min(snip.End.Line, len(starts))
	// A long range shows its first and last lines only.
	for line := first; line <= last; line++ {
		if last-first > 6 && line == first+3 {
			b.WriteString("   ...\n")
			line = last - 2
		}
		from := starts[line-1]
		to := len(src)
		if line < len(starts) {
			to = starts[line] - 1
		}
		text := bytes.TrimRight(src[from:max(from, to)], "\r")
		hs, he := clamp(subject.Start.Byte-from, len(text)), clamp(subject.End.Byte-from, len(text))
		pre, post := "", ""
		if len(text) > maxSnippetLine {
			text, hs, he, pre, post = snippetWindow(text, hs, he)
		}
		if highlight == "" || he <= hs {
			fmt.Fprintf(b, "%4d: %s%s%s\n", line, pre, text, post)
			continue
		}
		fmt.Fprintf(b, "%4d: %s%s%s%s%s%s%s\n", line, pre, text[:hs], highlight, text[hs:he], reset, text[he:], post)
	}
	b.WriteByte('\n')
}

func clamp(i, n int) int { return max(0, min(i, n)) }

// maxSnippetLine bounds the bytes of one source line in a snippet: a
// minified or hostile file can hold megabytes on one line, printed once
// per diagnostic.
const maxSnippetLine = 240

// snippetWindow cuts a long line to about maxSnippetLine bytes around the
// subject [hs, he) (itself cut when longer), on UTF-8 boundaries, and says
// with "…" at either end that it was cut. hs and he are returned relative
// to the window.
func snippetWindow(text []byte, hs, he int) (window []byte, whs, whe int, pre, post string) {
	start := max(0, hs-maxSnippetLine/4)
	end := min(len(text), start+maxSnippetLine)
	for start > 0 && !utf8.RuneStart(text[start]) {
		start--
	}
	for end < len(text) && !utf8.RuneStart(text[end]) {
		end--
	}
	if start > 0 {
		pre = "…"
	}
	if end < len(text) {
		post = "…"
	}
	return text[start:end], clamp(hs-start, end-start), clamp(he-start, end-start), pre, post
}

// lineStarts are the offsets where the lines of a file start, found once.
func (dw *DiagnosticWriter) lineStarts(name string, src []byte) []int {
	if s, ok := dw.lines[name]; ok {
		return s
	}
	s := []int{0}
	for i, c := range src {
		if c == '\n' {
			s = append(s, i+1)
		}
	}
	dw.lines[name] = s
	return s
}

// values says what the variables of the diagnostic's expression were, as
// hcl's writer does ("with var.x as "a""); sensitive (marked) values and
// unknown ones are not shown.
func (dw *DiagnosticWriter) values(b *bytes.Buffer, d *hcl.Diagnostic) {
	if d.Expression == nil || d.EvalContext == nil {
		return
	}
	seen := map[string]bool{}
	var stmts []string
	for _, t := range d.Expression.Variables() {
		v, diags := t.TraverseAbs(d.EvalContext)
		name := traversalString(t)
		if diags.HasErrors() || seen[name] || !v.IsKnown() || v.IsMarked() {
			continue
		}
		seen[name] = true
		if v.IsNull() {
			stmts = append(stmts, name+" set to null")
			continue
		}
		stmts = append(stmts, name+" as "+valueString(v))
	}
	if len(stmts) == 0 {
		return
	}
	sort.Strings(stmts)
	b.WriteString("with " + strings.Join(stmts, ",\n     ") + ".\n\n")
}

func traversalString(t hcl.Traversal) string {
	var b strings.Builder
	for _, step := range t {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			if s.Key.Type() == cty.String && s.Key.IsKnown() && !s.Key.IsMarked() {
				fmt.Fprintf(&b, "[%q]", s.Key.AsString())
			} else if s.Key.Type() == cty.Number && s.Key.IsKnown() && !s.Key.IsMarked() {
				fmt.Fprintf(&b, "[%s]", s.Key.AsBigFloat().Text('f', -1))
			} else {
				b.WriteString("[...]")
			}
		}
	}
	return b.String()
}

// valueString is a short description of a value, never its whole
// content: a string is cut at 60 characters, a collection is its length.
func valueString(v cty.Value) string {
	if v.ContainsMarked() {
		return "(sensitive value)"
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		s := v.AsString()
		if len(s) > 60 {
			return fmt.Sprintf("%q (%d bytes)", s[:60]+"…", len(s))
		}
		return fmt.Sprintf("%q", s)
	case ty == cty.Number:
		return v.AsBigFloat().Text('g', 10)
	case ty == cty.Bool:
		return fmt.Sprint(v.True())
	case ty.IsObjectType():
		return plural(len(ty.AttributeTypes()), "object with attribute")
	case ty.IsCollectionType() || ty.IsTupleType():
		if !v.IsWhollyKnown() {
			return ty.FriendlyName()
		}
		return fmt.Sprintf("%s with %s", ty.FriendlyName(), plural(v.LengthInt(), "element"))
	}
	return ty.FriendlyName()
}

// wrap breaks s into lines of at most width characters at spaces; 0 is no
// limit. Lines already in s are kept.
func wrap(s string, width int) string {
	if width <= 0 {
		return s
	}
	var out strings.Builder
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			out.WriteByte('\n')
		}
		n := 0
		for j, word := range strings.Fields(line) {
			wl := len([]rune(word))
			if j > 0 {
				if n+1+wl > width {
					out.WriteByte('\n')
					n = 0
				} else {
					out.WriteByte(' ')
					n++
				}
			}
			out.WriteString(word)
			n += wl
		}
	}
	return out.String()
}
