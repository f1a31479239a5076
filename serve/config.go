// Package serve is driftctl's long-running exporter: it scans the stacks of
// a configuration file on their schedules, keeps the last result of each on
// disk, and serves it as Prometheus metrics and as JSON.
package serve

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/config"
	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/drift/filter"
	"github.com/gitdrift/driftctl/gitsource"
	"github.com/gitdrift/driftctl/state"
)

// Config is a driftctl.hcl file: server settings and the stacks to scan.
type Config struct {
	Server ServerConfig
	Stacks []*StackConfig
	// Files holds the parsed file for diagnostic snippets.
	Files map[string]*hcl.File
}

// ServerConfig is the server block. Command-line flags override it.
type ServerConfig struct {
	// Listen is the address to serve on (--web.listen-address); by
	// default the loopback interface only.
	Listen string
	// WebConfigFile is the Prometheus exporter toolkit's web configuration
	// (--web.config.file): TLS and basic authentication for every
	// endpoint. "" serves plain HTTP without authentication.
	WebConfigFile string
	// APIValues lets /api/v1/stacks show desired and live attribute
	// values (never sensitive ones); off by default.
	APIValues bool
	DataDir   string
	LogFormat string // "text" or "json"
	LogLevel  string // "debug", "info", "warn", "error"
	// MetricsMaxResources bounds driftctl_drift_info per stack.
	MetricsMaxResources int
	// CacheDir keeps the clones of remote repositories ("" = the user
	// cache directory).
	CacheDir string
	// AuditLog is where automatic remediation records its actions
	// (default: DataDir/audit.log).
	AuditLog string
}

// StackConfig is one stack block.
type StackConfig struct {
	Name string
	// Source is the directory of the stack's HCL, or the Git repository
	// it is read from (then Git says the ref and path).
	Source string
	Git    gitsource.Options
	// AllowOutsideFiles lets file() and the like read outside a local
	// source (scan's --allow-outside-files).
	AllowOutsideFiles bool
	// Poll is how often a repository is checked for a new commit, which
	// is scanned at once; 0 for a directory.
	Poll      time.Duration
	States    []string
	Vars      []config.VarArg
	Schedule  Schedule
	FailOn    map[drift.Status]bool
	Unmanaged bool
	// Timeout bounds one scan.
	Timeout time.Duration
	// Remediate is "auto" to bring drift back to the Git state after each
	// scan, or "off".
	Remediate string
	// RemediateDeletes lets automatic remediation delete unmanaged
	// resources (as --allow-delete).
	RemediateDeletes bool
	// AllowEmpty accepts a configuration without resources (as
	// --allow-empty); otherwise its scan fails.
	AllowEmpty bool
	// Limits bound the evaluation (as --max-instances, --max-value-bytes).
	Limits config.Limits
	// Workspace is the Terraform workspace (as --workspace); "" is
	// "default".
	Workspace string
	// PluginDirs and PluginTypes are scan's --plugin-dir and
	// --plugin-types ("" is "missing").
	PluginDirs  []string
	PluginTypes string
	// DriftIgnore is a local ignore file that replaces the stack's
	// .driftignore (driftignore); Filter keeps part of the results
	// (filter, only_managed, only_unmanaged; nil: all).
	DriftIgnore string
	Filter      *filter.Filter
	DeclRange   hcl.Range
}

// Defaults of a stack block.
const (
	DefaultSchedule = 15 * time.Minute
	DefaultTimeout  = 10 * time.Minute
	DefaultPoll     = time.Minute
	// DefaultListen is the loopback interface only: serve has no TLS or
	// authentication until a web configuration file gives them, so it is
	// exposed beyond the host only when asked (README, "Safe deployment").
	DefaultListen = "127.0.0.1:9725"
)

