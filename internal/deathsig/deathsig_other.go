//go:build !linux

// Package deathsig has a child process die with the process that started
// it, where the kernel can (Linux's parent-death signal).
package deathsig

import "os/exec"

// Set does nothing where the kernel has no parent-death signal: callers
// still stop their children on their own paths.
func Set(*exec.Cmd) {}
