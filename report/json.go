package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/gitdrift/driftctl/drift"
)

// SchemaVersion is the version of the JSON report schema. It changes only
// when a field is removed or changes meaning; new fields keep it.
const SchemaVersion = 1

// The wire form of the JSON report, version 1 (see the package comment).
type jsonReport struct {
	SchemaVersion   int            `json:"schema_version"`
	Stack           string         `json:"stack"`
	Commit          *jsonCommit    `json:"commit"`
	StartedAt       *string        `json:"started_at"`
	DurationSeconds float64        `json:"duration_seconds"`
	Summary         jsonSummary    `json:"summary"`
	Resources       []jsonResource `json:"resources"`
	Errors          []jsonError    `json:"errors"`
	// Withheld is left out when empty.
	Withheld  []jsonWithheld `json:"withheld_unmanaged,omitempty"`
	Providers []jsonProvider `json:"providers"`
}

// jsonProvider is one provider configuration of the scan: where the
// results that name it are.
type jsonProvider struct {
	Name    string `json:"name"`
	Account string `json:"account,omitempty"`
	Region  string `json:"region"`
}

type jsonWithheld struct {
	Type     string `json:"type"`
	Provider string `json:"provider"`
	Reason   string `json:"reason"`
}

type jsonCommit struct {
	SHA        string  `json:"sha"`
	Ref        string  `json:"ref"`
	Author     string  `json:"author"`
	Email      string  `json:"email"`
	Time       *string `json:"time"`
	Message    string  `json:"message"`
	Dirty      bool    `json:"dirty"`
	Repository string  `json:"repository"`
	Path       string  `json:"path"`
}

type jsonBlame struct {
	Commit string  `json:"commit"`
	Author string  `json:"author"`
	Email  string  `json:"email"`
	Time   *string `json:"time"`
}

type jsonSummary struct {
	Total     int     `json:"total"`
	InSync    int     `json:"in_sync"`
	Drifted   int     `json:"drifted"`
	Missing   int     `json:"missing"`
	Unmanaged int     `json:"unmanaged"`
	Ignored   int     `json:"ignored"`
	Unknown   int     `json:"unknown"`
	Coverage  float64 `json:"coverage"`
}