var (
	fileSchema = &hcl.BodySchema{
		Blocks: []hcl.BlockHeaderSchema{
			{Type: "server"},
			{Type: "stack", LabelNames: []string{"name"}},
		},
	}
	serverSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "listen"}, {Name: "data_dir"}, {Name: "log_format"}, {Name: "log_level"}, {Name: "metrics_max_resources"}, {Name: "cache_dir"},
			{Name: "audit_log"}, {Name: "web_config_file"}, {Name: "api_values"},
		},
	}
	stackSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "source"}, {Name: "repository"}, {Name: "ref"}, {Name: "path"},
			{Name: "state"}, {Name: "vars"}, {Name: "var_files"},
			{Name: "schedule"}, {Name: "fail_on"}, {Name: "unmanaged"}, {Name: "timeout"}, {Name: "poll"},
			{Name: "require_signed"}, {Name: "trusted_keys"}, {Name: "remediate"}, {Name: "remediate_allow_delete"},
			{Name: "allow_outside_files"},
			{Name: "allow_empty"}, {Name: "max_instances"}, {Name: "max_value_bytes"},
			{Name: "workspace"}, {Name: "plugin_dirs"}, {Name: "plugin_types"},
			{Name: "driftignore"}, {Name: "filter"}, {Name: "only_managed"}, {Name: "only_unmanaged"},
		},
	}
	stackName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
)

// LoadConfig reads and checks a configuration file. Every problem is a
// diagnostic naming its file and line. Relative stack sources, states and
// variable files are relative to the file's directory.
func LoadConfig(path string) (*Config, hcl.Diagnostics) {
	p := hclparse.NewParser()
	f, diags := config.ParseConfigFile(p, path)
	cfg := &Config{Files: p.Files(), Server: ServerConfig{Listen: DefaultListen, LogFormat: "text", LogLevel: "info", MetricsMaxResources: 1000}}
	if diags.HasErrors() {
		return cfg, diags
	}
	base := filepath.Dir(path)
	content, d := f.Body.Content(fileSchema)
	diags = append(diags, d...)
	seen := map[string]hcl.Range{}
	servers := 0
	for _, b := range content.Blocks {
		switch b.Type {
		case "server":
			servers++
			if servers > 1 {
				diags = append(diags, errorAt(b.DefRange, "Duplicate server block", "A configuration has at most one server block."))
				continue
			}
			diags = append(diags, decodeServer(b.Body, base, &cfg.Server)...)
		case "stack":
			name := b.Labels[0]
			if prev, ok := seen[name]; ok {
				diags = append(diags, errorAt(b.LabelRanges[0], "Duplicate stack", fmt.Sprintf("A stack named %q is already declared at %s:%d.", name, prev.Filename, prev.Start.Line)))
				continue
			}
			seen[name] = b.DefRange
			if !stackName.MatchString(name) {
				diags = append(diags, errorAt(b.LabelRanges[0], "Invalid stack name", "A stack name starts with a letter or digit and holds only letters, digits, '_', '.' and '-'."))
				continue
			}
			st, d := decodeStack(name, b, base)
			diags = append(diags, d...)
			if st != nil {
				cfg.Stacks = append(cfg.Stacks, st)
			}
		}
	}
	if len(cfg.Stacks) == 0 && !diags.HasErrors() {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No stacks", Detail: "The configuration declares no stack block; there is nothing to scan.", Subject: f.Body.MissingItemRange().Ptr()})
	}
	return cfg, diags
}

func errorAt(r hcl.Range, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: r.Ptr()}
}

// attrValue evaluates an attribute that may use no variables or functions.
func attrValue(a *hcl.Attribute, want cty.Type) (cty.Value, hcl.Diagnostics) {
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	if want == cty.DynamicPseudoType {
		return v, nil
	}
	c, err := convertValue(v, want)
	if err != nil {
		return cty.NilVal, hcl.Diagnostics{errorAt(a.Expr.Range(), "Invalid value for "+a.Name, fmt.Sprintf("%s must be %s: %v.", a.Name, want.FriendlyName(), err))}
	}
	return c, nil
}

func stringAttr(attrs hcl.Attributes, name string, dst *string) hcl.Diagnostics {
	a, ok := attrs[name]
	if !ok {
		return nil
	}
	v, diags := attrValue(a, cty.String)
	if diags.HasErrors() {
		return diags
	}
	*dst = v.AsString()
	return nil
}

func stringListAttr(attrs hcl.Attributes, name string) ([]string, hcl.Diagnostics) {
	a, ok := attrs[name]
	if !ok {
		return nil, nil
	}
	v, diags := attrValue(a, cty.List(cty.String))
	if diags.HasErrors() || v.IsNull() {
		return nil, diags
	}
	var out []string
	for _, e := range v.AsValueSlice() {
		out = append(out, e.AsString())
	}
	return out, nil
}

