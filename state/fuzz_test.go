package state

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse parses arbitrary bytes as a tfstate. It must never panic; an
// error is a *ParseError naming the state's location with a non-empty
// problem; a state that parses keeps its location, and every managed
// instance is found again by its address and decodes its attributes.
func FuzzParse(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "*.tfstate"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"version":4,"resources":[{"mode":"managed","type":"aws_vpc","name":"a","provider":"provider[\"registry.terraform.io/hashicorp/aws\"]","instances":[{"index_key":1e300,"attributes":{"id":"vpc-1"}}]}]}`))
	f.Add([]byte(`{"version":4,"resources":[{"mode":"managed","type":"t","name":"n","provider":"provider[\"x\"]","instances":[{"attributes":{"id":1},"sensitive_attributes":[[{"type":"get_attr","value":"id"}]]}]}]}`))
	const name = "fuzz.tfstate"
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := Parse(name, data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v (%T) is not a *ParseError", err, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "reading state "+name+": ") || strings.TrimSpace(strings.TrimPrefix(msg, "reading state "+name+": ")) == "" {
				t.Fatalf("error %q does not name the state and a problem", msg)
			}
			return
		}
		if st.Location != name {
			t.Fatalf("Location = %q, want %q", st.Location, name)
		}
		for _, in := range st.Instances {
			if in.Address == "" || in.Type == "" || in.Name == "" {
				t.Fatalf("instance without an address, type or name: %+v", in)
			}
			_ = in.Value()
			_ = in.Attributes()
			if in.Mode != ModeManaged {
				continue
			}
			if got := st.Lookup(in.Address); got != in {
				t.Fatalf("Lookup(%q) does not find the instance", in.Address)
			}
		}
	})
}
