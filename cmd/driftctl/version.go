package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/gitdrift/driftctl/internal/buildinfo"
)

// commit and date are set at build time with -ldflags "-X main.commit=...
// -X main.date=..." (the Dockerfile and .ci/release do, beside the version
// in internal/buildinfo); left empty, they come from the build's VCS stamps.
// driftctl_build_info's revision is commit when set, else buildinfo's
// (the VCS stamp, with "-dirty" for a modified tree).
var commit, date = "", ""

// buildInfo says which driftctl this is: `driftctl version -o json`.
type buildInfo struct {
	// Version is the -ldflags version, else the module's version (a
	// pseudo-version when built from a Git checkout), else "dev".
	Version string `json:"version"`
	// Commit is the Git commit built (vcs.revision), "" when unknown.
	Commit string `json:"commit"`
	// Date is the commit's time (vcs.time, RFC 3339), "" when unknown.
	Date string `json:"date"`
	// Modified says the working tree had uncommitted changes (vcs.modified).
	Modified  bool   `json:"modified"`
	GoVersion string `json:"go_version"`
	// Platform is GOOS/GOARCH.
	Platform string `json:"platform"`
}

// readBuildInfo reads the build's version and VCS stamps; ld holds the
// -ldflags values (Version, Commit, Date; "" when not set), which win, and
// bi is what debug.ReadBuildInfo returned (nil when it had nothing).
func readBuildInfo(ld buildInfo, bi *debug.BuildInfo) buildInfo {
	info := buildInfo{Version: ld.Version, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		info.GoVersion = bi.GoVersion
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.Commit = s.Value
			case "vcs.time":
				info.Date = s.Value
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
	}
	if ld.Commit != "" {
		info.Commit, info.Date, info.Modified = ld.Commit, ld.Date, false
	}
	if info.Version == "" {
		info.Version = "dev"
	}
	return info
}

// currentBuild is this binary's buildInfo; its version is
// buildinfo.Version, the one the metrics and reports carry.
func currentBuild() buildInfo {
	bi, _ := debug.ReadBuildInfo()
	return readBuildInfo(buildInfo{Version: buildinfo.Version(), Commit: commit, Date: date}, bi)
}

// buildVersion is this binary's version (see buildinfo.Version).
func buildVersion() string { return buildinfo.Version() }

func newVersionCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print driftctl's version (-o json: with the commit, its date and the Go version)",
		Example: `  driftctl version
  driftctl version -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := currentBuild()
			switch output {
			case "text":
				fmt.Fprintf(cmd.OutOrStdout(), "driftctl %s\n", info.Version)
				return nil
			case "json":
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(info)
			}
			return fmt.Errorf("--output %q: expected text or json", output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}
