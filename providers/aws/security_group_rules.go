package aws

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// Security group rules compare as sets of atomic rules.
//
// EC2 groups permissions by (protocol, from_port, to_port) with several
// IpRanges, Ipv6Ranges, PrefixListIds and UserIdGroupPairs each, while a
// configuration may write one ingress block per CIDR or one block listing
// several. terraform-provider-aws reconciles the two shapes with matchRules
// in vpc_security_group.go, which needs the prior state. Without state, both
// sides are rewritten into the same canonical form instead: one rule per
// source (one CIDR, one IPv6 CIDR, one prefix list, one security group, or
// self), each keeping the description that applies to that source. Two rule
// sets are then equivalent exactly when their atomic sets are equal.

// securityGroupRuleAttributes are the attributes of one ingress or egress
// rule, with the types of terraform-provider-aws's securityGroupRuleNestedBlock.
func securityGroupRuleAttributes() map[string]*providers.Attribute {
	strList := &providers.Attribute{Type: cty.List(cty.String), Optional: true}
	return map[string]*providers.Attribute{
		"cidr_blocks":      strList,
		"description":      {Type: cty.String, Optional: true},
		"from_port":        {Type: cty.Number, Required: true},
		"ipv6_cidr_blocks": strList,
		"prefix_list_ids":  strList,
		"protocol":         {Type: cty.String, Required: true},
		"security_groups":  {Type: cty.Set(cty.String), Optional: true},
		"self":             {Type: cty.Bool, Optional: true, Default: cty.False},
		"to_port":          {Type: cty.Number, Required: true},
	}
}

// securityGroupRuleType is the object type of one rule.
func securityGroupRuleType() cty.Type {
	return providers.ImpliedType(securityGroupRuleAttributes())
}

// securityGroupProtocols are the protocol names terraform-provider-aws
// accepts for their numbers (securityGroupProtocolIntegers).
var securityGroupProtocols = map[string]int{"icmpv6": 58, "udp": 17, "tcp": 6, "icmp": 1}

// protocolForValue is terraform-provider-aws's ProtocolForValue: "-1" and
// "all" are "-1"; names are lower-cased; the numbers of tcp, udp, icmp and
// icmpv6 become those names; other numbers and names stay as written.
func protocolForValue(v string) string {
	p := strings.ToLower(strings.TrimSpace(v))
	if p == "-1" || p == "all" {
		return "-1"
	}
	if _, ok := securityGroupProtocols[p]; ok {
		return p
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		return p
	}
	for name, num := range securityGroupProtocols {
		if num == n {
			return name
		}
	}
	return p
}

// securityGroupRule is one atomic rule: one source at most.
type securityGroupRule struct {
	protocol         string
	fromPort, toPort int64
	description      string
	cidr, ipv6CIDR   string
	prefixList       string
	securityGroup    string
	self             bool
}

// value is the rule as an object of securityGroupRuleType.
func (r securityGroupRule) value() cty.Value {
	list := func(s string) cty.Value {
		if s == "" {
			return cty.ListValEmpty(cty.String)
		}
		return cty.ListVal([]cty.Value{cty.StringVal(s)})
	}
	groups := cty.SetValEmpty(cty.String)
	if r.securityGroup != "" {
		groups = cty.SetVal([]cty.Value{cty.StringVal(r.securityGroup)})
	}
	return cty.ObjectVal(map[string]cty.Value{
		"cidr_blocks":      list(r.cidr),
		"description":      cty.StringVal(r.description),
		"from_port":        cty.NumberIntVal(r.fromPort),
		"ipv6_cidr_blocks": list(r.ipv6CIDR),
		"prefix_list_ids":  list(r.prefixList),
		"protocol":         cty.StringVal(r.protocol),
		"security_groups":  groups,
		"self":             cty.BoolVal(r.self),
		"to_port":          cty.NumberIntVal(r.toPort),
	})
}

