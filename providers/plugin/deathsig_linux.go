//go:build linux

package plugin

import (
	"os/exec"
	"syscall"
)

// setDeathSignal has Linux kill the provider when driftctl dies, whatever
// the way (SIGKILL, OOM killer): otherwise a provider outlives it.
// Pdeathsig follows the thread that started the child; the Go runtime ends
// a thread only when a goroutine locked to it exits, which go-plugin's
// start does not do.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
