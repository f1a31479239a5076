package remediate

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/scan"
)

// hangingCloud is a cloud whose changes never return: it says on stdout
// that one started, for the parent test to kill the process then.
type hangingCloud struct{ *cloud }

func (h hangingCloud) New(context.Context, providers.Config) (providers.Configured, error) {
	return h, nil
}

func (h hangingCloud) Apply(context.Context, providers.ApplyRequest) (*providers.ApplyResponse, error) {
	fmt.Println("applying")
	select {}
}

const killedApplyEnv = "DRIFTCTL_TEST_KILLED_APPLY_AUDIT_LOG"

// killedApplyChild is the child process of
// TestKilledApplyLeavesAnIntentTheNextRunReports: it applies an update
// that hangs, with the audit log at path.
func killedApplyChild(t *testing.T, path string) {
	s := newStack(t, netConfig, stateOf(map[string]string{"test_net.main": "n-1", "test_sub.a": "s-1"}))
	s.cloud.put("test_net", "n-1", map[string]cty.Value{"name": cty.StringVal("main"), "size": cty.NumberIntVal(5)})
	s.cloud.put("test_sub", "s-1", map[string]cty.Value{"net_id": cty.StringVal("n-1"), "label": cty.StringVal("a")})
	h := hangingCloud{s.cloud}
	rescan := func(ctx context.Context, created map[string]string) (*scan.Session, error) {
		return scan.NewStack(h, s.mod, s.st, scan.Options{Stack: "s", Unmanaged: true}).Session(ctx, created)
	}
	log, err := OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Apply(context.Background(), s.plan(Options{}), rescan, ApplyOptions{Audit: log, Schemas: s.schemaOf})
	t.Fatalf("Apply returned (%v); it should have hung until killed", err)
}

// kill -9 in the middle of a change: the audit log has the change's intent
// without a result, and the next run reports it, once.
func TestKilledApplyLeavesAnIntentTheNextRunReports(t *testing.T) {
	if path := os.Getenv(killedApplyEnv); path != "" {
		killedApplyChild(t, path)
		return
	}
	t.Parallel()
	path := filepath.Join(t.TempDir(), "audit.log")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledApplyLeavesAnIntentTheNextRunReports$", "-test.count=1")
	cmd.Env = append(os.Environ(), killedApplyEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Generous: the child only scans an in-memory cloud before it applies.
	watchdog := time.AfterFunc(60*time.Second, func() { _ = cmd.Process.Kill() })
	defer watchdog.Stop()
	started := false
	var seen []string
	for sc := bufio.NewScanner(out); sc.Scan(); {
		seen = append(seen, sc.Text())
		if sc.Text() == "applying" {
			started = true
			break
		}
	}
	if err := cmd.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if !started {
		t.Fatalf("the child never started a change; it printed:\n%s", strings.Join(seen, "\n"))
	}

	interrupted, problems, err := ReadInterrupted(path)
	if err != nil || len(problems) != 0 {
		t.Fatalf("ReadInterrupted: %v, problems %v", err, problems)
	}
	if len(interrupted) != 1 || interrupted[0].Address != "test_net.main" || interrupted[0].Action != "update" {
		t.Fatalf("interrupted = %+v, want the update of test_net.main", interrupted)
	}
	want := "an earlier run was interrupted while applying update test_net.main; check the resource, its state may be partial"
	if got := interrupted[0].Message(); got != want {
		t.Errorf("message = %q, want %q", got, want)
	}

	// A kill while writing tears the last line: reported, never fatal.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"record":"intent","change_id":"0123`); err != nil {
		t.Fatal(err)
	}
	f.Close()
	interrupted, problems, err = ReadInterrupted(path)
	if err != nil || len(interrupted) != 1 || len(problems) != 1 || !strings.Contains(problems[0].Message, "incomplete") {
		t.Fatalf("after a torn last line: %v, %+v, %+v", err, interrupted, problems)
	}

	// The next run reports it and records that it did: the run after it
	// does not report it again, and its own lines are whole.
	log, err := OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := log.Acknowledge(interrupted); err != nil {
		t.Fatal(err)
	}
	log.Close()
	interrupted, problems, err = ReadInterrupted(path)
	if err != nil || len(interrupted) != 0 {
		t.Errorf("after the report: %v, %+v", err, interrupted)
	}
	if len(problems) != 1 || problems[0].Line != 2 {
		t.Errorf("problems = %+v, want only the torn line 2", problems)
	}
	lines := readLines(t, path)
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, `{"record":"interrupted"`) {
		t.Errorf("the last line is %q, want a whole record", last)
	}
}