// atomicRules splits one rule object (from configuration or from the cloud)
// into atomic rules. A rule without any source stays one rule: EC2 rejects
// it, and keeping it makes the difference visible.
func atomicRules(v cty.Value) ([]securityGroupRule, error) {
	base := securityGroupRule{}
	if p, ok := knownString(v, "protocol"); ok {
		base.protocol = protocolForValue(p)
	}
	var err error
	if base.fromPort, err = intAttr(v, "from_port"); err != nil {
		return nil, err
	}
	if base.toPort, err = intAttr(v, "to_port"); err != nil {
		return nil, err
	}
	base.description, _ = knownString(v, "description")

	var out []securityGroupRule
	for _, c := range stringElems(attr(v, "cidr_blocks")) {
		r := base
		r.cidr = canonicalCIDR(c)
		out = append(out, r)
	}
	for _, c := range stringElems(attr(v, "ipv6_cidr_blocks")) {
		r := base
		r.ipv6CIDR = canonicalCIDR(c)
		out = append(out, r)
	}
	for _, pl := range stringElems(attr(v, "prefix_list_ids")) {
		r := base
		r.prefixList = pl
		out = append(out, r)
	}
	for _, sg := range stringElems(attr(v, "security_groups")) {
		r := base
		r.securityGroup = sg
		out = append(out, r)
	}
	if s := attr(v, "self"); !s.IsNull() && s.Type() == cty.Bool && s.True() {
		r := base
		r.self = true
		out = append(out, r)
	}
	if len(out) == 0 {
		out = append(out, base)
	}
	return out, nil
}

// normalizeSecurityGroupRules rewrites a set (or list) of rules into the set
// of their atomic rules. Null and not wholly known values are returned
// unchanged: there is nothing to compare yet.
func normalizeSecurityGroupRules(v cty.Value) (cty.Value, error) {
	if v.IsNull() || !v.IsWhollyKnown() || !v.CanIterateElements() {
		return v, nil
	}
	var vals []cty.Value
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() {
			continue
		}
		rules, err := atomicRules(e)
		if err != nil {
			return cty.NilVal, err
		}
		for _, r := range rules {
			vals = append(vals, r.value())
		}
	}
	if len(vals) == 0 {
		return cty.SetValEmpty(securityGroupRuleType()), nil
	}
	return cty.SetVal(vals), nil
}

// securityGroupRulesNormalizer is the Normalizer of ingress and egress.
var securityGroupRulesNormalizer providers.ElementsNormalizer = rulesNormalizer{}

type rulesNormalizer struct{}

func (rulesNormalizer) Normalize(v cty.Value) (cty.Value, error) {
	return normalizeSecurityGroupRules(v)
}

// NormalizeElements is normalizeSecurityGroupRules on a set's elements:
// the atomic rules, each once.
func (rulesNormalizer) NormalizeElements(elems []cty.Value) ([]cty.Value, error) {
	var out []cty.Value
	seen := map[securityGroupRule]bool{}
	for _, e := range elems {
		if e.IsNull() {
			continue
		}
		rules, err := atomicRules(e)
		if err != nil {
			return nil, err
		}
		for _, r := range rules {
			if !seen[r] {
				seen[r] = true
				out = append(out, r.value())
			}
		}
	}
	return out, nil
}

// stringElems returns the known, non-null strings of a list or set, sorted
// for sets so that the result does not depend on iteration order.
func stringElems(v cty.Value) []string {
	if v.IsNull() || !v.IsKnown() || !v.CanIterateElements() {
		return nil
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() || !e.IsKnown() || e.Type() != cty.String {
			continue
		}
		out = append(out, e.AsString())
	}
	if v.Type().IsSetType() {
		sort.Strings(out)
	}
	return out
}

// intAttr returns a whole-number attribute, 0 when null.
func intAttr(obj cty.Value, name string) (int64, error) {
	v := attr(obj, name)
	if v.IsNull() || !v.IsKnown() {
		return 0, nil
	}
	if v.Type() != cty.Number {
		return 0, fmt.Errorf("%s is a %s, not a number", name, v.Type().FriendlyName())
	}
	n, acc := v.AsBigFloat().Int64()
	if acc != 0 {
		return 0, fmt.Errorf("%s is not a whole number", name)
	}
	return n, nil
}
