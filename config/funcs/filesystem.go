package funcs

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Files is what the file functions read, given paths as the configuration
// writes them: relative to the module's directory, or absolute. Where a
// module may read from (its directory, a repository's working tree, a Git
// commit's tree) is the implementation's to decide.
type Files interface {
	// ReadFile returns the contents of the file at path.
	ReadFile(path string) ([]byte, error)
	// Stat describes the file at path.
	Stat(path string) (fs.FileInfo, error)
	// Name is how the file at path is named in diagnostics.
	Name(path string) string
	// Dir is the module's directory on disk, as given; ok is false for a
	// module that has none, such as one read from a Git tree.
	Dir() (dir string, ok bool)
}

func readTextFile(files Files, p string) (string, error) {
	b, err := files.ReadFile(p)
	if err != nil {
		return "", fmt.Errorf("reading file %s: %w", p, err)
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("contents of %s are not valid UTF-8", p)
	}
	return string(b), nil
}

// fileFunc is Terraform's file: a file's contents, which must be UTF-8.
func fileFunc(files Files) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			s, err := readTextFile(files, args[0].AsString())
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(s), nil
		},
	})
}

// fileExistsFunc is Terraform's fileexists: whether path is a regular
// file. A path that files refuses (outside, matched with errors.Is) is an
// error; any other error of Stat is false.
func fileExistsFunc(files Files, outside error) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			st, err := files.Stat(args[0].AsString())
			if outside != nil && errors.Is(err, outside) {
				return cty.NilVal, fmt.Errorf("checking file %s: %w", args[0].AsString(), err)
			}
			if err != nil {
				return cty.False, nil
			}
			return cty.BoolVal(st.Mode().IsRegular()), nil
		},
	})
}

// fileBytesFunc is a file's bytes encoded by enc: filebase64, and the
// file hashes of crypto.go.
func fileBytesFunc(files Files, enc func([]byte) string) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p := args[0].AsString()
			b, err := files.ReadFile(p)
			if err != nil {
				return cty.NilVal, fmt.Errorf("reading file %s: %w", p, err)
			}
			return cty.StringVal(enc(b)), nil
		},
	})
}

// templateFileFunc is Terraform's templatefile: the file's template
// rendered with vars and funcs, after check (if not nil) accepts its
// source.
func templateFileFunc(files Files, check func(src []byte, filename string) hcl.Diagnostics, funcs map[string]function.Function) function.Function {
	render := func(args []cty.Value) (cty.Value, error) {
		p := args[0].AsString()
		src, err := readTextFile(files, p)
		if err != nil {
			return cty.NilVal, err
		}
		if check != nil {
			if diags := check([]byte(src), files.Name(p)); diags.HasErrors() {
				return cty.NilVal, diags
			}
		}
		expr, diags := hclsyntax.ParseTemplate([]byte(src), files.Name(p), hcl.InitialPos)
		if diags.HasErrors() {
			return cty.NilVal, diags
		}
		vars := args[1]
		if !vars.IsKnown() {
			return cty.DynamicVal, nil
		}
		ty := vars.Type()
		if !(ty.IsMapType() || ty.IsObjectType()) {
			return cty.NilVal, function.NewArgErrorf(1, "invalid vars value: must be a map")
		}
		ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: funcs}
		for it := vars.ElementIterator(); it.Next(); {
			k, v := it.Element()
			ctx.Variables[k.AsString()] = v
		}
		val, diags := expr.Value(ctx)
		if diags.HasErrors() {
			return cty.NilVal, diags
		}
		return val, nil
	}
	return function.New(&function.Spec{
		Params: []function.Parameter{
			{Name: "path", Type: cty.String},
			{Name: "vars", Type: cty.DynamicPseudoType},
		},
		Type: func(args []cty.Value) (cty.Type, error) {
			if !args[0].IsKnown() || !args[1].IsKnown() {
				return cty.DynamicPseudoType, nil
			}
			v, err := render(args)
			return v.Type(), err
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) { return render(args) },
	})
}

// pathFunc is basename or dirname.
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
func absPathFunc(files Files) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p := args[0].AsString()
			if !filepath.IsAbs(p) {
				dir, ok := files.Dir()
				if !ok {
					return cty.UnknownVal(cty.String), nil
				}
				p = filepath.Join(dir, p)
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
