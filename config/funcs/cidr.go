package funcs

import (
	"fmt"
	"math/big"
	"net"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/gocty"
)

// The cidr* functions follow Terraform's, which use
// github.com/apparentlymart/go-cidr; error messages are theirs.

// prefix is an IP network as a number, its prefix length and address size.
type prefix struct {
	ip   *big.Int
	len  int // prefix length
	bits int // 32 or 128
}

func parsePrefix(s string) (prefix, error) {
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		return prefix{}, fmt.Errorf("invalid CIDR expression: %w", err)
	}
	ones, bits := n.Mask.Size()
	ip := n.IP
	if bits == 32 {
		ip = ip.To4()
	}
	return prefix{ip: new(big.Int).SetBytes(ip), len: ones, bits: bits}, nil
}

func (p prefix) String() string {
	return fmt.Sprintf("%s/%d", ipString(p.ip, p.bits), p.len)
}

func ipString(ip *big.Int, bits int) string {
	b := ip.FillBytes(make([]byte, bits/8))
	return net.IP(b).String()
}

// size is 2^(bits-len): the number of addresses in the network.
func (p prefix) size() *big.Int {
	return new(big.Int).Lsh(big.NewInt(1), uint(p.bits-p.len))
}

// masked returns the network of length l that contains p's first address.
func (p prefix) masked(l int) prefix {
	size := new(big.Int).Lsh(big.NewInt(1), uint(p.bits-l))
	ip := new(big.Int).Sub(p.ip, new(big.Int).Mod(p.ip, size))
	return prefix{ip: ip, len: l, bits: p.bits}
}

func (p prefix) contains(ip *big.Int) bool {
	end := new(big.Int).Add(p.ip, p.size())
	return ip.Cmp(p.ip) >= 0 && ip.Cmp(end) < 0
}

func intArg(v cty.Value, argIdx int) (int, error) {
	var n int
	if err := gocty.FromCtyValue(v, &n); err != nil {
		return 0, function.NewArgError(argIdx, err)
	}
	return n, nil
}

var cidrHostFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "prefix", Type: cty.String},
		{Name: "hostnum", Type: cty.Number},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := parsePrefix(args[0].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgError(0, err)
		}
		num, err := intArg(args[1], 1)
		if err != nil {
			return cty.NilVal, err
		}
		n := big.NewInt(int64(num))
		if num < 0 {
			n.Add(n, p.size()) // -1 is the last address
		}
		if n.Sign() < 0 || n.Cmp(p.size()) >= 0 {
			return cty.NilVal, fmt.Errorf("prefix of %d does not accommodate a host numbered %d", p.len, num)
		}
		return cty.StringVal(ipString(n.Add(n, p.ip), p.bits)), nil
	},
})

var cidrNetmaskFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "prefix", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := parsePrefix(args[0].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgError(0, err)
		}
		if p.bits != 32 {
			return cty.NilVal, fmt.Errorf("IPv6 addresses cannot have a netmask: %s", args[0].AsString())
		}
		return cty.StringVal(net.IP(net.CIDRMask(p.len, 32)).String()), nil
	},
})

var cidrSubnetFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "prefix", Type: cty.String},
		{Name: "newbits", Type: cty.Number},
		{Name: "netnum", Type: cty.Number},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := parsePrefix(args[0].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgError(0, err)
		}
		newbits, err := intArg(args[1], 1)
		if err != nil {
			return cty.NilVal, err
		}
		// Terraform takes netnum as a big integer and, unlike
		// cidrsubnets, lets an IPv6 prefix grow by more than 32 bits:
		// cidrsubnet("fd00::/32", 64, 5) is "fd00::5:0:0/96".
		var num *big.Int
		if err := gocty.FromCtyValue(args[2], &num); err != nil {
			return cty.NilVal, function.NewArgError(2, err)
		}
		if newbits < 0 || p.len+newbits > p.bits {
			return cty.NilVal, fmt.Errorf("insufficient address space to extend prefix of %d by %d", p.len, newbits)
		}
		if num.Sign() < 0 || num.Cmp(new(big.Int).Lsh(big.NewInt(1), uint(newbits))) >= 0 {
			return cty.NilVal, fmt.Errorf("prefix extension of %d does not accommodate a subnet numbered %d", newbits, num)
		}
		sub := prefix{len: p.len + newbits, bits: p.bits}
		off := new(big.Int).Lsh(num, uint(p.bits-sub.len))
		sub.ip = off.Add(off, p.ip)
		return cty.StringVal(sub.String()), nil
	},
})

// cidrSubnetsFunc allocates consecutive subnets, each aligned to its own
// size, as Terraform's cidrsubnets.
var cidrSubnetsFunc = function.New(&function.Spec{
	Params:   []function.Parameter{{Name: "prefix", Type: cty.String}},
	VarParam: &function.Parameter{Name: "newbits", Type: cty.Number},
	Type:     function.StaticReturnType(cty.List(cty.String)),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := parsePrefix(args[0].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgError(0, err)
		}
		if len(args) == 1 {
			return cty.ListValEmpty(cty.String), nil
		}
		out := make([]cty.Value, 0, len(args)-1)
		next := new(big.Int).Set(p.ip) // first free address
		for i, a := range args[1:] {
			newbits, err := intArg(a, i+1)
			if err != nil {
				return cty.NilVal, err
			}
			if newbits < 1 {
				return cty.NilVal, function.NewArgErrorf(i+1, "must extend prefix by at least one bit")
			}
			if newbits > 32 {
				return cty.NilVal, function.NewArgErrorf(i+1, "may not extend prefix by more than 32 bits")
			}
			l := p.len + newbits
			if l > p.bits {
				return cty.NilVal, function.NewArgErrorf(i+1, "would extend prefix to %d bits, which is too long for an IPv%d address", l, map[int]int{32: 4, 128: 6}[p.bits])
			}
			sub := prefix{ip: next, len: l, bits: p.bits}
			if aligned := sub.masked(l); aligned.ip.Cmp(next) != 0 {
				sub = prefix{ip: aligned.ip.Add(aligned.ip, aligned.size()), len: l, bits: p.bits}
			}
			if !p.contains(sub.ip) || !p.contains(new(big.Int).Sub(new(big.Int).Add(sub.ip, sub.size()), big.NewInt(1))) {
				prev := "the start"
				if len(out) > 0 {
					prev = out[len(out)-1].AsString()
				} else {
					prev = prefix{ip: new(big.Int).Sub(p.ip, big.NewInt(1)), bits: p.bits}.masked(p.len).String()
				}
				return cty.NilVal, function.NewArgErrorf(i+1, "not enough remaining address space for a subnet with a prefix of %d bits after %s", l, prev)
			}
			out = append(out, cty.StringVal(sub.String()))
			next = new(big.Int).Add(sub.ip, sub.size())
		}
		return cty.ListVal(out), nil
	},
})
