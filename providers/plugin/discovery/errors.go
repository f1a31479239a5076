package discovery

import (
	"fmt"
	"strings"
)

// Installed is one package found that was not chosen, for messages.
type Installed struct {
	Version, Platform string
	// Location is the package directory or .zip.
	Location string
}

// NotInstalledError is a provider with no package of the locked version
// (or, without a lock file, of a version meeting the constraints) for
// this platform in any of the directories searched.
type NotInstalledError struct {
	Source     Source
	Constraint string
	// Locked is the version the lock file selects, "" without one.
	Locked   string
	LockFile string
	// Root is the root module's directory, where terraform init runs.
	Root     string
	Platform string
	// Searched are the directories looked in, in order.
	Searched []string
	// Installed are the packages that were found, newest first, of any
	// platform.
	Installed []Installed
}

func (e *NotInstalledError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "provider %s", e.Source)
	switch {
	case e.Locked != "":
		fmt.Fprintf(&b, " %s (selected by %s)", e.Locked, e.LockFile)
	case e.Constraint != "":
		fmt.Fprintf(&b, " %s", e.Constraint)
	}
	fmt.Fprintf(&b, " is not installed for %s: run `terraform init` in %s, or give its directory with --plugin-dir", e.Platform, e.Root)
	if e.Locked == "" && e.Constraint != "" && len(e.Installed) > 0 {
		b.WriteString(" (`terraform init -upgrade` if the constraint changed)")
	}
	fmt.Fprintf(&b, "; looked in %s", strings.Join(e.Searched, ", "))
	if len(e.Installed) == 0 {
		b.WriteString("; no version of it is installed there")
		return b.String()
	}
	b.WriteString("; installed:")
	for i, in := range e.Installed {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, " %s", in.Version)
		if in.Platform != e.Platform {
			fmt.Fprintf(&b, " for %s", in.Platform)
		}
		fmt.Fprintf(&b, " (%s)", in.Location)
	}
	return b.String()
}

// LockError is a provider that the dependency lock file does not let
// driftctl use: the file selects no version of it, or one that the
// configuration's constraints no longer allow.
type LockError struct {
	Source         Source
	LockFile, Root string
	// Problem says what is wrong; Fix is the command to run in Root.
	Problem, Fix string
}

func (e *LockError) Error() string {
	return fmt.Sprintf("provider %s: %s (%s): run `%s` in %s", e.Source, e.Problem, e.LockFile, e.Fix, e.Root)
}

// HashMismatchError is a package that matches none of the hashes the
// lock file recorded for its version: it changed since terraform init
// installed it, or the lock file was written for other platforms.
type HashMismatchError struct {
	Source            Source
	Version, Location string
	LockFile, Root    string
	// Got are the package's own hashes; Want the lock file's.
	Got, Want []string
	// Uncheckable is true when none of Want could be compared with this
	// package (only zh: hashes, and the package is a directory).
	Uncheckable bool
}

func (e *HashMismatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "provider %s %s at %s does not match the hashes in %s", e.Source, e.Version, e.Location, e.LockFile)
	if e.Uncheckable {
		b.WriteString(" (the lock file has only zh: hashes, of the registry's .zip, and this package is unpacked)")
	} else {
		fmt.Fprintf(&b, " (it has %s)", strings.Join(e.Got, ", "))
	}
	fmt.Fprintf(&b, ": run `terraform init` in %s to reinstall it, or `terraform providers lock` to record the hashes of this platform's package", e.Root)
	return b.String()
}
