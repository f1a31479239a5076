package scan

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/drift/ignore"
)

// readIgnore reads the stack's ignore rules: the local file opts.DriftIgnore
// names when it is set, else the .driftignore at the stack's root in the
// source (through the same files the configuration was read from: a
// commit's tree for a Git source). No file is no rules.
func readIgnore(src *Source, opts Options) (*ignore.Rules, error) {
	name := opts.DriftIgnore
	var data []byte
	var err error
	if name != "" {
		if data, err = os.ReadFile(name); err != nil {
			return nil, fmt.Errorf("reading the ignore file: %w", err)
		}
	} else {
		if src.ReadFile == nil {
			return nil, nil
		}
		name = path.Join(opts.Git.Path, ignore.FileName)
		data, err = src.ReadFile(ignore.FileName)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
	}
	return ignore.Parse(name, strings.NewReader(string(data)))
}

// dirReader reads files of a directory on disk.
func dirReader(dir string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, name)) }
}

// fsReader reads files of a Git checkout's files.
func fsReader(fsys fs.FS) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) { return fs.ReadFile(fsys, name) }
}

// applyIgnore applies the ignore rules to a scan's results: a resource a
// whole-resource rule matches is Ignored (unless its read failed: an
// unknown result stays unknown, since what it is was not checked, and
// remediation must go on treating it as possibly any unmanaged one), with the rule as its Reason and
// neither diffs nor values (remediation never changes it); the diffs of
// attributes an attribute rule matches are dropped, and a resource left
// without diffs is InSync, its Reason naming the rules. The desired value
// of a resource still drifted takes the live values at the dropped paths,
// so that remediation leaves those attributes alone.
func applyIgnore(results []drift.Result, rules *ignore.Rules) {
	if rules.Len() == 0 {
		return
	}
	for i := range results {
		res := &results[i]
		subject := ignore.Resource{Type: res.Type, ID: res.ID, Address: res.Address, IDSensitive: res.IDSensitive}
		if res.Status == drift.Unknown && !res.Unsupported {
			continue
		}
		if rule, ok := rules.Ignored(subject); ok {
			res.Status, res.Reason, res.Diffs = drift.Ignored, rule.String(), nil
			res.SetValues(cty.NilVal, cty.NilVal)
			continue
		}
		if res.Status != drift.Drifted {
			continue
		}
		var kept []drift.Diff
		var dropped []string
		byRule := map[string][]string{}
		var order []string
		for _, d := range res.Diffs {
			rule, ok := rules.AttributeIgnored(subject, d.Path)
			if !ok {
				kept = append(kept, d)
				continue
			}
			dropped = append(dropped, d.Path)
			key := rule.String()
			if byRule[key] == nil {
				order = append(order, key)
			}
			byRule[key] = append(byRule[key], d.Path)
		}
		if len(dropped) == 0 {
			continue
		}
		var reasons []string
		for _, key := range order {
			reasons = append(reasons, key+" ignores the drift of "+strings.Join(byRule[key], ", "))
		}
		res.Reason, res.Diffs = strings.Join(reasons, "; "), kept
		if len(kept) == 0 {
			res.Status = drift.InSync
			res.SetValues(cty.NilVal, cty.NilVal)
			continue
		}
		live := res.LiveValue()
		if desired := res.DesiredValue(); desired != cty.NilVal && live != cty.NilVal {
			res.SetValues(withIgnoredChanges(desired, live, dropped), live)
		}
	}
}
