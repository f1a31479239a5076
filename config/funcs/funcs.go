// Package funcs is Terraform's built-in function library as driftctl
// evaluates it: Table returns the functions by name, one file per family
// as Terraform's internal/lang/funcs (collection, string, encoding, crypto,
// cidr, filesystem, datetime, sensitive).
package funcs

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	ctyyaml "github.com/zclconf/go-cty-yaml"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Options are the optional inputs of Table.
type Options struct {
	// Outside is the error (matched with errors.Is) that Files returns for
	// a path it refuses to read, such as one outside the directory the
	// module is confined to: fileexists reports it, where any other error
	// of Stat makes it false. Nil: every error of Stat is false.
	Outside error
	// CheckTemplate, if not nil, checks the source of templatefile's file
	// (named filename) or of templatestring's template (named
	// "<templatestring argument>") before it is parsed; its errors are the
	// function's.
	CheckTemplate func(src []byte, filename string) hcl.Diagnostics
	// Wrap, if not nil, wraps every function of the table, those that a
	// template called by templatefile or templatestring sees included.
	Wrap func(function.Function) function.Function
}

// Table returns Terraform v1.11's built-in functions that driftctl
// evaluates, under their names and as core::NAME, with the file functions
// reading through files. Functions whose result Terraform only knows at
// apply time (timestamp, uuid, bcrypt) return unknown values.
func Table(files Files, opts Options) map[string]function.Function {
	funcs := map[string]function.Function{
		"abs":              stdlib.AbsoluteFunc,
		"abspath":          absPathFunc(files),
		"alltrue":          allTrueFunc,
		"anytrue":          anyTrueFunc,
		"base64decode":     base64DecodeFunc,
		"base64encode":     base64EncodeFunc,
		"base64gzip":       base64GzipFunc,
		"base64sha256":     hashFunc(sha256.New, true),
		"base64sha512":     hashFunc(sha512.New, true),
		"basename":         pathFunc(filepath.Base),
		"bcrypt":           bcryptFunc, // salted: unknown, a new value on every run
		"can":              tryfunc.CanFunc,
		"ceil":             stdlib.CeilFunc,
		"chomp":            stdlib.ChompFunc,
		"chunklist":        stdlib.ChunklistFunc,
		"cidrhost":         cidrHostFunc,
		"cidrnetmask":      cidrNetmaskFunc,
		"cidrsubnet":       cidrSubnetFunc,
		"cidrsubnets":      cidrSubnetsFunc,
		"coalesce":         coalesceFunc,
		"coalescelist":     stdlib.CoalesceListFunc,
		"compact":          stdlib.CompactFunc,
		"concat":           stdlib.ConcatFunc,
		"contains":         stdlib.ContainsFunc,
		"csvdecode":        stdlib.CSVDecodeFunc,
		"dirname":          pathFunc(filepath.Dir),
		"distinct":         stdlib.DistinctFunc,
		"element":          stdlib.ElementFunc,
		"endswith":         stringPredicate(strings.HasSuffix),
		"ephemeralasnull":  ephemeralAsNullFunc,
		"file":             fileFunc(files),
		"filebase64":       fileBytesFunc(files, base64.StdEncoding.EncodeToString),
		"filebase64sha256": fileHashFunc(files, sha256.New, true),
		"filebase64sha512": fileHashFunc(files, sha512.New, true),
		"fileexists":       fileExistsFunc(files, opts.Outside),
		"filemd5":          fileHashFunc(files, md5.New, false),
		"fileset":          filesetFunc(files, opts.Outside),
		"filesha1":         fileHashFunc(files, sha1.New, false),
		"filesha256":       fileHashFunc(files, sha256.New, false),
		"filesha512":       fileHashFunc(files, sha512.New, false),
		"flatten":          stdlib.FlattenFunc,
		"floor":            stdlib.FloorFunc,
		"format":           stdlib.FormatFunc,
		"formatdate":       stdlib.FormatDateFunc,
		"formatlist":       stdlib.FormatListFunc,
		"indent":           stdlib.IndentFunc,
		"index":            indexFunc,
		"issensitive":      isSensitiveFunc,
		"join":             stdlib.JoinFunc,
		"jsondecode":       stdlib.JSONDecodeFunc,
		"jsonencode":       stdlib.JSONEncodeFunc,
		"keys":             stdlib.KeysFunc,
		"length":           lengthFunc,
		"log":              stdlib.LogFunc,
		"lookup":           lookupFunc,
		"lower":            stdlib.LowerFunc,
		"matchkeys":        matchkeysFunc,
		"max":              stdlib.MaxFunc,
		"md5":              hashFunc(md5.New, false),
		"merge":            stdlib.MergeFunc,
		"min":              stdlib.MinFunc,
		"nonsensitive":     nonsensitiveFunc,
		"one":              oneFunc,
		"parseint":         stdlib.ParseIntFunc,
		"pathexpand":       pathExpandFunc,
		"plantimestamp":    unknownFunc(cty.String),
		"pow":              stdlib.PowFunc,
		"range":            stdlib.RangeFunc,
		"regex":            stdlib.RegexFunc,
		"regexall":         stdlib.RegexAllFunc,
		"replace":          replaceFunc,
		"reverse":          stdlib.ReverseListFunc,
		"rsadecrypt":       rsaDecryptFunc,
		"sensitive":        sensitiveFunc,
		"setintersection":  stdlib.SetIntersectionFunc,
		"setproduct":       stdlib.SetProductFunc,
		"setsubtract":      stdlib.SetSubtractFunc,
		"setunion":         stdlib.SetUnionFunc,
		"sha1":             hashFunc(sha1.New, false),
		"sha256":           hashFunc(sha256.New, false),
		"sha512":           hashFunc(sha512.New, false),
		"signum":           stdlib.SignumFunc,
		"slice":            stdlib.SliceFunc,
		"sort":             stdlib.SortFunc,
		"split":            stdlib.SplitFunc,
		"startswith":       stringPredicate(strings.HasPrefix),
		"strcontains":      stringPredicate(strings.Contains),
		"strrev":           stdlib.ReverseFunc,
		"substr":           stdlib.SubstrFunc,
		"sum":              sumFunc,
		"textdecodebase64": textDecodeBase64Func,
		"textencodebase64": textEncodeBase64Func,
		"timeadd":          stdlib.TimeAddFunc,
		"timecmp":          timecmpFunc,
		"timestamp":        unknownFunc(cty.String),
		"title":            stdlib.TitleFunc,
		"tobool":           stdlib.MakeToFunc(cty.Bool),
		"tolist":           stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap":            stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"tonumber":         stdlib.MakeToFunc(cty.Number),
		"toset":            stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tostring":         stdlib.MakeToFunc(cty.String),
		"transpose":        transposeFunc,
		"trim":             stdlib.TrimFunc,
		"trimprefix":       stdlib.TrimPrefixFunc,
		"trimspace":        stdlib.TrimSpaceFunc,
		"trimsuffix":       stdlib.TrimSuffixFunc,
		"try":              tryfunc.TryFunc,
		"upper":            stdlib.UpperFunc,
		"urlencode":        urlencodeFunc,
		"uuid":             unknownFunc(cty.String),
		"uuidv5":           uuidv5Func,
		"values":           stdlib.ValuesFunc,
		"yamldecode":       ctyyaml.YAMLDecodeFunc,
		"yamlencode":       ctyyaml.YAMLEncodeFunc,
		"zipmap":           stdlib.ZipmapFunc,
	}
	wrap := opts.Wrap
	if wrap == nil {
		wrap = func(f function.Function) function.Function { return f }
	}
	for name, f := range funcs {
		funcs[name] = wrap(f)
	}
	// Templates see every function, but the template functions refuse to
	// run there, as in Terraform, so a template cannot recurse; those of
	// templatestring cannot read files either.
	inFile := maps.Clone(funcs)
	inFile["templatefile"] = wrap(refusedFunc(templateFileFunc(files, nil, nil), "cannot recursively call templatefile from inside another template function"))
	inFile["templatestring"] = wrap(refusedFunc(templateStringFunc(nil, nil), "cannot recursively call templatestring from inside another template function"))
	inString := maps.Clone(inFile)
	for _, name := range fileFuncs {
		inString[name] = wrap(refusedFunc(funcs[name], "cannot use filesystem access functions like "+name+" in templatestring templates; consider passing the function result as a template variable instead"))
	}
	withCoreNames(inFile)
	withCoreNames(inString)
	funcs["templatefile"] = wrap(templateFileFunc(files, opts.CheckTemplate, inFile))
	funcs["templatestring"] = wrap(templateStringFunc(opts.CheckTemplate, inString))
	withCoreNames(funcs)
	return funcs
}

