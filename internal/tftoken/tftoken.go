// Package tftoken reads the credentials Terraform reads for a host from
// the environment: TF_TOKEN_<host> variables, as documented in
// "Environment Variable Credentials" of Terraform's CLI configuration
// (registries, HCP Terraform and Terraform Enterprise).
package tftoken

import (
	"os"
	"strings"
)

// FromEnviron reads TF_TOKEN_<host> variables of environ ("NAME=VALUE"
// entries; nil means os.Environ()) as Terraform does: "__" stands for "-"
// and "_" for "." in the host name. The map is keyed by lower-case host;
// empty values are left out.
func FromEnviron(environ []string) map[string]string {
	if environ == nil {
		environ = os.Environ()
	}
	tokens := map[string]string{}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		host, isToken := strings.CutPrefix(name, "TF_TOKEN_")
		if !ok || !isToken || host == "" || value == "" {
			continue
		}
		host = strings.ReplaceAll(host, "__", "-")
		host = strings.ReplaceAll(host, "_", ".")
		tokens[strings.ToLower(host)] = value
	}
	return tokens
}

// Variable names the TF_TOKEN_ variable for host, "" when a variable
// cannot name it (a host with a port).
func Variable(host string) string {
	if strings.Contains(host, ":") {
		return ""
	}
	return "TF_TOKEN_" + strings.ReplaceAll(strings.ReplaceAll(host, "-", "__"), ".", "_")
}
