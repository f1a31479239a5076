package remediate

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Interrupted is a change whose intent is in the audit log without a
// result: a run was killed (kill -9, a crash, a lost machine) while making
// it, and the resource may be partly changed.
type Interrupted struct {
	ChangeID string `json:"change_id"`
	Address  string `json:"address"`
	Type     string `json:"type"`
	ID       string `json:"id"`
	Action   string `json:"action"`
	Stack    string `json:"stack"`
	// Time is when the intent was written.
	Time string `json:"time"`
}

// Message is the warning for an interrupted change.
func (i Interrupted) Message() string {
	return fmt.Sprintf("an earlier run was interrupted while applying %s %s; check the resource, its state may be partial", i.Action, i.Address)
}

// AuditProblem is a line of the audit log that is not a record: a torn
// last line (a run killed while writing it) or a damaged one. It is
// reported, never fatal.
type AuditProblem struct {
	Line    int
	Message string
}

func (p AuditProblem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Message) }

// maxAuditLine bounds one line of the audit log (a change with many
// attributes is well under it).
const maxAuditLine = 16 << 20

// ReadInterrupted reads the audit log at path and returns the changes whose
// intent has no result and was not reported already (RecordInterrupted),
// in the order of the log, and the lines it could not read. A log that
// does not exist has neither.
func ReadInterrupted(path string) ([]Interrupted, []AuditProblem, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading the audit log: %w", err)
	}
	defer f.Close()
	out, problems, err := scanInterrupted(f)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the audit log %s: %w", path, err)
	}
	return out, problems, nil
}

func scanInterrupted(r io.Reader) ([]Interrupted, []AuditProblem, error) {
	var problems []AuditProblem
	var order []string
	open := map[string]*Interrupted{}
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		line, err := readLine(br)
		if err == io.EOF && line == nil {
			break
		}
		if err != nil && err != io.EOF {
			if errors.Is(err, errLongLine) {
				problems = append(problems, AuditProblem{n, "longer than 16 MiB, skipped"})
				continue
			}
			return nil, nil, err
		}
		last := err == io.EOF
		if len(bytes.TrimSpace(line)) == 0 {
			if last {
				break
			}
			continue
		}
		var e Entry
		if jerr := json.Unmarshal(line, &e); jerr != nil {
			msg := "not a JSON record: " + jerr.Error()
			if last {
				msg = "the last line is incomplete (a run was killed while writing it)"
			}
			problems = append(problems, AuditProblem{n, msg})
			if last {
				break
			}
			continue
		}
		switch {
		case e.ChangeID == "":
		case e.Record == RecordIntent:
			if _, ok := open[e.ChangeID]; !ok {
				order = append(order, e.ChangeID)
			}
			open[e.ChangeID] = &Interrupted{ChangeID: e.ChangeID, Address: e.Address, Type: e.Type, ID: e.ID, Action: e.Action, Stack: e.Stack, Time: e.Time.UTC().Format("2006-01-02T15:04:05Z")}
		default:
			delete(open, e.ChangeID)
		}
		if last {
			break
		}
	}
	var out []Interrupted
	for _, id := range order {
		if i, ok := open[id]; ok {
			out = append(out, *i)
		}
	}
	return out, problems, nil
}

var errLongLine = errors.New("line too long")

// readLine reads one line without its newline; io.EOF with the last line
// when it has no newline (nil line at the very end).
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > maxAuditLine {
			// Skip the rest of the line.
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			if err != nil && err != io.EOF {
				return nil, err
			}
			return nil, errLongLine
		}
		line = append(line, chunk...)
		switch err {
		case nil:
			return line[:len(line)-1], nil
		case bufio.ErrBufferFull:
			continue
		case io.EOF:
			if len(line) == 0 {
				return nil, io.EOF
			}
			return line, io.EOF
		default:
			return nil, err
		}
	}
}

// Acknowledge records that the interrupted changes were reported, so that
// the next run does not report them again.
func (a *AuditLog) Acknowledge(changes []Interrupted) error {
	for _, c := range changes {
		if err := a.Record(Entry{
			Record: RecordInterrupted, ChangeID: c.ChangeID, Stack: c.Stack, Address: c.Address, Type: c.Type, ID: c.ID,
			Action: c.Action, Error: c.Message(),
		}); err != nil {
			return err
		}
	}
	return nil
}

// newChangeID is a random ID tying a change's intent to its results.
func newChangeID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
