package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// The wire format of state version 4, as terraform's
// internal/states/statefile/version4.go writes it. Fields driftctl does not
// use (check_results, create_before_destroy) are not decoded.
type stateV4 struct {
	Version          int                      `json:"version"`
	TerraformVersion string                   `json:"terraform_version"`
	Serial           uint64                   `json:"serial"`
	Lineage          string                   `json:"lineage"`
	RootOutputs      map[string]outputStateV4 `json:"outputs"`
	Resources        []resourceStateV4        `json:"resources"`
}

type outputStateV4 struct {
	ValueRaw     json.RawMessage `json:"value"`
	ValueTypeRaw json.RawMessage `json:"type"`
	Sensitive    bool            `json:"sensitive"`
}

type resourceStateV4 struct {
	Module         string                  `json:"module"`
	Mode           string                  `json:"mode"`
	Type           string                  `json:"type"`
	Name           string                  `json:"name"`
	ProviderConfig string                  `json:"provider"`
	Instances      []instanceObjectStateV4 `json:"instances"`
}

type instanceObjectStateV4 struct {
	IndexKey any    `json:"index_key"`
	Status   string `json:"status"`
	Deposed  string `json:"deposed"`

	SchemaVersion           uint64            `json:"schema_version"`
	AttributesRaw           json.RawMessage   `json:"attributes"`
	AttributesFlat          map[string]string `json:"attributes_flat"`
	AttributeSensitivePaths json.RawMessage   `json:"sensitive_attributes"`
	// Private is base64 in the JSON; encoding/json decodes it.
	Private []byte `json:"private"`

	Dependencies []string `json:"dependencies"`
}

// pathStepV4 is one step of a sensitive attribute path: {"type":"get_attr",
// "value":"password"} or {"type":"index","value":{"value":0,"type":"number"}}.
type pathStepV4 struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

// Parse reads a Terraform state from data; name (a file name or location)
// is used in errors and kept as the state's Location. Errors are
// *ParseError values that match ErrInvalid, and also ErrNoState for an
// empty state and ErrUnsupportedVersion for a version other than 4.
func Parse(name string, data []byte) (*State, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &ParseError{Name: name, Err: ErrNoState}
	}
	// Read the version first, as Terraform does, so a state of another
	// version is reported as such rather than as a field of the wrong type.
	var sniff struct {
		Version *json.Number `json:"version"`
	}
	if err := json.Unmarshal(data, &sniff); err != nil {
		return nil, jsonError(name, data, err)
	}
	if sniff.Version == nil {
		return nil, &ParseError{Name: name, Err: errors.New(`the state has no "version" field`)}
	}
	if v := sniff.Version.String(); v != fmt.Sprint(SupportedVersion) {
		return nil, &ParseError{Name: name, Err: fmt.Errorf("%w %s; driftctl reads version %d, written by Terraform 0.12 and later", ErrUnsupportedVersion, v, SupportedVersion)}
	}

	var raw stateV4
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, jsonError(name, data, err)
	}
	st, err := convert(&raw)
	if err != nil {
		return nil, &ParseError{Name: name, Err: err}
	}
	st.Location = name
	return st, nil
}

