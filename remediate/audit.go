package remediate

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// The kinds of audit log records (Entry.Record).
const (
	// RecordIntent is written, and synced, before a change is made: what
	// is about to be done. A result with the same ChangeID follows it; an
	// intent without one is a change a killed run may have left half made.
	RecordIntent = "intent"
	// RecordResult says what became of a change (Entry.Result); a change
	// may have several (applied, then applied and verified).
	RecordResult = "result"
	// RecordInterrupted is written by a later run that reported an intent
	// without a result, so that it is reported once.
	RecordInterrupted = "interrupted"
)

// Entry is one line of the audit log.
type Entry struct {
	// Record is RecordIntent, RecordResult or RecordInterrupted; lines
	// written before intents existed have none and are results.
	Record string `json:"record,omitempty"`
	// ChangeID ties a change's intent to its results: one per change and
	// run.
	ChangeID   string           `json:"change_id,omitempty"`
	Time       time.Time        `json:"time"`
	Stack      string           `json:"stack"`
	Commit     string           `json:"commit"`
	Address    string           `json:"address"`
	Type       string           `json:"type"`
	ID         string           `json:"id"`
	Action     string           `json:"action"`
	Attributes []EntryAttribute `json:"attributes"`
	// Result is "applied", "failed", "not attempted", "blocked",
	// "applied and verified" or "applied but still drifted"; "" in an
	// intent.
	Result string `json:"result,omitempty"`
	Error  string `json:"error,omitempty"`
	// NewID is the ID of a created resource.
	NewID string `json:"new_id,omitempty"`
}

// EntryAttribute is an attribute an action changed; sensitive values are
// "(sensitive)".
type EntryAttribute struct {
	Path string          `json:"path"`
	From json.RawMessage `json:"from"`
	To   json.RawMessage `json:"to"`
}

// AuditLog appends entries as JSON lines, each synced to disk before the
// next change is made. The file is created by the first entry, so that a
// run that changes nothing leaves none. A nil AuditLog records nothing.
type AuditLog struct {
	mu   sync.Mutex
	path string
	f    *os.File
}

// OpenAuditLog returns an audit log appending to path. It checks that the
// file's directory exists, so that a typo fails before any change.
func OpenAuditLog(path string) (*AuditLog, error) {
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("opening the audit log %s: %s is not a directory", path, dir)
	}
	return &AuditLog{path: path}, nil
}

// Path is the file the log appends to.
func (a *AuditLog) Path() string { return a.path }

// Record appends one entry.
func (a *AuditLog) Record(e Entry) error {
	if a == nil {
		return nil
	}
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	if e.Attributes == nil {
		e.Attributes = []EntryAttribute{}
	}
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("writing the audit log: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.f == nil {
		f, err := os.OpenFile(a.path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("opening the audit log: %w", err)
		}
		a.f = f
		// A run killed while writing leaves a last line without its
		// newline: start on a line of our own, so that only that line is
		// torn.
		if torn, err := endsTorn(f); err != nil {
			return fmt.Errorf("opening the audit log: %w", err)
		} else if torn {
			line = append([]byte{'\n'}, line...)
		}
	}
	if _, err := a.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("writing the audit log: %w", err)
	}
	if err := a.f.Sync(); err != nil {
		return fmt.Errorf("writing the audit log: %w", err)
	}
	return nil
}

// endsTorn reports whether f is not empty and does not end with a newline.
func endsTorn(f *os.File) (bool, error) {
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return false, err
	}
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, fi.Size()-1); err != nil {
		return false, err
	}
	return b[0] != '\n', nil
}

// Close closes the log.
func (a *AuditLog) Close() error {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.f == nil {
		return nil
	}
	err := a.f.Close()
	a.f = nil
	return err
}

// entryAttributes renders a change's attributes for the log.
func entryAttributes(c *Change) []EntryAttribute {
	out := []EntryAttribute{}
	for _, a := range c.Attributes {
		ea := EntryAttribute{Path: a.Path, From: redactedJSON(a.From, a.Sensitive), To: redactedJSON(a.To, a.Sensitive)}
		out = append(out, ea)
	}
	return out
}

var sensitiveJSON = json.RawMessage(`"(sensitive)"`)

// redactedJSON is a value as plain JSON, or "(sensitive)".
func redactedJSON(v cty.Value, sensitive bool) json.RawMessage {
	if sensitive {
		return sensitiveJSON
	}
	if v == cty.NilVal || v.IsNull() {
		return json.RawMessage("null")
	}
	if !v.IsWhollyKnown() {
		return json.RawMessage(`"(unknown)"`)
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return json.RawMessage(`"(unencodable)"`)
	}
	return b
}
