package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"

	"github.com/gitdrift/driftctl/remediate"
)

// apiReport is a stack's JSON report (report.JSON) trimmed for
// /api/v1/stacks, which anyone who can reach the server reads: no author
// emails (names only), no absolute paths of this host (files are relative
// to the stack's directory or repository), and no desired or live values
// unless server { api_values = true } (sensitive values are "(sensitive)"
// in the report already, and stay so). nil for no report.
func (s *Server) apiReport(sc *StackConfig, raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var rep map[string]any
	if err := dec.Decode(&rep); err != nil || rep == nil {
		return nil
	}
	repoPath := ""
	if c, ok := rep["commit"].(map[string]any); ok {
		delete(c, "email")
		if r, ok := c["repository"].(string); ok && filepath.IsAbs(r) {
			c["repository"] = filepath.Base(r)
		}
		repoPath, _ = c["path"].(string)
	}
	resources, _ := rep["resources"].([]any)
	for _, r := range resources {
		res, ok := r.(map[string]any)
		if !ok {
			continue
		}
		if reason, ok := res["reason"].(string); ok {
			res["reason"] = trimPaths(reason, sc.Source)
		}
		diffs, _ := res["diffs"].([]any)
		for _, d := range diffs {
			diff, ok := d.(map[string]any)
			if !ok {
				continue
			}
			if !s.cfg.Server.APIValues {
				delete(diff, "want")
				delete(diff, "got")
			}
			if f, ok := diff["file"].(string); ok {
				diff["file"] = relativeFile(f, sc.Source, repoPath)
			}
			if b, ok := diff["blame"].(map[string]any); ok {
				delete(b, "email")
			}
		}
	}
	errs, _ := rep["errors"].([]any)
	for _, e := range errs {
		if em, ok := e.(map[string]any); ok {
			if msg, ok := em["message"].(string); ok {
				em["message"] = trimPaths(msg, sc.Source)
			}
		}
	}
	out, err := json.Marshal(rep)
	if err != nil {
		return nil
	}
	return out
}

// relativeFile is a file of the desired state relative to the stack's
// directory (source) or, for a stack read from a repository, from the
// repository's root (the checkout is somewhere in the cache directory).
func relativeFile(file, source, repoPath string) string {
	if !filepath.IsAbs(file) {
		return file
	}
	if filepath.IsAbs(source) {
		if rel, err := filepath.Rel(source, file); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	if repoPath != "" && repoPath != "." {
		if i := strings.Index(file, string(filepath.Separator)+filepath.Clean(repoPath)+string(filepath.Separator)); i >= 0 {
			return file[i+1:]
		}
	}
	return filepath.Base(file)
}

// trimPaths writes the stack's directory as "." in a message.
func trimPaths(msg, source string) string {
	if !filepath.IsAbs(source) || len(source) < 2 {
		return msg
	}
	msg = strings.ReplaceAll(msg, source+string(filepath.Separator), "")
	return strings.ReplaceAll(msg, source, ".")
}

// isLoopback reports whether addr is a TCP address on a loopback interface.
func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// scrapeLog logs what promhttp could not collect (it serves the rest).
type scrapeLog struct{ logger *slog.Logger }

// Println implements promhttp.Logger.
func (l scrapeLog) Println(v ...any) {
	l.logger.Error("collecting metrics", "error", strings.TrimSpace(fmt.Sprintln(v...)))
}

// reportInterrupted logs the changes an earlier run of automatic
// remediation began and never finished (killed while applying), once: the
// log records that they were reported.
func (s *Server) reportInterrupted() {
	if s.audit == nil {
		return
	}
	interrupted, problems, err := remediate.ReadInterrupted(s.audit.Path())
	if err != nil {
		s.logger.Warn("reading the audit log", "error", err)
		return
	}
	for _, p := range problems {
		s.logger.Warn("the audit log has a line that is not a record", "path", s.audit.Path(), "line", p.Line, "problem", p.Message)
	}
	for _, i := range interrupted {
		s.logger.Warn(i.Message(), "stack", i.Stack, "address", i.Address, "action", i.Action, "change_id", i.ChangeID)
	}
	if err := s.audit.Acknowledge(interrupted); err != nil {
		s.logger.Error("writing the audit log", "error", err)
	}
}
