package config

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeBenchModule writes files .tf files of perFile resources each: a mix
// of VPCs, subnets and security groups (referring to their VPC) and S3
// buckets with their versioning, as a large stack is written.
func writeBenchModule(b *testing.B, files, perFile int) string {
	b.Helper()
	dir := b.TempDir()
	main := `provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = { ManagedBy = "terraform" }
  }
}

locals {
  tags = { Project = "bench", Environment = "load" }
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(main), 0o644); err != nil {
		b.Fatal(err)
	}
	n := 0
	for f := 0; f < files; f++ {
		var sb strings.Builder
		for i := 0; i < perFile; i++ {
			switch n % 5 {
			case 0:
				fmt.Fprintf(&sb, "resource \"aws_vpc\" \"v%d\" {\n  cidr_block         = \"10.%d.0.0/16\"\n  enable_dns_support = true\n  tags               = merge(local.tags, { Name = \"vpc-%d\" })\n}\n\n", n, n%256, n)
			case 1:
				fmt.Fprintf(&sb, "resource \"aws_subnet\" \"s%d\" {\n  vpc_id            = aws_vpc.v%d.id\n  cidr_block        = \"10.%d.1.0/24\"\n  availability_zone = \"us-east-1a\"\n  tags              = merge(local.tags, { Name = \"subnet-%d\" })\n}\n\n", n, n-1, (n-1)%256, n)
			case 2:
				fmt.Fprintf(&sb, "resource \"aws_security_group\" \"g%d\" {\n  name   = \"sg-%d\"\n  vpc_id = aws_vpc.v%d.id\n\n  ingress {\n    from_port   = 443\n    to_port     = 443\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n\n  tags = local.tags\n}\n\n", n, n, n-2)
			case 3:
				fmt.Fprintf(&sb, "resource \"aws_s3_bucket\" \"b%d\" {\n  bucket = \"bench-%d\"\n  tags   = local.tags\n}\n\n", n, n)
			case 4:
				fmt.Fprintf(&sb, "resource \"aws_s3_bucket_versioning\" \"b%d\" {\n  bucket = aws_s3_bucket.b%d.id\n  versioning_configuration {\n    status = \"Enabled\"\n  }\n}\n\n", n, n-1)
			}
			n++
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("r%02d.tf", f)), []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// BenchmarkLoad10k loads and evaluates 10,000 resources in 50 files:
// parsing, decoding, dependency ordering and evaluation of every resource
// (target: ≤ 1 s per operation).
func BenchmarkLoad10k(b *testing.B) {
	dir := writeBenchModule(b, 50, 200)
	benchmarkEvaluate(b, dir, 10000)
}

// BenchmarkLoadOnly10k is the parse-and-decode part of BenchmarkLoad10k.
func BenchmarkLoadOnly10k(b *testing.B) {
	dir := writeBenchModule(b, 50, 200)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, diags := Load(dir); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}

// BenchmarkModules10k loads and evaluates 10,000 resources spread over 200
// module instances: a root module calls svc with for_each over 20 keys,
// and each svc instance calls net with count = 10; net declares 50
// resources whose names come from its inputs (target: ≤ 1 s per
// operation).
func BenchmarkModules10k(b *testing.B) {
	dir := b.TempDir()
	var net strings.Builder
	net.WriteString("variable \"prefix\" { type = string }\nvariable \"tags\" { type = map(string) }\n\n")
	for n := 0; n < 50; n++ {
		switch n % 5 {
		case 0:
			fmt.Fprintf(&net, "resource \"aws_vpc\" \"v%d\" {\n  cidr_block = \"10.%d.0.0/16\"\n  tags       = merge(var.tags, { Name = \"${var.prefix}-vpc-%d\" })\n}\n\n", n, n, n)
		case 1:
			fmt.Fprintf(&net, "resource \"aws_subnet\" \"s%d\" {\n  vpc_id     = aws_vpc.v%d.id\n  cidr_block = \"10.%d.1.0/24\"\n  tags       = var.tags\n}\n\n", n, n-1, n-1)
		case 2:
			fmt.Fprintf(&net, "resource \"aws_security_group\" \"g%d\" {\n  name   = \"${var.prefix}-sg-%d\"\n  vpc_id = aws_vpc.v%d.id\n\n  ingress {\n    from_port   = 443\n    to_port     = 443\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n\n", n, n, n-2)
		case 3:
			fmt.Fprintf(&net, "resource \"aws_s3_bucket\" \"b%d\" {\n  bucket = \"${var.prefix}-%d\"\n  tags   = var.tags\n}\n\n", n, n)
		case 4:
			fmt.Fprintf(&net, "resource \"aws_s3_bucket_versioning\" \"b%d\" {\n  bucket = aws_s3_bucket.b%d.id\n  versioning_configuration {\n    status = \"Enabled\"\n  }\n}\n\n", n, n-1)
		}
	}
	net.WriteString("output \"first_vpc\" { value = aws_vpc.v0.id }\n")
	files := map[string]string{
		"main.tf": `provider "aws" { region = "us-east-1" }

module "svc" {
  source   = "./modules/svc"
  for_each = toset([for i in range(20) : "svc${i}"])
  name     = each.key
}
`,
		"modules/svc/main.tf": `variable "name" { type = string }

module "net" {
  source = "../net"
  count  = 10
  prefix = "${var.name}-${count.index}"
  tags   = { Service = var.name }
}
`,
		"modules/net/main.tf": net.String(),
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	benchmarkEvaluate(b, dir, 10000)
}

// benchmarkEvaluate loads and evaluates dir b.N times, checking it has
// want resources.
func benchmarkEvaluate(b *testing.B, dir string, want int) {
	schemas := testSchemas()
	resolver := &fakeResolver{ResolveFn: withID}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resolver.Called = resolver.Called[:0]
		mod, diags := Load(dir)
		if diags.HasErrors() {
			b.Fatal(diags)
		}
		ev, diags := NewEvaluator(mod, schemas, VarOptions{})
		if diags.HasErrors() {
			b.Fatal(diags)
		}
		rs, diags := ev.Resources(context.Background(), nil, resolver)
		if diags.HasErrors() {
			b.Fatal(diags)
		}
		if len(rs) != want {
			b.Fatalf("%d resources, want %d", len(rs), want)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(want), "ns/resource")
}
