// Package ignore reads .driftignore files and decides which resources, and
// which attributes of them, a scan reports as ignored.
//
// The syntax is snyk/driftctl's (pkg/filter/driftignore.go), so that files
// written for it keep working: one rule per line; blank lines and lines
// starting with # are skipped; a rule is TYPE.ID, where * matches any run
// of characters (dots too) and a backslash makes the next character
// literal (\. a dot inside an ID, \\ a backslash, \* a star); a rule
// starting with ! takes resources back (a later line wins over an earlier
// one); TYPE alone is every resource of the type; TYPE.ID.path.to.attr
// ignores that attribute's drift and what is below it, not the resource.
//
// Beyond snyk, a rule also matches a managed resource's Terraform address
// (aws_s3_bucket.logs, module.net.aws_subnet.private["a"]), which is what
// users of Terraform know; a resource whose ID is sensitive is matched by
// its address and its type only, never by the secret.
//
// Unlike snyk, which skips a line it cannot read, a malformed line is an
// error naming the file and line.
package ignore

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// FileName is the name of the ignore file at a stack's root.
const FileName = ".driftignore"

// Rule is one line of an ignore file.
type Rule struct {
	// File and Line say where the rule is written (Line is 1-based).
	File string
	Line int
	// Text is the line as written, without surrounding spaces.
	Text string
	// Negated is true for a rule starting with !: what it matches is not
	// ignored.
	Negated bool
	// pattern is the glob after the !, as tokens.
	pattern []token
}

// String is where the rule is and what it says: ".driftignore:3: aws_s3_bucket.logs-*".
func (r Rule) String() string { return fmt.Sprintf("%s:%d: %s", r.File, r.Line, r.Text) }

// token is one element of a pattern: a literal character or a star.
type token struct {
	star bool
	r    rune
}

// Rules are an ignore file's rules, in the file's order. The zero value
// (or nil) ignores nothing.
type Rules struct {
	list []Rule
}

// Len is the number of rules.
func (rs *Rules) Len() int {
	if rs == nil {
		return 0
	}
	return len(rs.list)
}

// LineError is a line that is not a rule.
type LineError struct {
	File    string
	Line    int
	Message string
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message) }

