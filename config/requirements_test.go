package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestProviderRequirements(t *testing.T) {
	t.Parallel()
	_, m := loadFiles(t, map[string]string{
		"main.tf": `
terraform {
  required_providers {
    aws   = { source = "hashicorp/aws", version = "~> 3.0" }
    files = { source = "registry.example.com/acme/testfs" }
  }
}
provider "aws" { region = "eu-west-1" }
resource "files_file" "a" { provider = files }
resource "random_id" "x" {}
data "terraform_remote_state" "net" {
  backend = "local"
  config  = { path = "x.tfstate" }
}
module "m" { source = "./m" }
`,
		"m/main.tf": `
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 3.40" }
  }
}
resource "aws_sqs_queue" "q" {}
`,
	})
	want := []ProviderRequirement{
		{Type: "aws", LocalName: "aws", Source: "hashicorp/aws", Version: "~> 3.0, >= 3.40"},
		{Type: "random", LocalName: "random", Source: "hashicorp/random"},
		{Type: "testfs", LocalName: "files", Source: "registry.example.com/acme/testfs"},
	}
	if diff := cmp.Diff(want, m.ProviderRequirements()); diff != "" {
		t.Errorf("requirements (-want +got):\n%s", diff)
	}
}
