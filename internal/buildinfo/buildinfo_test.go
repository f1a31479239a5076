package buildinfo

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

func TestFromBuildInfo(t *testing.T) {
	t.Parallel()
	vcs := func(kv ...string) []debug.BuildSetting {
		var out []debug.BuildSetting
		for i := 0; i+1 < len(kv); i += 2 {
			out = append(out, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return out
	}
	tests := []struct {
		name                     string
		linked                   string
		info                     *debug.BuildInfo
		ok                       bool
		version, revision, goVer string
		time                     time.Time
	}{
		{
			name: "no build information", ok: false,
			version: "dev", revision: "unknown", goVer: runtime.Version(),
		},
		{
			name: "go build in a clean Git checkout", ok: true,
			info: &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
				Settings: vcs("vcs", "git", "vcs.revision", "0123abcd", "vcs.time", "2026-12-01T10:00:00Z", "vcs.modified", "false")},
			version: "dev", revision: "0123abcd", goVer: "go1.26.0", time: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC),
		},
		{
			name: "go build with local changes", ok: true,
			info:    &debug.BuildInfo{GoVersion: "go1.26.0", Settings: vcs("vcs.revision", "0123abcd", "vcs.modified", "true")},
			version: "dev", revision: "0123abcd-dirty", goVer: "go1.26.0",
		},
		{
			name: "go install module@version", ok: true,
			info:    &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "v1.4.0"}},
			version: "v1.4.0", revision: "unknown", goVer: "go1.26.1",
		},
		{
			name: "version set at link time wins", linked: "v2.0.0-rc1", ok: true,
			info:    &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "v1.4.0"}, Settings: vcs("vcs.time", "not a time")},
			version: "v2.0.0-rc1", revision: "unknown", goVer: "go1.26.1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := versionOf(tt.linked, tt.info, tt.ok); got != tt.version {
				t.Errorf("version = %q, want %q", got, tt.version)
			}
			if got := revisionOf(tt.info, tt.ok); got != tt.revision {
				t.Errorf("revision = %q, want %q", got, tt.revision)
			}
			if got := goVersionOf(tt.info, tt.ok); got != tt.goVer {
				t.Errorf("goversion = %q, want %q", got, tt.goVer)
			}
			if got := timeOf(tt.info, tt.ok); !got.Equal(tt.time) {
				t.Errorf("time = %v, want %v", got, tt.time)
			}
		})
	}
}

// The exported functions read the running binary: under go test it has
// build information, with the Go version that built it.
func TestRunningBinary(t *testing.T) {
	t.Parallel()
	if got := GoVersion(); !strings.HasPrefix(got, "go") {
		t.Errorf("GoVersion() = %q, want go1.x", got)
	}
	if Version() == "" || Revision() == "" {
		t.Errorf("Version() = %q, Revision() = %q: neither may be empty", Version(), Revision())
	}
	if tm := Time(); !tm.IsZero() && tm.Location() != time.UTC {
		t.Errorf("Time() = %v, want UTC", tm)
	}
}
