package state

import (
	"os"
	"strconv"
	"testing"
	"unsafe"
)

// TestPrivateAndSchemaVersion reads a state that terraform 1.11 wrote
// with terraform-provider-aws (fixtures/modules_realtf): each instance's
// schema_version and private data are kept for the provider's
// UpgradeResourceState and ReadResource, and the attributes are unchanged
// by the private data stored beside them.
func TestPrivateAndSchemaVersion(t *testing.T) {
	data, err := os.ReadFile("../fixtures/modules_realtf/terraform.tfstate")
	if err != nil {
		t.Fatal(err)
	}
	st, err := Parse("terraform.tfstate", data)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr          string
		schemaVersion uint64
		private       string
		id            string
	}{
		// terraform-plugin-sdk v2 writes "null" when it has nothing to keep.
		{`module.audit_logs.aws_cloudwatch_log_group.this`, 0, "null", "/platform/platform-prod/audit"},
		// The timeouts (create 10m, delete 20m) and the schema version.
		{`module.network.aws_subnet.private["us-east-1a"]`, 1,
			`{"e2bfb730-ecaa-11e6-8f88-34363bc7c4c0":{"create":600000000000,"delete":1200000000000},"schema_version":"1"}`,
			"subnet-f7d97f6179858c7ea"},
	}
	for _, tt := range tests {
		in := st.Lookup(tt.addr)
		if in == nil {
			t.Fatalf("no instance %s", tt.addr)
		}
		if in.SchemaVersion != tt.schemaVersion || string(in.Private()) != tt.private {
			t.Errorf("%s: schema_version %d, private %q; want %d, %q", tt.addr, in.SchemaVersion, in.Private(), tt.schemaVersion, tt.private)
		}
		if in.ID != tt.id || in.Attributes()["id"] != in.ID || in.Value().GetAttr("id").AsString() != in.ID {
			t.Errorf("%s: id %q, attributes' id %v", tt.addr, in.ID, in.Attributes()["id"])
		}
	}

	// An instance without private data (or with an empty one) has none.
	for _, private := range []string{``, `, "private": ""`, `, "private": null`} {
		st, err := Parse("t", []byte(`{"version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "l", "resources": [
			{"mode": "managed", "type": "aws_vpc", "name": "a", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
			 "instances": [{"schema_version": 1, "attributes": {"id": "vpc-1"}`+private+`}]}]}`))
		if err != nil {
			t.Fatal(err)
		}
		in := st.Lookup("aws_vpc.a")
		if in.Private() != nil || in.SchemaVersion != 1 || in.Value().GetAttr("id").AsString() != "vpc-1" {
			t.Errorf("private %s: Private() = %q, schema_version %d", strconv.Quote(private), in.Private(), in.SchemaVersion)
		}
	}
}

// TestInstanceSize: keeping private data must not grow an Instance, of
// which a 100,000-resource state holds 100,000 (driftbench --engine-only).
func TestInstanceSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("sizes are for 64-bit platforms")
	}
	if got := unsafe.Sizeof(Instance{}); got != 248 {
		t.Errorf("an Instance is %d bytes, was 248: measure the engine benchmark's memory before growing it", got)
	}
}
