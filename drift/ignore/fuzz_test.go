package ignore

import (
	"strings"
	"testing"
)

// FuzzEscape: any ID that can be written on a line, escaped, makes a rule
// that parses and matches that ID; and Parse never panics on what it is
// given.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"plain", "id.with.dots", `back\slash`, "*", "!x", "#x", "a b", "\ufeffx", "[x]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		_, _ = Parse("fuzz", strings.NewReader(id))
		if !writable(id) || strings.ContainsAny(id, "\r\n\ufeff") {
			return
		}
		rs, err := Parse(".driftignore", strings.NewReader("aws_x."+Escape(id)+"\n"))
		if err != nil {
			t.Fatalf("ID %q: %v", id, err)
		}
		if _, ok := rs.Ignored(Resource{Type: "aws_x", ID: id}); !ok {
			t.Fatalf("rule %q does not match ID %q", rs.list[0].Text, id)
		}
		if _, ok := rs.Ignored(Resource{Type: "aws_x", ID: id + "x"}); ok {
			t.Fatalf("rule %q matches ID %q too", rs.list[0].Text, id+"x")
		}
	})
}
