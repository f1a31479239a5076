// Package state reads Terraform state (format version 4, written by
// Terraform 0.12 and later) from local files, S3 objects (either named or
// matched by a glob), HTTP URLs and HCP Terraform workspaces, and
// gives driftctl what it needs from it: the address, provider and live ID of
// every resource instance and its attributes as last recorded.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Sentinel errors. Every error from Parse and Load that is about the
// content of a state wraps ErrInvalid; callers map both ErrInvalid and
// ErrNotFound to "the scan could not be completed".
var (
	// ErrNotFound means the state file or object does not exist.
	ErrNotFound = errors.New("state not found")
	// ErrInvalid means the state exists but cannot be read as a Terraform
	// state: malformed JSON, an unsupported version, an invalid instance.
	ErrInvalid = errors.New("invalid state")
	// ErrNoState means the state is empty (zero bytes or only whitespace),
	// as Terraform leaves a local state before the first apply. It also
	// matches ErrInvalid.
	ErrNoState = errors.New("state is empty")
	// ErrUnsupportedVersion means the state's format version is not 4. It
	// also matches ErrInvalid.
	ErrUnsupportedVersion = errors.New("unsupported state format version")
)

// SupportedVersion is the only state format version driftctl reads.
const SupportedVersion = 4

// ParseError is a problem with the content of a state. Line and Column
// (1-based) and Offset (bytes) locate it when it is a JSON problem; they are
// zero otherwise. It matches ErrInvalid with errors.Is.
type ParseError struct {
	// Name is the file name or location the state was read from.
	Name   string
	Line   int
	Column int
	Offset int64
	Err    error
}

// Error reads "reading state NAME: line L, column C: problem".
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("reading state ")
	b.WriteString(e.Name)
	b.WriteString(": ")
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d, column %d: ", e.Line, e.Column)
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying problem.
func (e *ParseError) Unwrap() error { return e.Err }

// Is makes every ParseError match ErrInvalid.
func (e *ParseError) Is(target error) bool { return target == ErrInvalid }

// State is a Terraform state: the current object of every resource
// instance, managed and data. Deposed objects (left by create_before_destroy
// replacements that failed) are not included.
type State struct {
	// Version is the state format version (always 4).
	Version          int
	TerraformVersion string
	Serial           uint64
	Lineage          string
	// Instances are in the order the state lists them (Terraform sorts by
	// module, mode, type, name, then key).
	Instances []*Instance
	// Outputs are the root module's output values.
	Outputs map[string]Output
	// Location is where the state was read from: the name given to Parse,
	// or the location given to Load.
	Location string

	// index maps the address of every managed instance to it; built by
	// Parse. A State built by hand has none and Lookup scans Instances.
	index map[string]*Instance
}

// Output is one root module output value.
type Output struct {
	Value     cty.Value
	Sensitive bool
}

// Lookup returns the managed resource instance at address (such as
// aws_subnet.private["a"] or module.net.aws_vpc.main), or nil when the state
// has none. Data resources are never returned. A nil State has no instances.
func (s *State) Lookup(address string) *Instance {
	if s == nil {
		return nil
	}
	if s.index != nil {
		return s.index[address]
	}
	for _, in := range s.Instances {
		if in.Mode == ModeManaged && in.Address == address {
			return in
		}
	}
	return nil
}

// LookupData returns the data source instance at address
// ("data.aws_ami.base", "data.aws_ami.base[0]"), or nil. Terraform records
// every data source it read in the state, as it read it.
func (s *State) LookupData(address string) *Instance {
	if s == nil {
		return nil
	}
	for _, in := range s.Instances {
		if in.Mode == ModeData && in.Address == address {
			return in
		}
	}
	return nil
}

// Resource modes.
const (
	ModeManaged = "managed"
	ModeData    = "data"
)

// Instance is the current object of one resource instance.
type Instance struct {
	// Address is the Terraform instance address: aws_vpc.main,
	// aws_subnet.private["a"], aws_instance.web[0], data.aws_ami.ubuntu,
	// module.net.aws_vpc.main.
	Address string
	// Module is the module instance address ("" for the root module):
	// module.net, module.net["a"].module.sub.
	Module string
	// Mode is ModeManaged or ModeData.
	Mode string
	Type string
	Name string
	// Key is the count index (int), the for_each key (string), or nil.
	Key any
	// Provider is the provider configuration address as the state writes
	// it: provider["registry.terraform.io/hashicorp/aws"].west.
	Provider string
	// ProviderSource is the provider's source address
	// (registry.terraform.io/hashicorp/aws), or its bare type (aws) in
	// states written by Terraform 0.12.
	ProviderSource string
	// ProviderAlias is the provider configuration's alias ("west"), "" for
	// the default configuration.
	ProviderAlias string
	// ID is the "id" attribute ("" when there is none).
	ID string
	// SensitivePaths are the attribute paths that Terraform recorded as
	// sensitive (from sensitive_attributes).
	SensitivePaths []cty.Path
	// Tainted is true when Terraform marked the object for replacement.
	Tainted bool
	// privateLen is how many bytes at the end of raw are the provider's
	// private data. It sits in Tainted's padding, so keeping private data
	// does not grow an Instance (a 100,000-resource state holds 100,000).
	privateLen uint32
	// SchemaVersion is the provider's schema version for the attributes,
	// which the provider's UpgradeResourceState takes.
	SchemaVersion uint64
	// Dependencies are the addresses of resources this one depends on.
	Dependencies []string

	// raw is the recorded attributes' JSON object, compacted: a large
	// state's instances are kept as their JSON, which takes a fraction of
	// the memory of decoded values, and decoded when asked. The last
	// privateLen bytes are the private data.
	raw []byte
}

