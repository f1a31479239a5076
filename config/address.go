package config

import (
	"strings"
)

// Addresses as Terraform writes them: module.svc["api"].module.bucket[0]
// is a module instance, and module.svc["api"].aws_s3_bucket.this[0] a
// resource instance in it. A key may hold dots and brackets inside its
// quotes.

// addressSteps splits an address at its dots, keeping each step's
// instance key with it: module.svc["a.b"].aws_x.y is module, svc["a.b"],
// aws_x, y.
func addressSteps(addr string) []string {
	var steps []string
	start, depth, quoted := 0, 0, false
	for i := 0; i < len(addr); i++ {
		c := addr[i]
		switch {
		case quoted:
			if c == '\\' {
				i++
			} else if c == '"' {
				quoted = false
			}
		case c == '"':
			quoted = true
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '.' && depth == 0:
			steps = append(steps, addr[start:i])
			start = i + 1
		}
	}
	return append(steps, addr[start:])
}

// withoutKey is a step without its instance key: svc["a"] is svc.
func withoutKey(step string) string {
	if i := strings.IndexByte(step, '['); i >= 0 {
		return step[:i]
	}
	return step
}

// ModulePath is a module instance address without its instance keys:
// module.svc["api"].module.bucket[0] is module.svc.module.bucket.
func ModulePath(module string) string {
	if module == "" || !strings.ContainsRune(module, '[') {
		return module
	}
	steps := addressSteps(module)
	for i, s := range steps {
		steps[i] = withoutKey(s)
	}
	return strings.Join(steps, ".")
}

// Previous is the address that addr had before this move, when the move
// applies to it: its To is addr, or the resource or module that holds
// addr (then with addr's key and what follows). ok is false otherwise.
// A move written in a called module applies in each of its instances.
func (mv *Move) Previous(addr string) (string, bool) {
	prefix, rel := "", addr
	if mv.Module != "" {
		steps := addressSteps(addr)
		found := false
		for i := 2; i <= len(steps); i += 2 {
			if steps[i-2] != "module" {
				break
			}
			if ModulePath(strings.Join(steps[:i], ".")) == mv.Module {
				prefix, rel, found = strings.Join(steps[:i], ".")+".", strings.Join(steps[i:], "."), true
				break
			}
		}
		if !found {
			return "", false
		}
	}
	switch {
	case rel == mv.To:
		return prefix + mv.From, true
	case strings.HasPrefix(rel, mv.To+"."):
		return prefix + mv.From + rel[len(mv.To):], true
	case strings.HasPrefix(rel, mv.To+"[") && !strings.HasSuffix(mv.From, "]") && !strings.HasSuffix(mv.To, "]"):
		return prefix + mv.From + rel[len(mv.To):], true
	}
	return "", false
}

// Moves are the moved blocks of the module and the modules it calls, in
// the order written, parents first; those of a called module name its
// call in Module.
func (m *Module) Moves() []*Move {
	out := append([]*Move(nil), m.moves...)
	m.walkCalls("", func(addr string, mc *moduleCall) {
		if mc.Module == nil {
			return
		}
		for _, mv := range mc.Module.moves {
			c := *mv
			c.Module = addr
			out = append(out, &c)
		}
	})
	return out
}
