package funcs

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
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
	// Stat describes the file at path, following symbolic links.
	Stat(path string) (fs.FileInfo, error)
	// ReadDir lists the directory at path, sorted by name (fileset).
	ReadDir(path string) ([]fs.DirEntry, error)
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
		if !args[1].IsKnown() {
			return cty.DynamicVal, nil
		}
		return renderTemplate(expr, args[1], funcs)
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

// renderTemplate is the value of a template (templatefile's,
// templatestring's) with vars, a known map or object, as its variables and
// funcs as its functions.
func renderTemplate(expr hcl.Expression, vars cty.Value, funcs map[string]function.Function) (cty.Value, error) {
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

// filesetFunc is Terraform's fileset(path, pattern): the regular files
// under path whose names match the glob pattern, as paths relative to path.
// It globs through files, so it sees what the file functions may read; a
// path that files refuses (outside, matched with errors.Is) is an error,
// where a missing one is an empty set as in Terraform.
func filesetFunc(files Files, outside error) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{
			{Name: "path", Type: cty.String},
			{Name: "pattern", Type: cty.String},
		},
		Type: function.StaticReturnType(cty.Set(cty.String)),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			dir := path.Clean(filepath.ToSlash(args[0].AsString()))
			// Terraform joins path and pattern, which cleans the pattern
			// ("a/../*" is "*", "*/" is "*"), then globs the whole.
			pattern := path.Join(dir, args[1].AsString())
			matches, err := glob(files, outside, pattern)
			if err != nil {
				return cty.NilVal, fmt.Errorf("failed to glob pattern %q: %w", pattern, err)
			}
			var vals []cty.Value
			for _, m := range matches {
				st, err := files.Stat(m)
				if err != nil {
					return cty.NilVal, fmt.Errorf("failed to stat %q: %w", m, err)
				}
				if !st.Mode().IsRegular() {
					continue
				}
				rel, err := filepath.Rel(filepath.FromSlash(dir), filepath.FromSlash(m))
				if err != nil {
					return cty.NilVal, fmt.Errorf("failed to trim path of match %q: %w", m, err)
				}
				vals = append(vals, cty.StringVal(filepath.ToSlash(rel)))
			}
			if len(vals) == 0 {
				return cty.SetValEmpty(cty.String), nil
			}
			return cty.SetVal(vals), nil
		},
	})
}

// glob is doublestar.FilepathGlob over files: the names (slash-separated,
// as pattern is) that match pattern.
func glob(files Files, outside error, pattern string) ([]string, error) {
	if pattern == "" {
		return nil, nil
	}
	base, rest := doublestar.SplitPattern(pattern)
	if outside != nil {
		if _, err := files.Stat(base); errors.Is(err, outside) {
			return nil, err
		}
	}
	if rest == "" || rest == "." || rest == ".." {
		// No wildcard: the path itself, if it exists.
		if !doublestar.ValidatePathPattern(pattern) {
			return nil, doublestar.ErrBadPattern
		}
		if _, err := files.Stat(pattern); err != nil {
			return nil, nil
		}
		return []string{pattern}, nil
	}
	matches, err := doublestar.Glob(globFS{files, base}, bangLiteral(rest))
	if err != nil {
		return nil, err
	}
	for i, m := range matches {
		matches[i] = path.Join(base, m)
	}
	return matches, nil
}

// bangLiteral escapes a "!" that opens a character class: Terraform's
// doublestar (v1) reads "[!a]" as the class of "!" and "a", where v4 reads
// it as "not a" (both read "[^a]" as "not a").
func bangLiteral(pattern string) string {
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		b.WriteByte(c)
		switch {
		case c == '\\' && i+1 < len(pattern):
			i++
			b.WriteByte(pattern[i])
		case c == '[' && i+1 < len(pattern) && pattern[i+1] == '!':
			b.WriteByte('\\')
		}
	}
	return b.String()
}

// globFS is the directory base of files as the fs.FS doublestar globs:
// it lists directories and stats files, and opens none.
type globFS struct {
	files Files
	base  string
}

func (g globFS) name(name string) string { return path.Join(g.base, name) }

func (g globFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: errors.ErrUnsupported}
}

func (g globFS) Stat(name string) (fs.FileInfo, error) { return g.files.Stat(g.name(name)) }

func (g globFS) ReadDir(name string) ([]fs.DirEntry, error) { return g.files.ReadDir(g.name(name)) }