type jsonResource struct {
	Address *string `json:"address"`
	Type    string  `json:"type"`
	ID      string  `json:"id"`
	// IDSensitive: ID is "(sensitive)" in place of the real one.
	IDSensitive bool   `json:"id_sensitive,omitempty"`
	Provider    string `json:"provider"`
	Account     string `json:"account,omitempty"`
	Region      string `json:"region"`
	Status      string `json:"status"`
	// Reader: "native" or "plugin" (the provider's own binary); absent
	// when it was not read.
	Reader string `json:"reader,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Unsupported: unknown because driftctl does not support it yet.
	Unsupported bool       `json:"unsupported,omitempty"`
	Diffs       []jsonDiff `json:"diffs"`
}

type jsonDiff struct {
	Path string `json:"path"`
	Want any    `json:"want"`
	Got  any    `json:"got"`
	// Sensitive tells a masked value from a real "(sensitive)" string.
	Sensitive bool    `json:"sensitive"`
	File      *string `json:"file"`
	Line      *int    `json:"line"`
	// Blame is who last wrote the line, for a desired state from Git.
	Blame *jsonBlame `json:"blame"`
	// Replace: making the resource match replaces it.
	Replace bool `json:"replace,omitempty"`
}

type jsonError struct {
	Type      string `json:"type"`
	Region    string `json:"region"`
	Operation string `json:"operation"`
	Message   string `json:"message"`
}

// JSON writes r as one JSON document in the public report schema (version
// SchemaVersion, described in the package comment), indented, with a final
// newline. Sensitive values are written as "(sensitive)".
func JSON(w io.Writer, r *drift.Report) error {
	out := jsonReport{
		SchemaVersion:   SchemaVersion,
		Stack:           r.Stack,
		StartedAt:       timeText(r.StartedAt),
		DurationSeconds: round(r.Duration.Seconds(), 3),
		Resources:       []jsonResource{},
		Errors:          []jsonError{},
		Providers:       []jsonProvider{},
	}
	if c := r.Commit; c != nil {
		out.Commit = &jsonCommit{SHA: c.SHA, Ref: c.Ref, Author: c.Author, Email: c.Email, Time: timeText(c.Time),
			Message: c.Message, Dirty: c.Dirty, Repository: c.Repository, Path: c.Path}
	}
	s := r.Summary()
	out.Summary = jsonSummary{
		Total: s.Total, InSync: s.InSync, Drifted: s.Drifted, Missing: s.Missing,
		Unmanaged: s.Unmanaged, Ignored: s.Ignored, Unknown: s.Unknown,
		Coverage: round(s.Coverage, 4),
	}
	for _, e := range r.Errors {
		out.Errors = append(out.Errors, jsonError{Type: e.Type, Region: e.Region, Operation: e.Operation, Message: e.Message})
	}
	for _, w := range r.Withheld {
		out.Withheld = append(out.Withheld, jsonWithheld{Type: w.Type, Provider: w.Provider, Reason: w.Reason})
	}
	for _, p := range r.Providers {
		out.Providers = append(out.Providers, jsonProvider{Name: p.Name, Account: p.Account, Region: p.Region})
	}
	// The resources are written one at a time, as the encoder would
	// indent them inside the document: a large report is never whole in
	// memory as JSON.
	var head bytes.Buffer
	if err := newJSONEncoder(&head, "", "  ").Encode(out); err != nil {
		return fmt.Errorf("writing JSON report: %w", err)
	}
	const empty = "\n  \"resources\": [],\n"
	before, after, ok := bytes.Cut(head.Bytes(), []byte(empty))
	if !ok {
		return errors.New("writing JSON report: no resources in the document")
	}
	bw := bufio.NewWriter(w)
	bw.Write(before)
	results := sortedResults(r.Results)
	if len(results) == 0 {
		bw.WriteString(empty)
	} else {
		bw.WriteString("\n  \"resources\": [")
		var elem bytes.Buffer
		enc := newJSONEncoder(&elem, "    ", "  ")
		for i, res := range results {
			elem.Reset()
			if err := enc.Encode(jsonResourceOf(res)); err != nil {
				return fmt.Errorf("writing JSON report: %w", err)
			}
			if i > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString("\n    ")
			bw.Write(bytes.TrimSuffix(elem.Bytes(), []byte("\n")))
		}
		bw.WriteString("\n  ],\n")
	}
	bw.Write(after)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing JSON report: %w", err)
	}
	return nil
}

// newJSONEncoder is the report's JSON encoder: indented, with <, > and &
// readable in policies and messages.
func newJSONEncoder(w io.Writer, prefix, indent string) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetIndent(prefix, indent)
	enc.SetEscapeHTML(false)
	return enc
}

// jsonResourceOf is one result as the JSON report shows it.
func jsonResourceOf(res *drift.Result) jsonResource {
	jr := jsonResource{
		Type: res.Type, ID: res.ID, IDSensitive: res.IDSensitive, Provider: res.Provider, Account: res.Account, Region: res.Region,
		Status: string(res.Status), Reader: string(res.Reader), Reason: res.Reason, Unsupported: res.Unsupported, Diffs: []jsonDiff{},
	}
	if res.Address != "" {
		jr.Address = &res.Address
	}
	for _, d := range res.Diffs {
		jd := jsonDiff{Path: d.Path, Want: sensitiveText, Got: sensitiveText, Sensitive: d.Sensitive, Replace: d.Replace}
		if !d.Sensitive {
			jd.Want, jd.Got = jsonValue(d.Want), jsonValue(d.Got)
		}
		if d.Range != nil && d.Range.Filename != "" {
			file, line := d.Range.Filename, d.Range.Start.Line
			jd.File, jd.Line = &file, &line
		}
		if b := d.Blame; b != nil {
			jd.Blame = &jsonBlame{Commit: b.SHA, Author: b.Author, Email: b.Email, Time: timeText(b.Time)}
		}
		jr.Diffs = append(jr.Diffs, jd)
	}
	return jr
}

// timeText is t in RFC 3339, in UTC, or nil for the zero time.
func timeText(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func round(f float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(f*p) / p
}

// sortedResults returns the results in report order: by status in
// drift.Statuses order (unknown statuses last), then address, type and ID.
// They point into results: a large report is not copied.
func sortedResults(results []drift.Result) []*drift.Result {
	rank := func(s drift.Status) int {
		if i := slices.Index(drift.Statuses, s); i >= 0 {
			return i
		}
		return len(drift.Statuses)
	}
	out := make([]*drift.Result, len(results))
	for i := range results {
		out[i] = &results[i]
	}
	slices.SortStableFunc(out, func(a, b *drift.Result) int {
		if ra, rb := rank(a.Status), rank(b.Status); ra != rb {
			return ra - rb
		}
		if c := strings.Compare(a.Address, b.Address); c != 0 {
			return c
		}
		if c := strings.Compare(a.Type, b.Type); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}