func decodeServer(body hcl.Body, base string, s *ServerConfig) hcl.Diagnostics {
	content, diags := body.Content(serverSchema)
	diags = append(diags, stringAttr(content.Attributes, "listen", &s.Listen)...)
	diags = append(diags, stringAttr(content.Attributes, "data_dir", &s.DataDir)...)
	if s.DataDir != "" && !filepath.IsAbs(s.DataDir) {
		s.DataDir = filepath.Join(base, s.DataDir)
	}
	diags = append(diags, stringAttr(content.Attributes, "audit_log", &s.AuditLog)...)
	if s.AuditLog != "" && !filepath.IsAbs(s.AuditLog) {
		s.AuditLog = filepath.Join(base, s.AuditLog)
	}
	diags = append(diags, stringAttr(content.Attributes, "web_config_file", &s.WebConfigFile)...)
	if s.WebConfigFile != "" && !filepath.IsAbs(s.WebConfigFile) {
		s.WebConfigFile = filepath.Join(base, s.WebConfigFile)
	}
	if a, ok := content.Attributes["api_values"]; ok {
		v, d := attrValue(a, cty.Bool)
		diags = append(diags, d...)
		if !d.HasErrors() && !v.IsNull() {
			s.APIValues = v.True()
		}
	}
	diags = append(diags, stringAttr(content.Attributes, "cache_dir", &s.CacheDir)...)
	if s.CacheDir != "" && !filepath.IsAbs(s.CacheDir) {
		s.CacheDir = filepath.Join(base, s.CacheDir)
	}
	if a, ok := content.Attributes["log_format"]; ok {
		diags = append(diags, stringAttr(content.Attributes, "log_format", &s.LogFormat)...)
		if s.LogFormat != "text" && s.LogFormat != "json" {
			diags = append(diags, errorAt(a.Expr.Range(), "Invalid log_format", `log_format is "text" or "json".`))
		}
	}
	if a, ok := content.Attributes["log_level"]; ok {
		diags = append(diags, stringAttr(content.Attributes, "log_level", &s.LogLevel)...)
		switch s.LogLevel {
		case "debug", "info", "warn", "error":
		default:
			diags = append(diags, errorAt(a.Expr.Range(), "Invalid log_level", `log_level is "debug", "info", "warn" or "error".`))
		}
	}
	if a, ok := content.Attributes["metrics_max_resources"]; ok {
		v, d := attrValue(a, cty.Number)
		diags = append(diags, d...)
		if !d.HasErrors() {
			n, acc := v.AsBigFloat().Int64()
			if acc != 0 || n < 0 {
				diags = append(diags, errorAt(a.Expr.Range(), "Invalid metrics_max_resources", "metrics_max_resources is a whole number, 0 or more."))
			} else {
				s.MetricsMaxResources = int(n)
			}
		}
	}
	return diags
}

