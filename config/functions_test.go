package config

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// TestFunctions checks results against Terraform v1.11: each expectation
// was printed by `echo 'EXPR' | terraform console`. An empty want is an
// error whose message contains wantErr.
func TestFunctions(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"hello.txt": "hello\n",
		"greet.tpl": "Hi %{ for n in names }${upper(n)} %{ endfor }from ${region}",
	})
	str := cty.StringVal
	strs := func(ss ...string) cty.Value {
		vs := make([]cty.Value, len(ss))
		for i, s := range ss {
			vs[i] = str(s)
		}
		return cty.ListVal(vs)
	}
	tests := []struct {
		expr    string
		want    cty.Value
		wantErr string
	}{
		{expr: `cidrsubnet("10.0.0.0/16", 8, 1)`, want: str("10.0.1.0/24")},
		{expr: `cidrsubnet("10.0.0.0/16", 8, 256)`, wantErr: "prefix extension of 8 does not accommodate a subnet numbered 256"},
		{expr: `cidrsubnet("10.0.0.0/30", 8, 0)`, wantErr: "insufficient address space to extend prefix of 30 by 8"},
		{expr: `cidrsubnet("fd00::/56", 8, 3)`, want: str("fd00:0:0:3::/64")},
		{expr: `cidrhost("10.0.0.0/24", 5)`, want: str("10.0.0.5")},
		{expr: `cidrhost("10.0.0.0/24", -1)`, want: str("10.0.0.255")},
		{expr: `cidrhost("10.0.0.0/24", 256)`, wantErr: "prefix of 24 does not accommodate a host numbered 256"},
		{expr: `cidrnetmask("10.0.0.0/20")`, want: str("255.255.240.0")},
		{expr: `cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)`, want: strs("10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20")},
		{expr: `cidrsubnets("10.1.0.0/16", 1, 1, 1)`, wantErr: "not enough remaining address space for a subnet with a prefix of 17 bits after 10.1.128.0/17"},
		{expr: `lookup({a="x"}, "b", "d")`, want: str("d")},
		{expr: `lookup({a="x"}, "a")`, want: str("x")},
		{expr: `lookup({a="x"}, "b")`, wantErr: `the given object has no attribute "b"`},
		{expr: `replace("hello world", "/o(.)/", "0$1")`, want: str("hell0 w0rld")},
		{expr: `replace("a.b.c", ".", "-")`, want: str("a-b-c")},
		{expr: `length("héllo")`, want: cty.NumberIntVal(5)},
		{expr: `length({a = 1, b = 2})`, want: cty.NumberIntVal(2)},
		{expr: `index(["a","b","c"], "b")`, want: cty.NumberIntVal(1)},
		{expr: `one([])`, want: cty.NullVal(cty.DynamicPseudoType)},
		{expr: `one(["x"])`, want: str("x")},
		{expr: `sum([1, 2.5, 3])`, want: cty.NumberFloatVal(6.5)},
		{expr: `alltrue([])`, want: cty.True},
		{expr: `anytrue([])`, want: cty.False},
		{expr: `startswith("hello", "he")`, want: cty.True},
		{expr: `endswith("hello", "he")`, want: cty.False},
		{expr: `jsonencode({a="<b>", n=1, l=[true,null]})`, want: str(`{"a":"\u003cb\u003e","l":[true,null],"n":1}`)},
		{expr: `element(["a","b","c"], 4)`, want: str("b")},
		{expr: `title("hello world")`, want: str("Hello World")},
		{expr: `strrev("abc")`, want: str("cba")},
		{expr: `formatlist("%s-%d", ["a","b"], [1,2])`, want: strs("a-1", "b-2")},
		{expr: `base64encode("hi")`, want: str("aGk=")},
		{expr: `base64decode("aGk=")`, want: str("hi")},
		{expr: `md5("hi")`, want: str("49f68a5c8493ec2c0bf489821c21fc3b")},
		{expr: `sha256("hi")`, want: str("8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4")},
		{expr: `coalesce("", "b")`, want: str("b")},
		{expr: `flatten([[1],[2,[3]]])`, want: cty.TupleVal([]cty.Value{cty.NumberIntVal(1), cty.NumberIntVal(2), cty.NumberIntVal(3)})},
		{expr: `tostring(5)`, want: str("5")},
		{expr: `format("%05.1f|%q", 3.14159, "x")`, want: str(`003.1|"x"`)},
		{expr: `split(",", "a,,b")`, want: strs("a", "", "b")},
		{expr: `substr("hello", 1, -1)`, want: str("ello")},
		{expr: `try(local.nope, "fallback")`, want: str("fallback")},
		{expr: `can(regex("^a", "abc"))`, want: cty.True},
		{expr: `file("hello.txt")`, want: str("hello\n")},
		{expr: `templatefile("greet.tpl", { names = ["a", "b"], region = "eu" })`, want: str("Hi A B from eu")},
		// lookup with a null default is null, not unknown (`lookup({a="x"}, "b", null)`
		// printed null; on a map, tostring(null)); a map without the key and no
		// default is an error.
		{expr: `lookup({a="x"}, "b", null)`, want: cty.NullVal(cty.DynamicPseudoType)},
		{expr: `lookup(tomap({a="x"}), "b", null)`, want: cty.NullVal(cty.String)},
		{expr: `lookup({a="x"}, "b", {c=1})`, want: cty.ObjectVal(map[string]cty.Value{"c": cty.NumberIntVal(1)})},
		{expr: `lookup(tomap({a="x"}), "b")`, wantErr: `lookup failed to find key "b"`},
		// cidrsubnet may extend an IPv6 prefix by more than 32 bits;
		// cidrsubnets may not.
		{expr: `cidrsubnet("fd00::/32", 64, 5)`, want: str("fd00::5:0:0/96")},
		{expr: `cidrsubnet("fd00::/48", 80, 1)`, want: str("fd00::1/128")},
		{expr: `cidrsubnet("fd00::/32", 64, 18446744073709551615)`, want: str("fd00:0:ffff:ffff:ffff:ffff::/96")},
		{expr: `cidrsubnet("fd00::/32", 97, 1)`, wantErr: "insufficient address space to extend prefix of 32 by 97"},
		{expr: `cidrsubnets("fd00::/32", 64, 64)`, wantErr: "may not extend prefix by more than 32 bits"},
		{expr: `cidrsubnets("fd00::/32", 32, 32)`, want: strs("fd00::/64", "fd00:0:0:1::/64")},
		{expr: `nonsensitive(sensitive("a"))`, want: str("a")},
		{expr: `upper(sensitive("x"))`, want: str("X").Mark(sensitiveMark)}, // (sensitive value)
		{expr: `issensitive(sensitive(1))`, want: cty.True},
		{expr: `can(sensitive(1))`, want: cty.True},
		{expr: `basename("a/")`, want: str("a")},
		{expr: `dirname("a/b/")`, want: str("a/b")},
		{expr: `dirname("")`, want: str(".")},
		{expr: `urlencode("a b&c=d/é~")`, want: str("a+b%26c%3Dd%2F%C3%A9~")},
		{expr: `sha512("hi")`, want: str("150a14ed5bea6cc731cf86c41566ac427a8db48ef1b9fd626664b3bfbb99071fa4c922f33dde38719b8c8354e2b7ab9d77e0e67fc12843920a712e73d558e197")},
		{expr: `base64sha512("hi")`, want: str("FQoU7VvqbMcxz4bEFWasQnqNtI7xuf1iZmSzv7uZBx+kySLzPd44cZuMg1Tit6udd+Dmf8EoQ5IKcS5z1Vjhlw==")},
		{expr: `base64gzip("hello world hello world hello world")`, want: str("H4sIAAAAAAAA/8pIzcnJVyjPL8pJUcDBBgAAAP//AQAA//+7/kIPIwAAAA==")},
		{expr: `uuidv5("dns", "example.com")`, want: str("cfbff0d1-9375-5685-968c-48ce8b15ae17")},
		{expr: `uuidv5("{6ba7b810-9dad-11d1-80b4-00c04fd430c8}", "x")`, want: str("05b16a01-46c6-56dd-bd6e-c6dfb4a1427a")},
		{expr: `timecmp("2024-01-01T00:00:00Z", "2024-01-01T01:00:00+01:00")`, want: cty.Zero},
		{expr: `matchkeys(["a","b"], [1,2], ["2"])`, want: strs("b")},
		{expr: `pathexpand("/abs")`, want: str("/abs")},
		{expr: `pathexpand("~bob/x")`, wantErr: "cannot expand user-specific home dir"},
		{expr: `filebase64("hello.txt")`, want: str("aGVsbG8K")},
		{expr: `filemd5("hello.txt")`, want: str("b1946ac92492d2347c6235b4d2611184")},
		{expr: `filesha1("hello.txt")`, want: str("f572d396fae9206628714fb2ce00f72e94f2258f")},
		{expr: `filebase64sha256("hello.txt")`, want: str("WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM=")},
		{expr: `core::upper("a")`, want: str("A")},
		// Not in Terraform: driftctl's own diagnostic for what it lacks.
		{expr: `yamlencode({})`, wantErr: "driftctl does not implement Terraform's yamlencode function yet"},
		{expr: `pathexpand("~/x")`, want: cty.UnknownVal(cty.String)},
		{expr: `abspath("/a/../b")`, want: str("/b")},
	}
	funcs := Functions(dir)
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			expr, diags := hclsyntax.ParseExpression([]byte(tt.expr), "test.tf", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			got, diags := expr.Value(&hcl.EvalContext{Functions: funcs})
			if tt.wantErr != "" {
				if !diags.HasErrors() || !strings.Contains(diags.Error(), tt.wantErr) {
					t.Errorf("got %#v, %v; want error containing %q", got, diags, tt.wantErr)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if !got.RawEquals(tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}