// Parse reads an ignore file; file is the name its rules and errors show.
// The first malformed line is a *LineError.
func Parse(file string, r io.Reader) (*Rules, error) {
	rs := &Rules{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if n == 1 {
			// Editors on Windows may start the file with a byte order mark.
			text = strings.TrimPrefix(text, "\ufeff")
		}
		text = strings.TrimSpace(text)
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		rule, err := parseRule(text)
		if err != nil {
			return nil, &LineError{File: file, Line: n, Message: fmt.Sprintf("%q: %s", text, err)}
		}
		rule.File, rule.Line = file, n
		rs.list = append(rs.list, rule)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	return rs, nil
}

// parseRule parses one rule: [!]PATTERN.
func parseRule(text string) (Rule, error) {
	r := Rule{Text: text}
	p := text
	if strings.HasPrefix(p, "!") {
		r.Negated, p = true, p[1:]
	}
	if p == "" {
		return r, fmt.Errorf("! needs a rule after it")
	}
	escaped := false
	segment := 0 // characters in the current dot-separated part
	first := true
	for _, c := range p {
		switch {
		case unicode.IsControl(c):
			return r, fmt.Errorf("control character %U", c)
		case escaped:
			r.pattern = append(r.pattern, token{r: c})
			escaped = false
			segment++
		case c == '\\':
			escaped = true
		case c == '*':
			// ** is * (snyk collapses them).
			if n := len(r.pattern); n == 0 || !r.pattern[n-1].star {
				r.pattern = append(r.pattern, token{star: true})
			}
			segment++
		case c == '.':
			if segment == 0 {
				return r, fmt.Errorf("an empty part before a dot (write \\. for a dot inside an ID)")
			}
			if first {
				if err := checkType(r.pattern); err != nil {
					return r, err
				}
				first = false
			}
			r.pattern = append(r.pattern, token{r: '.'})
			segment = 0
		default:
			r.pattern = append(r.pattern, token{r: c})
			segment++
		}
	}
	switch {
	case escaped:
		return r, fmt.Errorf("a backslash at the end escapes nothing (write \\\\ for a backslash)")
	case segment == 0:
		return r, fmt.Errorf("an empty part after the last dot")
	case first:
		if err := checkType(r.pattern); err != nil {
			return r, err
		}
	}
	return r, nil
}

// checkType rejects a first part that cannot be a resource type (nor the
// "module" of an address): letters, digits, _ and * only.
func checkType(pattern []token) error {
	for _, t := range pattern {
		if t.star || t.r == '_' || t.r >= 'a' && t.r <= 'z' || t.r >= 'A' && t.r <= 'Z' || t.r >= '0' && t.r <= '9' {
			continue
		}
		if t.r == '.' {
			break
		}
		return fmt.Errorf("%q cannot be in a resource type (TYPE.ID: write \\%c for it inside an ID)", t.r, t.r)
	}
	return nil
}

// match reports whether the pattern matches all of s.
func match(p []token, s string) bool {
	// Iterative glob with backtracking to the last star.
	rs := []rune(s)
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(rs) {
		switch {
		case pi < len(p) && !p[pi].star && p[pi].r == rs[si]:
			pi++
			si++
		case pi < len(p) && p[pi].star:
			starP, starS = pi, si
			pi++
		case starP >= 0:
			starS++
			pi, si = starP+1, starS
		default:
			return false
		}
	}
	for pi < len(p) && p[pi].star {
		pi++
	}
	return pi == len(p)
}

// Resource is what rules are matched against.
type Resource struct {
	Type string
	// ID is the cloud ID ("" when not known).
	ID string
	// Address is the Terraform address; "" for an unmanaged resource.
	Address string
	// IDSensitive: ID is a secret, and is never matched.
	IDSensitive bool
}

// subjects are the strings a whole-resource rule is matched against.
func (r Resource) subjects() []string {
	out := []string{r.Type}
	if r.ID != "" && !r.IDSensitive {
		out = append(out, r.Type+"."+r.ID)
	}
	if r.Address != "" {
		out = append(out, r.Address)
	}
	return out
}

// Ignored returns the rule that decides that the whole resource is
// ignored: the last rule that matches it, when that one is not negated.
// ok is false when the resource is not ignored.
func (rs *Rules) Ignored(res Resource) (Rule, bool) { return rs.AttributeIgnored(res, "") }

// AttributeIgnored returns the rule that decides that the drift of the
// attribute at path ("tags.Env", "ingress[0].port", as drift.Diff.Path)
// is ignored: the last rule that matches the resource, the attribute or
// one above it, when that one is not negated.
func (rs *Rules) AttributeIgnored(res Resource, path string) (Rule, bool) {
	last, found := rs.last(res, path)
	if !found || last.Negated {
		return Rule{}, false
	}
	return last, true
}

// last is the last rule that matches the resource, or, when path is not
// "", the resource or the attribute at path or one above it.
func (rs *Rules) last(res Resource, path string) (Rule, bool) {
	if rs == nil {
		return Rule{}, false
	}
	subjects := res.subjects()
	var attrs []string
	if path != "" {
		for _, prefix := range pathPrefixes(path) {
			if res.ID != "" && !res.IDSensitive {
				attrs = append(attrs, res.Type+"."+res.ID+"."+prefix)
			}
			if res.Address != "" {
				attrs = append(attrs, res.Address+"."+prefix)
			}
		}
	}
	for i := len(rs.list) - 1; i >= 0; i-- {
		r := rs.list[i]
		for _, s := range subjects {
			if match(r.pattern, s) {
				return r, true
			}
		}
		for _, s := range attrs {
			if match(r.pattern, s) {
				return r, true
			}
		}
	}
	return Rule{}, false
}

// pathPrefixes are an attribute path and those above it, in the form of
// drift.Diff.Path with list indices as parts ("ingress[0].port" is
// "ingress", "ingress.0", "ingress.0.port"; snyk writes indices as parts).
// Both spellings of an index are given.
func pathPrefixes(path string) []string {
	var out []string
	for i, c := range path {
		if c == '.' || c == '[' {
			if i > 0 {
				out = append(out, path[:i])
			}
		}
		if c == ']' {
			out = append(out, path[:i+1])
		}
	}
	if !strings.HasSuffix(path, "]") {
		out = append(out, path)
	}
	// snyk's spelling of indices: ingress.0.port.
	dotted := strings.NewReplacer("[", ".", "]", "").Replace(path)
	if dotted != path {
		parts := strings.Split(dotted, ".")
		for i := range parts {
			out = append(out, strings.Join(parts[:i+1], "."))
		}
	}
	return out
}

// Escape writes an ID as a rule's ID part that matches it alone: a
// backslash before each \, ., * and !, and before a leading #.
func Escape(id string) string {
	var b strings.Builder
	for _, c := range id {
		switch c {
		case '\\', '.', '*', '!', '#':
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}
