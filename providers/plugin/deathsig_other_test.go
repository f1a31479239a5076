//go:build !linux

package plugin

// actAsDyingParentIfAsked: the parent-death test is Linux only.
func actAsDyingParentIfAsked() {}
