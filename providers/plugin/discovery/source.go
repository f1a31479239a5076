package discovery

import (
	"fmt"
	"strings"
)

// DefaultHost is the registry host of a source address that names none.
const DefaultHost = "registry.terraform.io"

// builtinHost is the host of the providers compiled into Terraform itself
// (terraform.io/builtin/terraform), which have no plugin binary.
const builtinHost = "terraform.io"

// Source is a provider's source address, in Terraform's normal form: the
// host and the lower-case namespace and type.
type Source struct {
	Host, Namespace, Type string
}

// String returns the full address: registry.terraform.io/hashicorp/aws.
func (s Source) String() string {
	return s.Host + "/" + s.Namespace + "/" + s.Type
}

// ParseSource reads a source address as required_providers writes it:
// "aws" is registry.terraform.io/hashicorp/aws (Terraform's legacy
// shorthand), "hashicorp/aws" is on registry.terraform.io, and
// "example.com/acme/thing" names its host. Namespaces and types are
// case-insensitive and come back lower-case, as Terraform normalises them
// (terraform-registry-address's ParseProviderSource); the host is
// lower-cased too. Internationalised host names are not normalised
// (punycode): they are kept as written, lower-cased.
func ParseSource(s string) (Source, error) {
	parts := strings.Split(s, "/")
	var src Source
	switch len(parts) {
	case 1:
		src = Source{Host: DefaultHost, Namespace: "hashicorp", Type: parts[0]}
	case 2:
		src = Source{Host: DefaultHost, Namespace: parts[0], Type: parts[1]}
	case 3:
		src = Source{Host: parts[0], Namespace: parts[1], Type: parts[2]}
	default:
		return Source{}, fmt.Errorf("invalid provider source %q: it must be [HOSTNAME/]NAMESPACE/TYPE", s)
	}
	src.Host = strings.ToLower(src.Host)
	src.Namespace = strings.ToLower(src.Namespace)
	src.Type = strings.ToLower(src.Type)
	if src.Host == "" || strings.ContainsAny(src.Host, " \t\\") {
		return Source{}, fmt.Errorf("invalid provider source %q: invalid host name", s)
	}
	for _, part := range []struct{ what, v string }{{"namespace", src.Namespace}, {"type", src.Type}} {
		if !validPart(part.v) {
			return Source{}, fmt.Errorf("invalid provider source %q: the %s must be letters, digits and dashes, not starting or ending with a dash", s, part.what)
		}
	}
	if strings.HasPrefix(src.Type, "terraform-provider-") {
		return Source{}, fmt.Errorf("invalid provider source %q: the type is the part after terraform-provider- (%s)", s, strings.TrimPrefix(src.Type, "terraform-provider-"))
	}
	return src, nil
}

// validPart reports whether v is a valid namespace or type: letters,
// digits and dashes, neither starting nor ending with a dash.
func validPart(v string) bool {
	if v == "" || v[0] == '-' || v[len(v)-1] == '-' {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// builtin reports whether the provider is compiled into Terraform.
func (s Source) builtin() bool {
	return s.Host == builtinHost && s.Namespace == "builtin"
}