func decodeStack(name string, b *hcl.Block, base string) (*StackConfig, hcl.Diagnostics) {
	content, diags := b.Body.Content(stackSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	attrs := content.Attributes
	st := &StackConfig{Name: name, Schedule: Every(DefaultSchedule), FailOn: map[drift.Status]bool{drift.Drifted: true, drift.Missing: true},
		Unmanaged: true, Timeout: DefaultTimeout, DeclRange: b.DefRange}

	diags = append(diags, decodeStackSource(st, attrs, b, base)...)
	diags = append(diags, decodeStackLimits(st, attrs)...)
	diags = append(diags, decodeStackFilters(st, attrs, base)...)

	states, d := stringListAttr(attrs, "state")
	diags = append(diags, d...)
	for i, loc := range states {
		if !strings.Contains(loc, "://") && !filepath.IsAbs(loc) {
			loc = filepath.Join(base, loc)
			states[i] = loc
		}
		// A pattern's matches are found at each scan (state.Expand), which
		// fails on a pattern that matches nothing.
		if !strings.Contains(loc, "://") && !state.IsPattern(loc) {
			if _, err := os.Stat(loc); err != nil {
				diags = append(diags, errorAt(attrs["state"].Expr.Range(), "State not found", fmt.Sprintf("The state file %s does not exist.", loc)))
			}
		}
	}
	st.States = states

	dirs, d := stringListAttr(attrs, "plugin_dirs")
	diags = append(diags, d...)
	for _, dir := range dirs {
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(base, dir)
		}
		st.PluginDirs = append(st.PluginDirs, dir)
	}
	if a, ok := attrs["plugin_types"]; ok {
		diags = append(diags, stringAttr(attrs, "plugin_types", &st.PluginTypes)...)
		switch st.PluginTypes {
		case "missing", "all", "none":
		default:
			diags = append(diags, errorAt(a.Expr.Range(), "Invalid plugin_types", `plugin_types is "missing", "all" or "none".`))
		}
	}

	files, d := stringListAttr(attrs, "var_files")
	diags = append(diags, d...)
	for _, f := range files {
		if !filepath.IsAbs(f) {
			f = filepath.Join(base, f)
		}
		st.Vars = append(st.Vars, config.VarArg{File: true, Value: f})
	}
	if a, ok := attrs["vars"]; ok {
		v, d := attrValue(a, cty.DynamicPseudoType)
		diags = append(diags, d...)
		if !d.HasErrors() {
			if !v.Type().IsObjectType() && !v.Type().IsMapType() {
				diags = append(diags, errorAt(a.Expr.Range(), "Invalid vars", "vars is an object of variable values: vars = { env = \"prod\" }."))
			} else {
				for _, k := range slices.Sorted(maps.Keys(v.AsValueMap())) {
					st.Vars = append(st.Vars, config.VarArg{Value: k + "=" + varLiteral(v.GetAttr(k))})
				}
			}
		}
	}

	if a, ok := attrs["schedule"]; ok {
		var text string
		if d := stringAttr(attrs, "schedule", &text); d.HasErrors() {
			diags = append(diags, d...)
		} else if sched, err := ParseSchedule(text); err != nil {
			diags = append(diags, errorAt(a.Expr.Range(), "Invalid schedule", err.Error()))
		} else {
			st.Schedule = sched
		}
	}
	if a, ok := attrs["fail_on"]; ok {
		list, d := stringListAttr(attrs, "fail_on")
		diags = append(diags, d...)
		st.FailOn = map[drift.Status]bool{}
		for _, s := range list {
			switch drift.Status(s) {
			case drift.Drifted, drift.Missing, drift.Unmanaged, drift.Unknown:
				st.FailOn[drift.Status(s)] = true
			default:
				diags = append(diags, errorAt(a.Expr.Range(), "Invalid fail_on", fmt.Sprintf("%q is not one of drifted, missing, unmanaged, unknown.", s)))
			}
		}
	}
	if a, ok := attrs["unmanaged"]; ok {
		var mode string
		diags = append(diags, stringAttr(attrs, "unmanaged", &mode)...)
		switch mode {
		case "declared":
		case "none":
			st.Unmanaged = false
		default:
			diags = append(diags, errorAt(a.Expr.Range(), "Invalid unmanaged", `unmanaged is "declared" or "none".`))
		}
	}
	st.Remediate = "off"
	if a, ok := attrs["remediate"]; ok {
		diags = append(diags, stringAttr(attrs, "remediate", &st.Remediate)...)
		if st.Remediate != "off" && st.Remediate != "auto" {
			diags = append(diags, errorAt(a.Expr.Range(), "Invalid remediate", `remediate is "off" or "auto".`))
		}
	}
	if a, ok := attrs["remediate_allow_delete"]; ok {
		v, d := attrValue(a, cty.Bool)
		diags = append(diags, d...)
		if !d.HasErrors() && !v.IsNull() {
			st.RemediateDeletes = v.True()
		}
	}
	if a, ok := attrs["timeout"]; ok {
		var text string
		diags = append(diags, stringAttr(attrs, "timeout", &text)...)
		if dur, err := time.ParseDuration(text); err != nil || dur <= 0 {
			diags = append(diags, errorAt(a.Expr.Range(), "Invalid timeout", "timeout is a positive duration such as \"10m\"."))
		} else {
			st.Timeout = dur
		}
	}
	return st, diags
}

