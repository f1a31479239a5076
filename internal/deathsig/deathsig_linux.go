//go:build linux

// Package deathsig has a child process die with the process that started
// it, where the kernel can (Linux's parent-death signal).
package deathsig

import (
	"os/exec"
	"syscall"
)

// Set has Linux kill cmd's process when this one dies, whatever the way
// (SIGKILL, the OOM killer, a test binary's deadline): otherwise the child
// outlives it. It keeps cmd's other SysProcAttr settings. Pdeathsig
// follows the thread that started the child; the Go runtime ends a thread
// only when a goroutine locked to it exits, which exec does not do.
func Set(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
