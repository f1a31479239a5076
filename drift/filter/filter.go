// Package filter keeps the results of a report that a JMESPath expression
// is true for (--filter), as snyk/driftctl's --filter does, and those of
// --only-managed and --only-unmanaged.
//
// The expression is evaluated on each result as an object with the fields
// type, address, id, region, account, provider, status, module (the module
// path of the address: "module.net", "" at the root) and tags (a map), and
// snyk/driftctl's spellings Type, Id and Attr (Attr.tags, Attr.Tags), so
// that Type=='aws_s3_bucket' && Id=='my-bucket' works as in its
// documentation. A result is kept when the expression is the boolean true.
package filter

import (
	"fmt"
	"strings"

	"github.com/jmespath-community/go-jmespath"

	"github.com/gitdrift/driftctl/drift"
)

// Filter decides which results a report keeps. The zero value keeps all.
type Filter struct {
	// Expression is the JMESPath source; "" keeps every result.
	Expression string
	expr       jmespath.JMESPath
	// OnlyManaged keeps the resources the configuration declares (those
	// with an address); OnlyUnmanaged the unmanaged ones.
	OnlyManaged, OnlyUnmanaged bool
}

// New compiles a filter. An expression JMESPath cannot parse is an error
// with the parser's message; both only flags at once are an error.
func New(expression string, onlyManaged, onlyUnmanaged bool) (*Filter, error) {
	if onlyManaged && onlyUnmanaged {
		return nil, fmt.Errorf("--only-managed and --only-unmanaged exclude each other")
	}
	f := &Filter{Expression: expression, OnlyManaged: onlyManaged, OnlyUnmanaged: onlyUnmanaged}
	if expression != "" {
		expr, err := jmespath.Compile(expression)
		if err != nil {
			return nil, fmt.Errorf("--filter %q: %w", expression, err)
		}
		f.expr = expr
	}
	return f, nil
}

// Active reports whether the filter may drop a result.
func (f *Filter) Active() bool {
	return f != nil && (f.expr != nil || f.OnlyManaged || f.OnlyUnmanaged)
}

// Keep reports whether the report keeps res. An expression that fails on
// a result (a function given the wrong type) is an error naming it.
func (f *Filter) Keep(res *drift.Result) (bool, error) {
	if !f.Active() {
		return true, nil
	}
	managed := res.Address != ""
	if f.OnlyManaged && !managed || f.OnlyUnmanaged && managed {
		return false, nil
	}
	if f.expr == nil {
		return true, nil
	}
	v, err := f.expr.Search(Object(res))
	if err != nil {
		name := res.Address
		if name == "" {
			name = res.Type + "." + res.ID
		}
		return false, fmt.Errorf("--filter %q on %s: %w", f.Expression, name, err)
	}
	b, ok := v.(bool)
	return ok && b, nil
}

// Apply returns the results the filter keeps, in their order.
func (f *Filter) Apply(results []drift.Result) ([]drift.Result, error) {
	if !f.Active() {
		return results, nil
	}
	out := make([]drift.Result, 0, len(results))
	for i := range results {
		keep, err := f.Keep(&results[i])
		if err != nil {
			return nil, err
		}
		if keep {
			out = append(out, results[i])
		}
	}
	return out, nil
}

// Object is the JMESPath data of a result (see the package comment).
func Object(res *drift.Result) map[string]any {
	tags := map[string]any{}
	for k, v := range res.Tags {
		tags[k] = v
	}
	return map[string]any{
		"type":     res.Type,
		"address":  res.Address,
		"id":       res.ID,
		"region":   res.Region,
		"account":  res.Account,
		"provider": res.Provider,
		"status":   string(res.Status),
		"module":   ModulePath(res.Address),
		"tags":     tags,
		// snyk/driftctl's spellings.
		"Type": res.Type,
		"Id":   res.ID,
		"Attr": map[string]any{"tags": tags, "Tags": tags},
	}
}

// ModulePath is the module part of a resource address: "module.net" for
// module.net.aws_subnet.a, "module.a.module.b" for nested calls with
// their keys (module.a["x"].module.b), "" for a root module's resource.
func ModulePath(address string) string {
	var parts []string
	rest := address
	for strings.HasPrefix(rest, "module.") {
		end := len("module.")
		// The call's name, then its key in brackets, which may hold dots.
		for end < len(rest) && rest[end] != '.' && rest[end] != '[' {
			end++
		}
		if end < len(rest) && rest[end] == '[' {
			depth := 0
			inString := false
			for ; end < len(rest); end++ {
				c := rest[end]
				switch {
				case c == '"' && (end == 0 || rest[end-1] != '\\'):
					inString = !inString
				case !inString && c == '[':
					depth++
				case !inString && c == ']':
					depth--
				}
				if depth == 0 && !inString && c == ']' {
					end++
					break
				}
			}
		}
		parts = append(parts, rest[:end])
		rest = strings.TrimPrefix(rest[end:], ".")
	}
	return strings.Join(parts, ".")
}