// attrsJSON is the attributes' JSON, without the private data.
func (in *Instance) attrsJSON() []byte {
	return in.raw[:len(in.raw)-int(in.privateLen)]
}

// RawAttributes returns the recorded attributes' JSON object, as
// UpgradeResourceState takes it. The bytes are shared: do not modify them.
func (in *Instance) RawAttributes() []byte {
	raw := in.attrsJSON()
	return raw[:len(raw):len(raw)]
}

// Private returns the provider's private data for the object, as the
// state's base64 "private" field holds it, decoded: opaque bytes that
// Terraform hands back to the provider (ReadResource, PlanResourceChange;
// terraform-plugin-sdk v2 keeps timeouts and its schema version there).
// It is nil when the state records none. The bytes are shared: do not
// modify them.
func (in *Instance) Private() []byte {
	if in.privateLen == 0 {
		return nil
	}
	n := len(in.raw)
	return in.raw[n-int(in.privateLen) : n : n]
}

// Attributes returns the recorded attributes as decoded by encoding/json:
// numbers are float64. Value gives them exactly, as cty.
func (in *Instance) Attributes() map[string]any {
	m := map[string]any{}
	if raw := in.attrsJSON(); len(raw) > 0 {
		_ = json.Unmarshal(raw, &m)
	}
	return m
}

// Value returns the attributes as a cty object with the types implied by
// their JSON (objects for blocks and maps, tuples for lists and sets), for
// evaluating references such as aws_vpc.main.id. It returns cty.EmptyObjectVal
// when the instance has no attributes.
func (in *Instance) Value() cty.Value {
	raw := in.attrsJSON()
	if len(raw) == 0 || string(raw) == "{}" {
		return cty.EmptyObjectVal
	}
	v, err := impliedValue(raw)
	if err != nil {
		return cty.DynamicVal
	}
	return v
}

// IsSensitive reports whether path, or an attribute that contains it, was
// recorded as sensitive.
func (in *Instance) IsSensitive(path cty.Path) bool {
	for _, p := range in.SensitivePaths {
		if len(p) <= len(path) && p.Equals(path[:len(p)]) {
			return true
		}
	}
	return false
}

// impliedValue decodes a JSON document as cty with its implied type.
func impliedValue(src []byte) (cty.Value, error) {
	ty, err := ctyjson.ImpliedType(src)
	if err != nil {
		return cty.NilVal, err
	}
	return ctyjson.Unmarshal(src, ty)
}

// instanceAddress formats a resource instance address as Terraform does.
func instanceAddress(module, mode, typ, name string, key any) string {
	var b strings.Builder
	if module != "" {
		b.WriteString(module)
		b.WriteByte('.')
	}
	if mode == ModeData {
		b.WriteString("data.")
	}
	b.WriteString(typ)
	b.WriteByte('.')
	b.WriteString(name)
	switch k := key.(type) {
	case int:
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(k))
		b.WriteByte(']')
	case string:
		b.WriteByte('[')
		b.WriteString(quoteKey(k))
		b.WriteByte(']')
	}
	return b.String()
}

// quoteKey quotes a for_each key as Terraform's addrs.StringKey does: HCL
// string syntax, so template sequences are escaped too.
func quoteKey(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '$', '%':
			b.WriteRune(r)
			if i+1 < len(s) && s[i+1] == '{' {
				b.WriteRune(r)
			}
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// parseProvider splits a provider configuration address, in its current
// form (module.x.provider["registry.terraform.io/hashicorp/aws"].west) or
// Terraform 0.12's (module.x.provider.aws.west), into source and alias.
func parseProvider(addr string) (source, alias string, ok bool) {
	if i := strings.LastIndex(addr, `provider["`); i >= 0 {
		rest := addr[i+len(`provider["`):]
		j := strings.Index(rest, `"]`)
		if j < 0 {
			return "", "", false
		}
		source, rest = rest[:j], rest[j+2:]
		if rest == "" {
			return source, "", true
		}
		if !strings.HasPrefix(rest, ".") || len(rest) == 1 {
			return "", "", false
		}
		return source, rest[1:], true
	}
	if i := strings.LastIndex(addr, "provider."); i >= 0 && (i == 0 || addr[i-1] == '.') {
		parts := strings.Split(addr[i+len("provider."):], ".")
		switch {
		case len(parts) == 1 && parts[0] != "":
			return parts[0], "", true
		case len(parts) == 2 && parts[0] != "" && parts[1] != "":
			return parts[0], parts[1], true
		}
	}
	return "", "", false
}

// Merge combines states read from several locations (repeated --state) into
// one; where two record the same address, the later one wins.
func Merge(states ...*State) *State {
	merged := &State{Version: SupportedVersion, index: map[string]*Instance{}}
	var locs []string
	for _, s := range states {
		if s == nil {
			continue
		}
		locs = append(locs, s.Location)
		for _, in := range s.Instances {
			merged.Instances = append(merged.Instances, in)
			if in.Mode == ModeManaged {
				merged.index[in.Address] = in
			}
		}
	}
	merged.Location = strings.Join(locs, ",")
	return merged
}
