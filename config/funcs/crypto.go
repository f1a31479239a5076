package funcs

import (
	"crypto/rsa"
	"crypto/sha1"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/gocty"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/ssh"
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

// bcryptFunc is Terraform's bcrypt(str, cost?): a salted hash, new on every
// run, so its result is unknown; its arguments are checked as Terraform's
// golang.org/x/crypto/bcrypt checks them. A cost below bcrypt.MinCost is
// bcrypt.DefaultCost there, not an error.
var bcryptFunc = function.New(&function.Spec{
	Params:   []function.Parameter{{Name: "str", Type: cty.String}},
	VarParam: &function.Parameter{Name: "cost", Type: cty.Number},
	Type:     function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if len(args) > 1 {
			var cost int
			if err := gocty.FromCtyValue(args[1], &cost); err != nil {
				return cty.NilVal, err
			}
			if cost > bcrypt.MaxCost {
				// Terraform 1.11's words ("occured" included) with the
				// x/crypto/bcrypt message of its time, which later
				// versions reworded.
				return cty.NilVal, fmt.Errorf("error occured generating password crypto/bcrypt: cost %d is outside allowed range (%d,%d)", cost, bcrypt.MinCost, bcrypt.MaxCost)
			}
		}
		if len(args) > 2 {
			return cty.NilVal, errors.New("bcrypt() takes no more than two arguments")
		}
		return cty.UnknownVal(cty.String), nil
	},
})

// rsaDecryptFunc is Terraform's rsadecrypt: base64 ciphertext decrypted
// with RSA PKCS #1 v1.5 by a private key in any form Terraform reads (it
// parses with golang.org/x/crypto/ssh: PKCS #1, PKCS #8 or OpenSSH PEM).
var rsaDecryptFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "ciphertext", Type: cty.String},
		{Name: "privatekey", Type: cty.String},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		s := args[0].AsString()
		ciphertext, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return cty.NilVal, function.NewArgErrorf(0, "failed to decode input %q: cipher text must be base64-encoded", s)
		}
		raw, err := ssh.ParseRawPrivateKey([]byte(args[1].AsString()))
		if err != nil {
			var syntax asn1.SyntaxError
			var structural asn1.StructuralError
			switch {
			case errors.As(err, &syntax):
				return cty.NilVal, function.NewArgErrorf(1, "%s", strings.ReplaceAll(syntax.Error(), "asn1: syntax error", "invalid ASN1 data in the given private key"))
			case errors.As(err, &structural):
				// Terraform means to reword these as the syntax errors,
				// but misspells what it replaces: they print unchanged.
				return cty.NilVal, function.NewArgError(1, structural)
			}
			return cty.NilVal, function.NewArgErrorf(1, "invalid private key: %s", err)
		}
		key, ok := raw.(*rsa.PrivateKey)
		if !ok {
			// Terraform formats the key with %t here, which prints the key's
			// numbers; driftctl names its type only.
			return cty.NilVal, function.NewArgErrorf(1, "invalid private key type %T: an RSA key is required", raw)
		}
		out, err := rsa.DecryptPKCS1v15(nil, key, ciphertext)
		if err != nil {
			return cty.NilVal, fmt.Errorf("failed to decrypt: %s", err)
		}
		return cty.StringVal(string(out)), nil
	},
})