// decodeStackSource reads where a stack's HCL comes from: a directory
// (source) or a Git repository (repository, ref, path, poll,
// require_signed, trusted_keys).
func decodeStackSource(st *StackConfig, attrs hcl.Attributes, b *hcl.Block, base string) hcl.Diagnostics {
	var diags hcl.Diagnostics
	// allow_outside_files: file() and the like may read outside a local
	// source (scan's --allow-outside-files).
	if a, ok := attrs["allow_outside_files"]; ok {
		v, d := attrValue(a, cty.Bool)
		diags = append(diags, d...)
		if !d.HasErrors() && !v.IsNull() {
			st.AllowOutsideFiles = v.True()
		}
	}
	src, hasSource := attrs["source"]
	repo, hasRepo := attrs["repository"]
	switch {
	case hasSource && hasRepo:
		return append(diags, errorAt(repo.NameRange, "Both source and repository", "A stack reads its HCL from a directory (source) or a Git repository (repository), not both."))
	case !hasSource && !hasRepo:
		return append(diags, errorAt(b.DefRange, "Missing source", fmt.Sprintf("Stack %q needs source = \"DIRECTORY\" or repository = \"URL\".", st.Name)))
	case hasSource:
		for _, git := range []string{"ref", "path", "poll", "require_signed", "trusted_keys"} {
			if a, ok := attrs[git]; ok {
				diags = append(diags, errorAt(a.NameRange, "Git setting without a repository", fmt.Sprintf("%s applies to a stack read from a repository.", git)))
			}
		}
		if d := stringAttr(attrs, "source", &st.Source); d.HasErrors() {
			return append(diags, d...)
		}
		if !filepath.IsAbs(st.Source) {
			st.Source = filepath.Join(base, st.Source)
		}
		if fi, err := os.Stat(st.Source); err != nil || !fi.IsDir() {
			diags = append(diags, errorAt(src.Expr.Range(), "Source is not a directory", fmt.Sprintf("%s is not a directory.", st.Source)))
		}
		return diags
	}
	diags = append(diags, stringAttr(attrs, "repository", &st.Source)...)
	if !gitsource.IsRemote(st.Source) {
		if !filepath.IsAbs(st.Source) {
			st.Source = filepath.Join(base, st.Source)
		}
		if !gitsource.IsRepository(st.Source) {
			diags = append(diags, errorAt(repo.Expr.Range(), "Not a Git repository", fmt.Sprintf("%s is neither a repository URL nor a local Git repository.", st.Source)))
		}
	}
	diags = append(diags, stringAttr(attrs, "ref", &st.Git.Ref)...)
	diags = append(diags, stringAttr(attrs, "path", &st.Git.Path)...)
	st.Poll = DefaultPoll
	if a, ok := attrs["poll"]; ok {
		var text string
		diags = append(diags, stringAttr(attrs, "poll", &text)...)
		if d, err := time.ParseDuration(text); err != nil || d < 0 {
			diags = append(diags, errorAt(a.Expr.Range(), "Invalid poll", "poll is a duration such as \"1m\", or \"0s\" not to poll."))
		} else {
			st.Poll = d
		}
	}
	if a, ok := attrs["require_signed"]; ok {
		v, d := attrValue(a, cty.Bool)
		diags = append(diags, d...)
		if !d.HasErrors() && !v.IsNull() {
			st.Git.RequireSigned = v.True()
		}
	}
	if a, ok := attrs["trusted_keys"]; ok {
		var file string
		diags = append(diags, stringAttr(attrs, "trusted_keys", &file)...)
		if !filepath.IsAbs(file) {
			file = filepath.Join(base, file)
		}
		keys, err := os.ReadFile(file)
		if err != nil {
			diags = append(diags, errorAt(a.Expr.Range(), "Cannot read trusted_keys", err.Error()))
		}
		st.Git.TrustedKeys = string(keys)
	}
	if st.Git.RequireSigned && st.Git.TrustedKeys == "" {
		diags = append(diags, errorAt(b.DefRange, "require_signed without trusted_keys", "require_signed needs trusted_keys = \"FILE\" (armored OpenPGP public keys)."))
	}
	return diags
}

// varLiteral renders a variable value as -var does: strings as they are,
// other values as HCL.
func varLiteral(v cty.Value) string {
	if v.Type() == cty.String && !v.IsNull() {
		return v.AsString()
	}
	return strings.TrimSpace(string(hclwrite.TokensForValue(v).Bytes()))
}
