package config

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// moreFunctions are the rest of Terraform v1.11's built-in functions that
// need no module beyond the standard library, and error stubs for those
// driftctl does not implement.
func moreFunctions(files moduleFiles) map[string]function.Function {
	funcs := map[string]function.Function{
		"base64gzip":       base64GzipFunc,
		"base64sha512":     hashFunc(sha512.New, true),
		"basename":         pathFunc(filepath.Base),
		"bcrypt":           unknownFunc(cty.String), // salted: a new value on every run
		"dirname":          pathFunc(filepath.Dir),
		"ephemeralasnull":  ephemeralAsNullFunc,
		"issensitive":      isSensitiveFunc,
		"matchkeys":        matchkeysFunc,
		"nonsensitive":     nonsensitiveFunc,
		"pathexpand":       pathExpandFunc,
		"plantimestamp":    unknownFunc(cty.String),
		"sensitive":        sensitiveFunc,
		"sha512":           hashFunc(sha512.New, false),
		"timecmp":          timecmpFunc,
		"urlencode":        urlencodeFunc,
		"uuidv5":           uuidv5Func,
		"abspath":          absPathFunc(files),
		"filebase64":       fileBytesFunc(files, func(b []byte) string { return base64.StdEncoding.EncodeToString(b) }),
		"filemd5":          fileHashFunc(files, md5.New, false),
		"filesha1":         fileHashFunc(files, sha1.New, false),
		"filesha256":       fileHashFunc(files, sha256.New, false),
		"filesha512":       fileHashFunc(files, sha512.New, false),
		"filebase64sha256": fileHashFunc(files, sha256.New, true),
		"filebase64sha512": fileHashFunc(files, sha512.New, true),
	}
	for _, name := range []string{"fileset", "rsadecrypt", "templatestring", "textdecodebase64", "textencodebase64", "yamldecode", "yamlencode"} {
		funcs[name] = unsupportedFunc(name)
	}
	return funcs
}

// unsupportedFunc is a Terraform function that driftctl does not
// implement: calling it is an error that says so, rather than HCL's
// "There is no function named", which reads as a typo in the configuration.
func unsupportedFunc(name string) function.Function {
	return function.New(&function.Spec{
		VarParam: &function.Parameter{
			Name: "args", Type: cty.DynamicPseudoType,
			AllowUnknown: true, AllowDynamicType: true, AllowNull: true, AllowMarked: true,
		},
		Type: func([]cty.Value) (cty.Type, error) {
			return cty.NilType, fmt.Errorf("driftctl does not implement Terraform's %s function yet", name)
		},
		Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
			return cty.NilVal, fmt.Errorf("driftctl does not implement Terraform's %s function yet", name)
		},
	})
}

var anyValueParam = function.Parameter{
	Name: "value", Type: cty.DynamicPseudoType,
	AllowUnknown: true, AllowNull: true, AllowMarked: true, AllowDynamicType: true,
}

func sameType(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil }

// sensitiveFunc, nonsensitiveFunc and isSensitiveFunc are Terraform's, on
// driftctl's sensitive mark: sensitive() values end up in
// Resource.SensitivePaths as sensitive variables do.
var sensitiveFunc = function.New(&function.Spec{
	Params: []function.Parameter{anyValueParam},
	Type:   sameType,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v, m := args[0].Unmark()
		return v.WithMarks(m).Mark(sensitiveMark), nil
	},
})

var nonsensitiveFunc = function.New(&function.Spec{
	Params: []function.Parameter{anyValueParam},
	Type:   sameType,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v, m := args[0].Unmark()
		delete(m, sensitiveMark)
		return v.WithMarks(m), nil
	},
})

var isSensitiveFunc = function.New(&function.Spec{
	Params: []function.Parameter{anyValueParam},
	Type:   function.StaticReturnType(cty.Bool),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.BoolVal(args[0].HasMark(sensitiveMark)), nil
	},
})

// ephemeralAsNullFunc returns its argument: driftctl reads no ephemeral
// values, so none is turned into null.
var ephemeralAsNullFunc = function.New(&function.Spec{
	Params: []function.Parameter{anyValueParam},
	Type:   sameType,
	Impl:   func(args []cty.Value, _ cty.Type) (cty.Value, error) { return args[0], nil },
})

func pathFunc(f func(string) string) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.StringVal(f(args[0].AsString())), nil
		},
	})
}

// absPathFunc resolves a relative path against the module directory, where
// Terraform runs for the root module (path.cwd is the same). A module read
// from a Git tree has no such directory: the result is unknown.
func absPathFunc(files moduleFiles) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p := args[0].AsString()
			if !filepath.IsAbs(p) {
				if !files.disk {
					return cty.UnknownVal(cty.String), nil
				}
				p = filepath.Join(files.dir, p)
			}
			abs, err := filepath.Abs(p)
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(filepath.ToSlash(abs)), nil
		},
	})
}

// pathExpandFunc expands a leading ~ to the home directory of whoever runs
// Terraform, which need not be driftctl's: such a result is unknown.
var pathExpandFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "path", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p := args[0].AsString()
		if !strings.HasPrefix(p, "~") {
			return cty.StringVal(p), nil
		}
		if len(p) > 1 && p[1] != '/' && p[1] != '\\' {
			return cty.NilVal, errors.New("cannot expand user-specific home dir")
		}
		return cty.UnknownVal(cty.String), nil
	},
})

var urlencodeFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.StringVal(url.QueryEscape(args[0].AsString())), nil
	},
})

