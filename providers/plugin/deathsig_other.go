//go:build !linux

package plugin

import "os/exec"

// setDeathSignal does nothing where the kernel has no parent-death
// signal: Close and the error paths still kill the provider.
func setDeathSignal(*exec.Cmd) {}
