package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gitdrift/driftctl/drift"
)

// logLevels are the values of --log-level, in the order completion lists
// them.
func logLevels() []string { return []string{"debug", "info", "warn", "error"} }

// logFormats are the values of --log-format.
func logFormats() []string { return []string{"text", "json"} }

// addLogFlags adds --log-level and --log-format, which every command takes
// (persistent flags of the root command).
func addLogFlags(f *pflag.FlagSet) {
	f.String("log-level", "info", "log level: debug, info, warn or error (logs go to stderr)")
	f.String("log-format", "text", "log format: text or json")
}

// logFlags are the values of --log-format and --log-level of cmd.
func logFlags(cmd *cobra.Command) (format, level string) {
	f := cmd.Flags()
	format, _ = f.GetString("log-format")
	level, _ = f.GetString("log-level")
	return format, level
}

// commandLogger is the logger of cmd's --log-level and --log-format,
// writing to its stderr; an error names the flag and its values.
func commandLogger(cmd *cobra.Command) (*slog.Logger, error) {
	format, level := logFlags(cmd)
	return newLogger(cmd.ErrOrStderr(), format, level)
}

// newLogger makes the slog logger of the given format and level.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: expected debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: expected text or json", format)
}

// durationAttr is a duration as logs carry one: NAME_seconds, a number of
// seconds (as Prometheus has it), not a Go duration string that a log
// pipeline cannot add up.
func durationAttr(name string, d time.Duration) slog.Attr {
	return slog.Float64(name+"_seconds", d.Seconds())
}

// logScanDone logs, at debug level, how a scan of scan or remediate ended:
// its stack, exit code, how long it took and, when it ran, its counts.
func logScanDone(l *slog.Logger, msg string, rep *drift.Report, code int, took time.Duration) {
	attrs := []slog.Attr{slog.Int("exit_code", code), durationAttr("duration", took)}
	if rep != nil {
		sum := rep.Summary()
		attrs = append(attrs, slog.String("stack", rep.Stack), slog.Int("resources", len(rep.Results)),
			slog.Int("drifted", sum.Drifted), slog.Int("missing", sum.Missing), slog.Int("unmanaged", sum.Unmanaged),
			slog.Int("unknown", sum.Unknown), slog.Int("errors", len(rep.Errors)))
	}
	l.LogAttrs(context.Background(), slog.LevelDebug, msg, attrs...)
}