// convert turns the wire form into the domain one.
func convert(raw *stateV4) (*State, error) {
	st := &State{
		Version:          raw.Version,
		TerraformVersion: raw.TerraformVersion,
		Serial:           raw.Serial,
		Lineage:          raw.Lineage,
		Outputs:          map[string]Output{},
		index:            map[string]*Instance{},
	}
	seen := map[string]bool{}
	// A large state repeats its types, modes and provider addresses on
	// every resource: one copy of each is kept.
	interned := map[string]string{}
	intern := func(s string) string {
		if i, ok := interned[s]; ok {
			return i
		}
		interned[s] = s
		return s
	}
	for _, rs := range raw.Resources {
		rs.Mode, rs.Type, rs.Module, rs.ProviderConfig = intern(rs.Mode), intern(rs.Type), intern(rs.Module), intern(rs.ProviderConfig)
		if rs.Mode != ModeManaged && rs.Mode != ModeData {
			return nil, fmt.Errorf("resource %s.%s has the unsupported mode %q", rs.Type, rs.Name, rs.Mode)
		}
		if rs.Type == "" || rs.Name == "" {
			return nil, fmt.Errorf("a resource in module %q has no type or name", rs.Module)
		}
		source, alias, ok := parseProvider(rs.ProviderConfig)
		if !ok {
			return nil, fmt.Errorf("resource %s has the invalid provider address %q", instanceAddress(rs.Module, rs.Mode, rs.Type, rs.Name, nil), rs.ProviderConfig)
		}
		for _, is := range rs.Instances {
			if is.Deposed != "" {
				continue
			}
			in, err := convertInstance(rs, is)
			if err != nil {
				return nil, err
			}
			in.Provider, in.ProviderSource, in.ProviderAlias = rs.ProviderConfig, intern(source), intern(alias)
			if seen[in.Address] {
				return nil, fmt.Errorf("instance %s appears more than once", in.Address)
			}
			seen[in.Address] = true
			st.Instances = append(st.Instances, in)
			if in.Mode == ModeManaged {
				st.index[in.Address] = in
			}
		}
	}
	for name, o := range raw.RootOutputs {
		ty, err := ctyjson.UnmarshalType(o.ValueTypeRaw)
		if err != nil {
			return nil, fmt.Errorf("output %q has an invalid type: %w", name, err)
		}
		v, err := ctyjson.Unmarshal(o.ValueRaw, ty)
		if err != nil {
			return nil, fmt.Errorf("output %q has an invalid value: %w", name, err)
		}
		st.Outputs[name] = Output{Value: v, Sensitive: o.Sensitive}
	}
	return st, nil
}