// base64GzipFunc writes as Terraform's does (Write, Flush, Close), so the
// bytes are the same.
var base64GzipFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		var b bytes.Buffer
		gz := gzip.NewWriter(&b)
		if _, err := gz.Write([]byte(args[0].AsString())); err != nil {
			return cty.NilVal, fmt.Errorf("failed to write gzip raw data: %w", err)
		}
		if err := gz.Flush(); err != nil {
			return cty.NilVal, fmt.Errorf("failed to flush gzip writer: %w", err)
		}
		if err := gz.Close(); err != nil {
			return cty.NilVal, fmt.Errorf("failed to close gzip writer: %w", err)
		}
		return cty.StringVal(base64.StdEncoding.EncodeToString(b.Bytes())), nil
	},
})

func fileBytesFunc(files moduleFiles, enc func([]byte) string) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p := args[0].AsString()
			b, err := files.readFile(p)
			if err != nil {
				return cty.NilVal, fmt.Errorf("reading file %s: %w", p, err)
			}
			return cty.StringVal(enc(b)), nil
		},
	})
}

func fileHashFunc(files moduleFiles, h func() hash.Hash, b64 bool) function.Function {
	return fileBytesFunc(files, func(b []byte) string {
		s := h()
		s.Write(b)
		if b64 {
			return base64.StdEncoding.EncodeToString(s.Sum(nil))
		}
		return hex.EncodeToString(s.Sum(nil))
	})
}

var timecmpFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "timestamp_a", Type: cty.String},
		{Name: "timestamp_b", Type: cty.String},
	},
	Type: function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		var ts [2]time.Time
		for i := range ts {
			t, err := time.Parse(time.RFC3339, args[i].AsString())
			if err != nil {
				return cty.NilVal, function.NewArgErrorf(i, "not a valid RFC3339 timestamp: %s", err)
			}
			ts[i] = t
		}
		switch {
		case ts[0].Equal(ts[1]):
			return cty.Zero, nil
		case ts[0].Before(ts[1]):
			return cty.NumberIntVal(-1), nil
		}
		return cty.NumberIntVal(1), nil
	},
})

// matchkeysFunc is Terraform's matchkeys.
var matchkeysFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "values", Type: cty.List(cty.DynamicPseudoType)},
		{Name: "keys", Type: cty.List(cty.DynamicPseudoType)},
		{Name: "searchset", Type: cty.List(cty.DynamicPseudoType)},
	},
	Type: func(args []cty.Value) (cty.Type, error) {
		if ty, _ := convert.UnifyUnsafe([]cty.Type{args[1].Type(), args[2].Type()}); ty == cty.NilType {
			return cty.NilType, errors.New("keys and searchset must be of the same type")
		}
		return args[0].Type(), nil
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		if !args[0].IsKnown() {
			return cty.UnknownVal(cty.List(retType.ElementType())), nil
		}
		if args[0].LengthInt() != args[1].LengthInt() {
			return cty.ListValEmpty(retType.ElementType()), errors.New("length of keys and values should be equal")
		}
		values := args[0]
		ty, _ := convert.UnifyUnsafe([]cty.Type{args[1].Type(), args[2].Type()})
		keys, _ := convert.Convert(args[1], ty)
		searchset, _ := convert.Convert(args[2], ty)
		if searchset.LengthInt() == 0 {
			return cty.ListValEmpty(retType.ElementType()), nil
		}
		if !values.IsWhollyKnown() || !keys.IsWhollyKnown() {
			return cty.UnknownVal(retType), nil
		}
		var out []cty.Value
		i := 0
		for it := keys.ElementIterator(); it.Next(); i++ {
			_, key := it.Element()
			for s := searchset.ElementIterator(); s.Next(); {
				_, search := s.Element()
				eq, err := stdlib.Equal(key, search)
				if err != nil {
					return cty.NilVal, err
				}
				if !eq.IsKnown() {
					return cty.ListValEmpty(retType.ElementType()), nil
				}
				if eq.True() {
					out = append(out, values.Index(cty.NumberIntVal(int64(i))))
					break
				}
			}
		}
		if len(out) == 0 {
			return cty.ListValEmpty(retType.ElementType()), nil
		}
		return cty.ListVal(out), nil
	},
})

var uuidNamespaces = map[string]string{
	"dns":  "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
	"url":  "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
	"oid":  "6ba7b812-9dad-11d1-80b4-00c04fd430c8",
	"x500": "6ba7b814-9dad-11d1-80b4-00c04fd430c8",
}

// parseUUID reads the forms github.com/google/uuid's Parse accepts.
func parseUUID(s string) ([]byte, error) {
	switch {
	case len(s) == 36+9 && strings.EqualFold(s[:9], "urn:uuid:"):
		s = s[9:]
	case len(s) == 36+2 && s[0] == '{' && s[len(s)-1] == '}':
		s = s[1 : len(s)-1]
	}
	switch len(s) {
	case 36:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return nil, errors.New("invalid UUID format")
		}
		s = strings.ReplaceAll(s, "-", "")
	case 32:
	default:
		return nil, fmt.Errorf("invalid UUID length: %d", len(s))
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, errors.New("invalid UUID format")
	}
	return b, nil
}

var uuidv5Func = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "namespace", Type: cty.String},
		{Name: "name", Type: cty.String},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		nsArg := args[0].AsString()
		ns := nsArg
		if known, ok := uuidNamespaces[nsArg]; ok {
			ns = known
		}
		nsBytes, err := parseUUID(ns)
		if err != nil {
			return cty.NilVal, fmt.Errorf("uuidv5() doesn't support namespace %s (%v)", nsArg, err)
		}
		h := sha1.New()
		h.Write(nsBytes)
		h.Write([]byte(args[1].AsString()))
		u := h.Sum(nil)[:16]
		u[6] = (u[6] & 0x0f) | 0x50
		u[8] = (u[8] & 0x3f) | 0x80
		x := hex.EncodeToString(u)
		return cty.StringVal(x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]), nil
	},
})
