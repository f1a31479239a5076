package plugin

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// Severity of a provider's diagnostic.
type Severity int

// Severities, as the protocol has them.
const (
	SeverityError Severity = iota + 1
	SeverityWarning
)

// Diagnostic is a problem or warning a provider reported, at an attribute
// path when it names one.
type Diagnostic struct {
	Severity  Severity
	Summary   string
	Detail    string
	Attribute cty.Path
}

func (d Diagnostic) String() string {
	var b strings.Builder
	if p := formatPath(d.Attribute); p != "" {
		b.WriteString(p)
		b.WriteString(": ")
	}
	b.WriteString(d.Summary)
	if d.Detail != "" && d.Detail != d.Summary {
		b.WriteString(": ")
		b.WriteString(d.Detail)
	}
	return b.String()
}

// DiagnosticsError is a call that the provider answered with errors. It
// holds every diagnostic of the answer, warnings included.
type DiagnosticsError struct {
	Provider    string
	RPC         string
	Diagnostics []Diagnostic
}

func (e *DiagnosticsError) Error() string {
	var msgs []string
	for _, d := range e.Diagnostics {
		if d.Severity == SeverityError {
			msgs = append(msgs, d.String())
		}
	}
	return fmt.Sprintf("provider %s: %s: %s", e.Provider, e.RPC, strings.Join(msgs, "; "))
}

// diagnosticsErr is nil when diags hold no error.
func diagnosticsErr(provider, rpc string, diags []Diagnostic) error {
	for _, d := range diags {
		if d.Severity == SeverityError {
			return &DiagnosticsError{Provider: provider, RPC: rpc, Diagnostics: diags}
		}
	}
	return nil
}

// CallError is a call that did not get an answer: the process crashed or
// exited, the deadline passed, or the connection failed. Stderr holds the
// last lines the provider wrote to its standard error.
type CallError struct {
	Provider string
	RPC      string
	// Exited is true when the provider process is no longer running.
	Exited bool
	Stderr string
	Err    error
}

func (e *CallError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "provider %s: %s: ", e.Provider, e.RPC)
	if e.Exited {
		b.WriteString("the provider process exited: ")
	}
	b.WriteString(e.Err.Error())
	if e.Stderr != "" {
		b.WriteString("\nlast lines of its standard error:\n")
		b.WriteString(e.Stderr)
	}
	return b.String()
}

// Unwrap returns the cause (context.DeadlineExceeded for a deadline).
func (e *CallError) Unwrap() error { return e.Err }

// formatPath writes a path as Terraform shows one: tags["Name"], rule[0].port.
func formatPath(p cty.Path) string {
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
				b.WriteString("[" + strconv.Quote(s.Key.AsString()) + "]")
			case s.Key.Type() == cty.Number && s.Key.IsKnown() && !s.Key.IsNull():
				b.WriteString("[" + s.Key.AsBigFloat().Text('f', -1) + "]")
			default:
				b.WriteString("[?]")
			}
		}
	}
	return b.String()
}
