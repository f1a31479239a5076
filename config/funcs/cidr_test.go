package funcs

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestCIDRFunctions(t *testing.T) {
	tests := []funcTest{
		{expr: `cidrsubnet("10.0.0.0/16", 8, 1)`, want: str("10.0.1.0/24")},
		{expr: `cidrsubnet("10.0.0.0/16", 8, 256)`, wantErr: "prefix extension of 8 does not accommodate a subnet numbered 256"},
		{expr: `cidrsubnet("10.0.0.0/30", 8, 0)`, wantErr: "insufficient address space to extend prefix of 30 by 8"},
		{expr: `cidrsubnet("10.0.0.0", 8, 1)`, wantErr: "invalid CIDR expression: invalid CIDR address: 10.0.0.0"},
		{expr: `cidrsubnet("fd00::/56", 8, 3)`, want: str("fd00:0:0:3::/64")},
		// cidrsubnet may extend an IPv6 prefix by more than 32 bits;
		// cidrsubnets may not.
		{expr: `cidrsubnet("fd00::/32", 64, 5)`, want: str("fd00::5:0:0/96")},
		{expr: `cidrsubnet("fd00::/48", 80, 1)`, want: str("fd00::1/128")},
		{expr: `cidrsubnet("fd00::/32", 64, 18446744073709551615)`, want: str("fd00:0:ffff:ffff:ffff:ffff::/96")},
		{expr: `cidrsubnet("fd00::/32", 97, 1)`, wantErr: "insufficient address space to extend prefix of 32 by 97"},
		{expr: `cidrhost("10.0.0.0/24", 5)`, want: str("10.0.0.5")},
		{expr: `cidrhost("10.0.0.0/24", -1)`, want: str("10.0.0.255")},
		{expr: `cidrhost("10.0.0.0/24", 256)`, wantErr: "prefix of 24 does not accommodate a host numbered 256"},
		{expr: `cidrhost("fd00::/64", 10)`, want: str("fd00::a")},
		{expr: `cidrnetmask("10.0.0.0/20")`, want: str("255.255.240.0")},
		{expr: `cidrnetmask("fd00::/64")`, wantErr: "IPv6 addresses cannot have a netmask: fd00::/64"},
		{expr: `cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)`, want: strList("10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20")},
		{expr: `cidrsubnets("10.1.0.0/16", 1, 1, 1)`, wantErr: "not enough remaining address space for a subnet with a prefix of 17 bits after 10.1.128.0/17"},
		{expr: `cidrsubnets("10.1.0.0/16", 0)`, wantErr: "must extend prefix by at least one bit"},
		{expr: `cidrsubnets("10.1.0.0/16")`, want: cty.ListValEmpty(cty.String)},
		{expr: `cidrsubnets("fd00::/32", 64, 64)`, wantErr: "may not extend prefix by more than 32 bits"},
		{expr: `cidrsubnets("fd00::/32", 32, 32)`, want: strList("fd00::/64", "fd00:0:0:1::/64")},
	}
	runFuncTests(t, tests)
}
