package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"
)

// driftctlLines returns the driftctl command lines of a shell script (a
// command's Example, a CI job's script): lines continued with a trailing
// backslash are joined; a line counts when it runs driftctl, as in
// `driftctl scan ...`, `NO_COLOR=1 driftctl ...` or `"$BIN/driftctl" scan ...`.
func driftctlLines(script string) []string {
	script = strings.ReplaceAll(script, "\\\n", " ")
	var lines []string
	for line := range strings.Lines(script) {
		// Each command of a pipeline or list on its own.
		for _, cmd := range pipeline.Split(strings.TrimSpace(line), -1) {
			cmd = strings.TrimSpace(cmd)
			if driftctlAt(shellWords(cmd)) >= 0 {
				lines = append(lines, cmd)
			}
		}
	}
	return lines
}

// pipeline separates the commands of a shell line: |, &&, || and ;.
var pipeline = regexp.MustCompile(`\s(?:\|\|?|&&|;)\s`)

// driftctlAt is the index of the word that runs driftctl, the first after
// the environment assignments, or -1 when the line runs something else.
func driftctlAt(words []string) int {
	for i, w := range words {
		name, _, assign := strings.Cut(w, "=")
		if assign && name != "" && !strings.ContainsAny(name, "-/$") {
			continue
		}
		if w == "driftctl" || strings.HasSuffix(w, "/driftctl") {
			return i
		}
		return -1
	}
	return -1
}

// ciExpression is a CI system's expression (${{ inputs.args }}), which
// stands for one word here.
var ciExpression = regexp.MustCompile(`\$\{\{[^}]*\}\}`)

// shellWords splits a shell command line into words as far as a check of
// its flags needs: quotes group, and the words end at the first operator
// (|, >, <, ;, &&, ||) or comment.
func shellWords(line string) []string {
	line = ciExpression.ReplaceAllString(line, "EXPR")
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	for i, w := range words {
		if w == "|" || w == "||" || w == "&&" || w == ";" || strings.HasPrefix(w, ">") || strings.HasPrefix(w, "<") ||
			strings.HasPrefix(w, "2>") || strings.HasPrefix(w, "#") {
			return words[:i]
		}
	}
	return words
}

// checkCommandLine checks that a driftctl command line names a command of
// driftctl and only flags that command has, with values they accept (scan's
// -o values as scan parses them). Words before driftctl (environment
// assignments) are skipped.
func checkCommandLine(line string) error {
	words := shellWords(line)
	at := driftctlAt(words)
	if at < 0 {
		return fmt.Errorf("%q: no driftctl command", line)
	}
	root := newRootCommand(io.Discard, io.Discard)
	args := terraformFlags(words[at+1:])
	cmd, rest, err := root.Find(args)
	if err != nil {
		return fmt.Errorf("%q: %w", line, err)
	}
	if cmd == root && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		return fmt.Errorf("%q: %q is not a driftctl command", line, rest[0])
	}
	if err := cmd.ParseFlags(rest); err != nil {
		return fmt.Errorf("%q: driftctl %s: %w", line, cmd.Name(), err)
	}
	// scan's -o values are checked as scan checks them: formats, and one
	// report per destination.
	if cmd.Name() == "scan" {
		outputs, _ := cmd.Flags().GetStringArray("output")
		if _, err := parseOutputs(outputs); err != nil {
			return fmt.Errorf("%q: %w", line, err)
		}
	}
	return nil
}
