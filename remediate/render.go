package remediate

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/internal/atomicfile"
)

// ANSI styles, used only when the caller asks for colour.
const (
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

// WriteConsole prints the plan as terraform plan does: one block per
// change with its attributes, deletes of unmanaged resources apart and in
// red, what is skipped and why, and a summary line.
func WriteConsole(w io.Writer, p *Plan, color bool) error {
	paint := func(style, s string) string {
		if !color {
			return s
		}
		return style + s + reset
	}
	var b strings.Builder
	switch {
	case len(p.Changes) == 0:
		b.WriteString("No changes: the live resources are as Git declares them, as far as remediation can tell.\n")
	case p.Empty():
		b.WriteString("These changes are needed, and blocked:\n")
	default:
		b.WriteString("driftctl will perform the following actions:\n")
	}
	style := map[Action]string{Create: green, Update: yellow, Replace: red, Delete: red}
	for _, section := range []struct {
		title   string
		deletes bool
	}{{"", false}, {"Unmanaged resources that will be DELETED (--allow-delete):", true}} {
		first := true
		for _, c := range p.Changes {
			if (c.Action == Delete) != section.deletes {
				continue
			}
			if first && section.title != "" {
				fmt.Fprintf(&b, "\n%s\n", paint(red+bold, section.title))
			}
			first = false
			head := fmt.Sprintf("%s %s", c.Action, c.Address)
			switch {
			case c.ID == drift.SensitiveID && c.Action != Create:
				head += " " + c.ID
			case c.ID != "" && c.Action != Create:
				head += " (" + c.ID + ")"
			}
			fmt.Fprintf(&b, "\n  %s %s\n", paint(style[c.Action], head), describe(c))
			for _, a := range c.Attributes {
				from, to := "(sensitive)", "(sensitive)"
				switch {
				case a.Sensitive:
				case a.From == cty.NilVal && a.savedFrom != nil:
					// A saved plan shows its values as it saved them.
					from, to = string(a.savedFrom), string(a.savedTo)
				default:
					from, to = valueText(a.From), valueText(a.To)
				}
				mark := ""
				if a.ForceNew {
					mark = paint(red, "  # forces replacement")
				}
				fmt.Fprintf(&b, "      ~ %s: %s → %s%s\n", a.Path, from, to, mark)
			}
			if c.Blocked != "" {
				fmt.Fprintf(&b, "      %s\n", paint(red, "! not done: "+c.Blocked))
			}
		}
	}
	if len(p.Interrupted) > 0 {
		fmt.Fprintf(&b, "\n%s\n", paint(red+bold, "Interrupted earlier (see the audit log):"))
		for _, i := range p.Interrupted {
			fmt.Fprintf(&b, "  ! %s\n", i.Message())
		}
	}
	if len(p.Skipped) > 0 {
		b.WriteString("\nLeft alone:\n")
		for _, s := range p.Skipped {
			fmt.Fprintf(&b, "  # %s: %s\n", s.Address, s.Reason)
		}
	}
	fmt.Fprintf(&b, "\nPlan: %s.\n", p.Summary())
	_, err := io.WriteString(w, b.String())
	return err
}

func describe(c Change) string {
	switch c.Action {
	case Create:
		return "will be created"
	case Update:
		return "will be updated in place"
	case Replace:
		return "must be replaced: " + c.Reason
	case Delete:
		return "will be deleted"
	}
	return ""
}

// valueText renders a value compactly for the console, as HCL would
// write it; the unset attributes of an object (a security group rule's
// empty lists) are left out.
func valueText(v cty.Value) string {
	text := hclText(v)
	if len(text) > 160 {
		return text[:157] + "..."
	}
	return text
}

func hclText(v cty.Value) string {
	switch {
	case v == cty.NilVal || v.IsNull():
		return "null"
	case !v.IsKnown():
		return "(known after apply)"
	}
	ty := v.Type()
	switch {
	case ty.IsObjectType() || ty.IsMapType():
		var parts []string
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if ty.IsObjectType() && drift.Unset(e) {
				continue
			}
			parts = append(parts, k.AsString()+" = "+hclText(e))
		}
		sort.Strings(parts)
		return "{" + strings.Join(parts, ", ") + "}"
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		var parts []string
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			parts = append(parts, hclText(e))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return string(redactedJSON(v, false))
}

// WriteJSON writes the plan as JSON (the saved plan format).
func WriteJSON(w io.Writer, p *Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// Save writes the plan to path atomically.
func Save(path string, p *Plan) error {
	if err := atomicfile.Write(path, 0o600, func(w io.Writer) error { return WriteJSON(w, p) }); err != nil {
		return fmt.Errorf("saving the plan: %w", err)
	}
	return nil
}

// Load reads a saved plan.
func Load(path string) (*Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the plan: %w", err)
	}
	p, err := DecodePlan(data)
	if err != nil {
		return nil, fmt.Errorf("reading the plan %s: %w", path, err)
	}
	return p, nil
}

// WriteOutcomes prints what became of each change, the import lines for
// what was created, and a summary.
func WriteOutcomes(w io.Writer, outcomes []Outcome, color bool) error {
	paint := func(style, s string) string {
		if !color {
			return s
		}
		return style + s + reset
	}
	var b strings.Builder
	b.WriteString("\nResults:\n")
	counts := map[string]int{}
	var imports []Outcome
	for _, o := range outcomes {
		counts[o.Result]++
		style := green
		if o.Result != Verified {
			style = red
		}
		line := fmt.Sprintf("  %s %s: %s", o.Change.Action, o.Change.Address, paint(style, o.Result))
		if o.Error != "" {
			line += " (" + o.Error + ")"
		}
		b.WriteString(line + "\n")
		// The state already knows a resource recreated with the ID it
		// records (a bucket, a role): only new IDs need an import.
		if o.NewID != "" && o.NewID != o.Change.ID && (o.Result == Verified || o.Result == StillDrifted) && !strings.Contains(o.Change.Address, "/") {
			imports = append(imports, o)
		}
	}
	if len(imports) > 0 {
		// Remediation does not write Terraform's state: these lines let
		// the next terraform plan know what was created.
		b.WriteString("\nTerraform's state does not know the resources created; add these to the configuration:\n")
		for _, o := range imports {
			note := ""
			if o.NewID == drift.SensitiveID {
				note = "  # the ID is a sensitive value and is not shown: write the value that names it"
			}
			fmt.Fprintf(&b, "  import {\n    to = %s\n    id = %q%s\n  }\n", o.Change.Address, o.NewID, note)
		}
		b.WriteString("or run:\n")
		for _, o := range imports {
			id := o.NewID
			if id == drift.SensitiveID {
				id = "ID  # the ID is a sensitive value and is not shown"
			}
			fmt.Fprintf(&b, "  terraform import '%s' %s\n", o.Change.Address, id)
		}
	}
	fmt.Fprintf(&b, "\n%d applied and verified, %d applied but still drifted, %d failed, %d not attempted, %d blocked.\n",
		counts[Verified], counts[StillDrifted], counts[Failed], counts[NotAttempted], counts[Blocked])
	_, err := io.WriteString(w, b.String())
	return err
}