func convertInstance(rs resourceStateV4, is instanceObjectStateV4) (*Instance, error) {
	var key any
	switch k := is.IndexKey.(type) {
	case nil:
	case float64:
		// encoding/json gives every number as float64; count indexes are
		// small whole numbers.
		if k != float64(int(k)) || k < 0 {
			return nil, fmt.Errorf("resource %s has an instance with the invalid key %v", instanceAddress(rs.Module, rs.Mode, rs.Type, rs.Name, nil), k)
		}
		key = int(k)
	case string:
		key = k
	default:
		return nil, fmt.Errorf("resource %s has an instance with the invalid key %v", instanceAddress(rs.Module, rs.Mode, rs.Type, rs.Name, nil), k)
	}
	in := &Instance{
		Address:       instanceAddress(rs.Module, rs.Mode, rs.Type, rs.Name, key),
		Module:        rs.Module,
		Mode:          rs.Mode,
		Type:          rs.Type,
		Name:          rs.Name,
		Key:           key,
		SchemaVersion: is.SchemaVersion,
		Dependencies:  is.Dependencies,
	}
	switch is.Status {
	case "":
	case "tainted":
		in.Tainted = true
	default:
		return nil, fmt.Errorf("instance %s has the invalid status %q", in.Address, is.Status)
	}

	attrs := []byte(is.AttributesRaw)
	switch {
	case len(attrs) > 0 && string(attrs) != "null":
	case is.AttributesFlat != nil:
		// Terraform 0.11 flatmap attributes that were never upgraded: keep
		// them as strings keyed by their flat path.
		var err error
		if attrs, err = json.Marshal(is.AttributesFlat); err != nil {
			return nil, fmt.Errorf("instance %s: encoding flat attributes: %w", in.Address, err)
		}
	default:
		attrs = []byte("{}")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(attrs, &top); err != nil {
		return nil, fmt.Errorf("instance %s: attributes must be a JSON object: %w", in.Address, err)
	}
	if _, err := impliedValue(attrs); err != nil {
		return nil, fmt.Errorf("instance %s: decoding attributes: %w", in.Address, err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, attrs); err != nil {
		return nil, fmt.Errorf("instance %s: attributes: %w", in.Address, err)
	}
	// The provider's private data rides at the end of the attributes'
	// buffer (see Instance.raw): an instance without it costs nothing.
	if uint64(len(is.Private)) > math.MaxUint32 {
		return nil, fmt.Errorf("instance %s: private data of %d bytes is too large", in.Address, len(is.Private))
	}
	raw := make([]byte, 0, compact.Len()+len(is.Private))
	raw = append(raw, compact.Bytes()...)
	in.raw = append(raw, is.Private...)
	in.privateLen = uint32(len(is.Private))
	if id, ok := top["id"]; ok {
		var v any
		dec := json.NewDecoder(bytes.NewReader(id))
		dec.UseNumber()
		if err := dec.Decode(&v); err == nil {
			switch id := v.(type) {
			case string:
				in.ID = id
			case json.Number:
				in.ID = id.String()
			}
		}
	}

	if len(is.AttributeSensitivePaths) > 0 {
		paths, err := sensitivePaths(is.AttributeSensitivePaths)
		if err != nil {
			return nil, fmt.Errorf("instance %s: sensitive_attributes: %w", in.Address, err)
		}
		in.SensitivePaths = paths
	}
	return in, nil
}

// sensitivePaths decodes sensitive_attributes: a list of paths, each a list
// of steps.
func sensitivePaths(src []byte) ([]cty.Path, error) {
	var raw [][]pathStepV4
	if err := json.Unmarshal(src, &raw); err != nil {
		return nil, err
	}
	paths := make([]cty.Path, 0, len(raw))
	for _, steps := range raw {
		path := make(cty.Path, 0, len(steps))
		for _, s := range steps {
			switch s.Type {
			case "get_attr":
				var name string
				if err := json.Unmarshal(s.Value, &name); err != nil {
					return nil, fmt.Errorf("get_attr step: %w", err)
				}
				path = append(path, cty.GetAttrStep{Name: name})
			case "index":
				k, err := ctyjson.Unmarshal(s.Value, cty.DynamicPseudoType)
				if err != nil {
					return nil, fmt.Errorf("index step: %w", err)
				}
				path = append(path, cty.IndexStep{Key: k})
			default:
				return nil, fmt.Errorf("unsupported path step type %q", s.Type)
			}
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// jsonError turns an encoding/json error into a ParseError that locates it.
func jsonError(name string, data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off := syn.Offset
		if off >= int64(len(data)) {
			// Unexpected end of input: point just past the last byte.
			off = int64(len(data)) + 1
		}
		line, col := position(data, off)
		return &ParseError{Name: name, Line: line, Column: col, Offset: syn.Offset, Err: syn}
	case errors.As(err, &typ):
		// The error's offset is just past the offending value; point at
		// its start instead.
		off := valueStart(data, typ.Offset)
		line, col := position(data, off)
		field := typ.Field
		if field == "" {
			field = "the state"
		}
		return &ParseError{Name: name, Line: line, Column: col, Offset: off, Err: fmt.Errorf("%s must be %s, not %s", field, jsonKind(typ.Type), typ.Value)}
	}
	return &ParseError{Name: name, Err: err}
}

// position converts a byte offset into a 1-based line and column (in
// bytes), naming the byte just before offset as encoding/json's offsets
// count the offending byte as read.
func position(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data))+1 {
		offset = int64(len(data)) + 1
	}
	if offset < 1 {
		return 1, 1
	}
	before := data[:offset-1]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// valueStart finds where the JSON value that ends at offset starts, for
// scalars: it walks back over the token. Objects and arrays keep offset.
func valueStart(data []byte, offset int64) int64 {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	i := offset - 1
	if i < 0 {
		return 1
	}
	if data[i] == '"' {
		for i--; i > 0; i-- {
			if data[i] == '"' && data[i-1] != '\\' {
				return i + 1
			}
		}
		return 1
	}
	for i > 0 && bytes.IndexByte([]byte(",:[{ \t\r\n"), data[i-1]) < 0 {
		i--
	}
	return i + 1
}

// jsonKind names the JSON kind a Go type decodes from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a " + t.String()
}
