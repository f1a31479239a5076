// Command terraform-provider-testfs is the test provider of driftctl's plugin
// client: a terraform-plugin-framework provider that manages files under a
// root directory, so that a test can change them by hand. See README.md.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
)

// address is the provider's source address; configurations require it as
// "gitdrift/testfs".
const address = "registry.terraform.io/gitdrift/testfs"

// version is the version the binary reports; the file name that driftctl's
// test helper builds is terraform-provider-testfs_v0.1.0.
const version = "0.1.0"

func main() {
	faults, err := faultsFromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "testfs: %v\n", err)
		os.Exit(1)
	}
	protocol, err := protocolFromEnv(os.Getenv("TESTFS_PROTOCOL"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "testfs: %v\n", err)
		os.Exit(1)
	}
	if faults.floodAt == floodAtStart {
		faults.flood()
	}
	err = providerserver.Serve(context.Background(), func() provider.Provider {
		return &testfsProvider{faults: faults}
	}, providerserver.ServeOpts{Address: address, ProtocolVersion: protocol})
	if err != nil {
		fmt.Fprintf(faults.stderr, "testfs: serving: %v\n", err)
		os.Exit(1)
	}
}

// protocolFromEnv reads TESTFS_PROTOCOL: empty or "6" serves protocol 6,
// "5" serves protocol 5.
func protocolFromEnv(v string) (int, error) {
	switch v {
	case "", "6":
		return 6, nil
	case "5":
		return 5, nil
	}
	return 0, fmt.Errorf("TESTFS_PROTOCOL=%q: want 5 or 6", v)
}