// withCoreNames adds to funcs each function under core::NAME as well, as
// Terraform names its built-in functions.
func withCoreNames(funcs map[string]function.Function) {
	for _, name := range slices.Collect(maps.Keys(funcs)) {
		funcs["core::"+name] = funcs[name]
	}
}

// unknownFunc is a function whose result Terraform only knows when it
// applies: its result is an unknown value of type ty.
func unknownFunc(ty cty.Type) function.Function {
	return function.New(&function.Spec{
		Type: function.StaticReturnType(ty),
		Impl: func([]cty.Value, cty.Type) (cty.Value, error) { return cty.UnknownVal(ty), nil },
	})
}

// fileFuncs are the functions, other than templatefile, that read files:
// Terraform's filesystemFunctions, which templatestring's templates may
// not call.
var fileFuncs = []string{
	"file", "fileexists", "fileset", "filebase64", "filebase64sha256", "filebase64sha512",
	"filemd5", "filesha1", "filesha256", "filesha512",
}

// refusedFunc has f's parameters, and calling it is the error msg.
func refusedFunc(f function.Function, msg string) function.Function {
	return function.New(&function.Spec{
		Params:   f.Params(),
		VarParam: f.VarParam(),
		Type:     func([]cty.Value) (cty.Type, error) { return cty.NilType, errors.New(msg) },
		Impl:     func([]cty.Value, cty.Type) (cty.Value, error) { return cty.NilVal, errors.New(msg) },
	})
}
