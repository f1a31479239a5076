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

// Entry is one line of the audit log.
type Entry struct {
	Time       time.Time        `json:"time"`
	Stack      string           `json:"stack"`
	Commit     string           `json:"commit"`
	Address    string           `json:"address"`
	Type       string           `json:"type"`
	ID         string           `json:"id"`
	Action     string           `json:"action"`
	Attributes []EntryAttribute `json:"attributes"`
	// Result is "applied", "failed", "not attempted", "blocked",
	// "applied and verified" or "applied but still drifted".
	Result string `json:"result"`
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
		f, err := os.OpenFile(a.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("opening the audit log: %w", err)
		}
		a.f = f
	}
	if _, err := a.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("writing the audit log: %w", err)
	}
	if err := a.f.Sync(); err != nil {
		return fmt.Errorf("writing the audit log: %w", err)
	}
	return nil
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
