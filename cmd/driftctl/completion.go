package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitdrift/driftctl/report"
)

// outputFormats are scan's report formats (report.FormatNames), each with
// what it is for, in the order completion lists them.
func outputFormats() []cobra.Completion {
	var out []cobra.Completion
	for _, name := range report.FormatNames() {
		desc := ""
		switch report.Format(name) {
		case report.FormatConsole:
			desc = "human-readable, coloured on a terminal"
		case report.FormatJSON:
			desc = "the versioned JSON report"
		case report.FormatMarkdown:
			desc = "a pull request comment"
		case report.FormatSARIF:
			desc = "code scanning (GitHub)"
		case report.FormatJUnit:
			desc = "test report (GitLab, Jenkins)"
		case report.FormatHTML:
			desc = "a page to publish"
		}
		out = append(out, name+"\t"+desc)
	}
	return out
}

// failOnStatuses are the statuses --fail-on takes besides none.
func failOnStatuses() []string {
	var names []string
	for _, s := range failOnChoices {
		names = append(names, string(s))
	}
	return names
}

// completeValues completes a flag from a fixed list of values, each
// "value" or "value\tdescription".
func completeValues(values ...string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
	}
}

// completeFiles completes a flag with files of the given extensions (any
// file when none is given).
func completeFiles(exts ...string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(exts) == 0 {
			return nil, cobra.ShellCompDirectiveDefault
		}
		return exts, cobra.ShellCompDirectiveFilterFileExt
	}
}

// completeDirs completes a flag with directories.
func completeDirs(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveFilterDirs
}

// completeOutput completes -o/--output: a format, or after FORMAT= a file
// (left to the shell's file completion).
func completeOutput(formats []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if strings.Contains(toComplete, "=") {
			return nil, cobra.ShellCompDirectiveDefault
		}
		return formats, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
	}
}

// completeFailOn completes --fail-on's comma-separated statuses: the word
// typed so far followed by each status it does not name yet, or none
// alone. No space follows, so that another status can be added.
func completeFailOn(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	done, _ := cutLast(toComplete, ",")
	if done == "" {
		return append(failOnStatuses(), "none\tnever exit 1"), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveKeepOrder
	}
	named := strings.Split(done, ",")
	if slices.Contains(named, "none") {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []cobra.Completion
	for _, s := range failOnStatuses() {
		if !slices.Contains(named, s) {
			out = append(out, done+","+s)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveKeepOrder
}

// cutLast slices s around the last sep: before it (or "" when there is
// none) and after it.
func cutLast(s, sep string) (before, after string) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):]
	}
	return "", s
}

// registerCompletions registers the completion of every flag's values that
// are not free text, on every command of the tree under cmd that has the
// flag. A flag a command does not have is skipped, so that each command
// gets the completions of the flags it has.
func registerCompletions(cmd *cobra.Command) {
	byFlag := map[string]cobra.CompletionFunc{
		"fail-on":          completeFailOn,
		"unmanaged":        completeValues("declared\tunmanaged resources of the declared types", "none\tno unmanaged resources"),
		"plugin-types":     completeValues("missing\ttypes without a native reader", "all\tevery type through its provider plugin", "none\tnative readers only"),
		"state":            completeFiles("tfstate"),
		"var-file":         completeFiles("tfvars", "tfvars.json"),
		"trusted-keys":     completeFiles(),
		"metrics-textfile": completeFiles("prom"),
		"cache-dir":        completeDirs,
		"plugin-dir":       completeDirs,
		"audit-log":        completeFiles(),
		"out":              completeFiles(),
		"plan":             completeFiles(),
		"config":           completeFiles("hcl"),
		"web.config.file":  completeFiles("yml", "yaml"),
		"data-dir":         completeDirs,
		"driftignore":      completeFiles(),
		"input":            completeFiles("json"),
	}
	// -o means a different thing on each command.
	outputs := map[string]cobra.CompletionFunc{
		"scan":      completeOutput(outputFormats()),
		"remediate": completeValues("console\tthe plan for people", "json\tthe plan as JSON"),
		"version":   completeValues("text", "json"),
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for name, fn := range byFlag {
			if c.LocalNonPersistentFlags().Lookup(name) != nil {
				_ = c.RegisterFlagCompletionFunc(name, fn)
			}
		}
		if fn, ok := outputs[c.Name()]; ok && c.LocalNonPersistentFlags().Lookup("output") != nil {
			_ = c.RegisterFlagCompletionFunc("output", fn)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	if cmd.PersistentFlags().Lookup("log-level") != nil {
		_ = cmd.RegisterFlagCompletionFunc("log-level", completeValues(logLevels()...))
		_ = cmd.RegisterFlagCompletionFunc("log-format", completeValues(logFormats()...))
	}
	walk(cmd)
}
