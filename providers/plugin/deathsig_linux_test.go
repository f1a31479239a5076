//go:build linux

package plugin

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// parentEnv makes the test binary act as a driftctl that starts a
// provider, prints its PID and dies by SIGKILL (see TestMain).
const parentEnv = "DRIFTCTL_PLUGIN_TEST_PARENT"

// actAsDyingParentIfAsked is the test binary's life as that parent,
// when parentEnv names the provider to start.
func actAsDyingParentIfAsked() {
	provider := os.Getenv(parentEnv)
	if provider == "" {
		return
	}
	c, err := Start(context.Background(), provider)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println(c.(*client).proc.ReattachConfig().Pid)
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
}

// TestProviderDiesWithDriftctl: a provider does not outlive a driftctl
// killed without a chance to clean up.
func TestProviderDiesWithDriftctl(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), parentEnv+"="+fakeProvider(t))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	_ = cmd.Wait()
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("the parent printed %q", line)
	}
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("provider %d still runs 5s after its parent died", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive: the process exists and is not a zombie waiting to be reaped.
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(stat), ") ")
	return !strings.HasPrefix(rest, "Z") && !strings.HasPrefix(rest, "X")
}
