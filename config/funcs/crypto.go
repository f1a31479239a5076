package funcs

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// hashFunc is md5, sha1, sha256, sha512 (hex) or base64sha256,
// base64sha512 (b64) of a string's UTF-8 bytes.
func hashFunc(h func() hash.Hash, b64 bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.StringVal(hashString(h, b64, []byte(args[0].AsString()))), nil
		},
	})
}

// fileHashFunc is filemd5, filesha1, ..., filebase64sha512: hashFunc of
// a file's bytes.
func fileHashFunc(files Files, h func() hash.Hash, b64 bool) function.Function {
	return fileBytesFunc(files, func(b []byte) string { return hashString(h, b64, b) })
}

func hashString(h func() hash.Hash, b64 bool, b []byte) string {
	s := h()
	s.Write(b)
	if b64 {
		return base64.StdEncoding.EncodeToString(s.Sum(nil))
	}
	return hex.EncodeToString(s.Sum(nil))
}

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

// uuidv5Func is Terraform's uuidv5: a name-based UUID (RFC 4122 version 5)
// in a namespace given by name (dns, url, oid, x500) or as a UUID.
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
