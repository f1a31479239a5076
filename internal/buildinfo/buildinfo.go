// Package buildinfo says which build of driftctl is running: its version,
// the VCS revision and commit time it was built from, and the Go version
// that built it. It reads what the Go toolchain embeds in every binary
// (runtime/debug.ReadBuildInfo); the version can also be set at link time:
//
//	go build -ldflags "-X github.com/gitdrift/driftctl/internal/buildinfo.version=v1.2.3"
//
// Every function answers with a usable value, never an error: a binary
// built without module or VCS information (go test, -buildvcs=false) says
// so with the documented fallbacks.
package buildinfo

import (
	"runtime"
	"runtime/debug"
	"time"
)

// version is set at link time with -ldflags "-X ...buildinfo.version=...";
// it is never assigned at run time.
var version = ""

// Unknown is what Revision answers when the build recorded no revision.
const Unknown = "unknown"

// Version is the driftctl version: the one set at link time, else the
// main module's version when the binary was built with `go install
// module@version`, else "dev".
func Version() string {
	info, ok := debug.ReadBuildInfo()
	return versionOf(version, info, ok)
}

// Revision is the VCS revision (vcs.revision) the binary was built from,
// with "-dirty" appended when the work tree had changes (vcs.modified), or
// "unknown" when the build did not record it.
func Revision() string {
	info, ok := debug.ReadBuildInfo()
	return revisionOf(info, ok)
}

// Time is the commit time of the revision (vcs.time), in UTC; the zero
// time when the build did not record it.
func Time() time.Time {
	info, ok := debug.ReadBuildInfo()
	return timeOf(info, ok)
}

// GoVersion is the version of Go that built the binary ("go1.26.0").
func GoVersion() string {
	info, ok := debug.ReadBuildInfo()
	return goVersionOf(info, ok)
}

func versionOf(linked string, info *debug.BuildInfo, ok bool) string {
	if linked != "" {
		return linked
	}
	if ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}

func revisionOf(info *debug.BuildInfo, ok bool) string {
	rev := setting(info, ok, "vcs.revision")
	if rev == "" {
		return Unknown
	}
	if setting(info, ok, "vcs.modified") == "true" {
		rev += "-dirty"
	}
	return rev
}

func timeOf(info *debug.BuildInfo, ok bool) time.Time {
	t, err := time.Parse(time.RFC3339, setting(info, ok, "vcs.time"))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

func goVersionOf(info *debug.BuildInfo, ok bool) string {
	if ok && info.GoVersion != "" {
		return info.GoVersion
	}
	return runtime.Version()
}

// setting is the value of a build setting, "" when absent.
func setting(info *debug.BuildInfo, ok bool, key string) string {
	if !ok {
		return ""
	}
	for _, s := range info.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}
