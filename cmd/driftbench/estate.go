package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// The mix of resource types per 100 resources, as a platform team's stack
// holds them: networks, groups, a few instances (RunInstances is slow in
// moto), buckets with their settings, IAM. Few VPCs with many subnets each:
// an account has 5 VPCs per region unless it asks for more (the default
// quota, https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html),
// and a VPC usually has 6 or more subnets (3 zones x public and private),
// so 2 VPCs with 10 subnets each. The weights add up to 100.
var mix = []struct {
	typ    string
	weight int
}{
	{"aws_vpc", 2},
	{"aws_subnet", 20},
	{"aws_security_group", 14},
	{"aws_instance", 4},
	{"aws_s3_bucket", 16},
	{"aws_s3_bucket_versioning", 10},
	{"aws_s3_bucket_public_access_block", 6},
	{"aws_s3_bucket_policy", 5},
	{"aws_iam_role", 10},
	{"aws_iam_policy", 5},
	{"aws_iam_role_policy_attachment", 5},
	{"aws_iam_user", 3},
}

const (
	region  = "us-east-1"
	account = "123456789012" // moto's default account
	ami     = "ami-12c6146b" // an AMI moto knows
	prefix  = "driftbench"
)

// layout is how many resources of each type an estate of n holds, and
// the hand changes made to it.
type layout struct {
	n                                  int
	vpcs, subnets, sgs, instances      int
	buckets, versioning, pabs, bpols   int
	roles, policies, attachments, usrs int
	// Hand changes (about 5% of the resources), by kind.
	extraBuckets, extraUsers int
}

func newLayout(n int) layout {
	c := map[string]int{}
	total := 0
	for _, m := range mix {
		c[m.typ] = max(1, n*m.weight/100)
		total += c[m.typ]
	}
	// The remainder goes to buckets, the type every estate has most of.
	if total < n {
		c["aws_s3_bucket"] += n - total
	}
	l := layout{
		n: n, vpcs: c["aws_vpc"], subnets: c["aws_subnet"], sgs: c["aws_security_group"], instances: c["aws_instance"],
		buckets: c["aws_s3_bucket"], versioning: c["aws_s3_bucket_versioning"], pabs: c["aws_s3_bucket_public_access_block"], bpols: c["aws_s3_bucket_policy"],
		roles: c["aws_iam_role"], policies: c["aws_iam_policy"], attachments: c["aws_iam_role_policy_attachment"], usrs: c["aws_iam_user"],
	}
	l.sgs = max(l.sgs, l.vpcs) // instances use the group of their subnet's VPC
	l.attachments = min(l.attachments, l.roles, l.policies)
	l.extraBuckets = max(1, n/200)
	l.extraUsers = max(1, n/400)
	return l
}

// total is the number of managed resources.
func (l layout) total() int {
	return l.vpcs + l.subnets + l.sgs + l.instances + l.buckets + l.versioning + l.pabs + l.bpols +
		l.roles + l.policies + l.attachments + l.usrs
}

// The hand changes: which indexes of each type drift. Every 20th resource
// of the drifting types changes (about 5% of the estate with the missing
// and unmanaged ones).
func driftsVPC(i int) bool      { return i%20 == 1 }  // tag Owner added (from 2 VPCs: an estate of 100 has 2)
func driftsSG(i int) bool       { return i%20 == 5 }  // SSH rule added
func driftsBucket(i int) bool   { return i%20 == 7 }  // tag Owner added
func driftsVersion(i int) bool  { return i%20 == 9 }  // versioning suspended
func driftsRole(i int) bool     { return i%20 == 11 } // tag Owner added
func driftsUser(i int) bool     { return i%10 == 1 }  // tag Owner added
func driftsInstance(i int) bool { return i%20 == 13 } // tag Owner added
func dropsPolicy(i int) bool    { return i%20 == 4 }  // bucket policy deleted: missing

// deletedBucket says whether bucket i (one without versioning, access
// block or policy) is deleted: missing.
func (l layout) deletedBucket(i int) bool {
	return i >= max(l.versioning, l.pabs, l.bpols) && i%25 == 0
}

func vpcCIDR(i int) string          { return fmt.Sprintf("10.%d.0.0/16", i%250) }
func subnetVPC(l layout, j int) int { return j % l.vpcs }
func subnetCIDR(l layout, j int) string {
	v := subnetVPC(l, j)
	return fmt.Sprintf("10.%d.%d.0/24", v%250, j/l.vpcs+1)
}
func subnetAZ(j int) string          { return region + string(rune('a'+j%3)) }
func sgVPC(l layout, j int) int      { return j % l.vpcs }
func instSubnet(l layout, j int) int { return j % l.subnets }
func instSG(l layout, j int) int     { return subnetVPC(l, instSubnet(l, j)) }
func bucketName(i int) string        { return fmt.Sprintf("%s-%06d", prefix, i) }

// sgName is a security group's name: not "sg-..." (AWS and the provider
// reject names that begin so).
func sgName(j int) string          { return fmt.Sprintf("web-%d", j) }
func extraBucketName(i int) string { return fmt.Sprintf("%s-extra-%04d", prefix, i) }
func roleName(i int) string        { return fmt.Sprintf("%s-role-%05d", prefix, i) }
func policyName(i int) string      { return fmt.Sprintf("%s-policy-%05d", prefix, i) }
func userName(i int) string        { return fmt.Sprintf("%s-user-%05d", prefix, i) }
func extraUserName(i int) string   { return fmt.Sprintf("%s-extra-user-%04d", prefix, i) }
func policyARN(i int) string       { return fmt.Sprintf("arn:aws:iam::%s:policy/%s", account, policyName(i)) }

const trustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ec2.amazonaws.com"}}]}`

func bucketPolicyJSON(bucket string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"ReadObjects","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}]}`, account, bucket)
}

func iamPolicyJSON(i int) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::%s/*"}]}`, bucketName(i))
}

// baseTags are the tags every taggable resource has (local.tags).
func baseTags(name string) map[string]string {
	return map[string]string{"Project": "driftbench", "Environment": "bench", "Name": name}
}

// withoutVersioningType is the layout with no aws_s3_bucket_versioning
// (terraform-provider-aws has it from v4 on: in v3, versioning is a
// block of aws_s3_bucket, optional and computed): its share goes to
// buckets, so the estate keeps its size.
func (l layout) withoutVersioningType() layout {
	l.buckets += l.versioning
	l.versioning = 0
	return l
}

// writeHCL writes the configuration of the estate in files of at most
// perFile resource blocks, as a large stack is split. providers is the
// provider configuration; "" is a provider block naming the region alone
// (the endpoint then comes from the environment).
func writeHCL(dir string, l layout, perFile int, providers string) error {
	if providers == "" {
		providers = "provider \"aws\" {\n  region = \"" + region + "\"\n}\n"
	}
	main := providers + `
locals {
  tags = {
    Project     = "driftbench"
    Environment = "bench"
  }
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(main), 0o644); err != nil {
		return err
	}
	var sb strings.Builder
	blocks, file := 0, 0
	flush := func() error {
		if blocks == 0 {
			return nil
		}
		err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("r%03d.tf", file)), []byte(sb.String()), 0o644)
		sb.Reset()
		blocks = 0
		file++
		return err
	}
	add := func(format string, args ...any) error {
		fmt.Fprintf(&sb, format, args...)
		sb.WriteString("\n")
		blocks++
		if blocks >= perFile {
			return flush()
		}
		return nil
	}
	type gen struct {
		n int
		f func(i int) error
	}
	gens := []gen{
		{l.vpcs, func(i int) error {
			return add("resource \"aws_vpc\" \"v%d\" {\n  cidr_block           = %q\n  enable_dns_hostnames = true\n  tags                 = merge(local.tags, { Name = \"vpc-%d\" })\n}\n", i, vpcCIDR(i), i)
		}},
		{l.subnets, func(j int) error {
			return add("resource \"aws_subnet\" \"s%d\" {\n  vpc_id            = aws_vpc.v%d.id\n  cidr_block        = %q\n  availability_zone = %q\n  tags              = merge(local.tags, { Name = \"subnet-%d\" })\n}\n",
				j, subnetVPC(l, j), subnetCIDR(l, j), subnetAZ(j), j)
		}},
		{l.sgs, func(j int) error {
			return add(`resource "aws_security_group" "g%d" {
  name        = %q
  description = "web tier %d"
  vpc_id      = aws_vpc.v%d.id

  ingress {
    description = "HTTPS"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = merge(local.tags, { Name = %q })
}
`, j, sgName(j), j, sgVPC(l, j), sgName(j))
		}},
		{l.instances, func(j int) error {
			return add("resource \"aws_instance\" \"i%d\" {\n  ami                    = %q\n  instance_type          = \"t3.micro\"\n  subnet_id              = aws_subnet.s%d.id\n  vpc_security_group_ids = [aws_security_group.g%d.id]\n  tags                   = merge(local.tags, { Name = \"app-%d\" })\n}\n",
				j, ami, instSubnet(l, j), instSG(l, j), j)
		}},
		{l.buckets, func(i int) error {
			return add("resource \"aws_s3_bucket\" \"b%d\" {\n  bucket        = %q\n  force_destroy = true\n  tags          = merge(local.tags, { Name = %q })\n}\n", i, bucketName(i), bucketName(i))
		}},
		{l.versioning, func(i int) error {
			return add("resource \"aws_s3_bucket_versioning\" \"b%d\" {\n  bucket = aws_s3_bucket.b%d.id\n  versioning_configuration {\n    status = \"Enabled\"\n  }\n}\n", i, i)
		}},
		{l.pabs, func(i int) error {
			return add("resource \"aws_s3_bucket_public_access_block\" \"b%d\" {\n  bucket                  = aws_s3_bucket.b%d.id\n  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n  restrict_public_buckets = true\n}\n", i, i)
		}},
		{l.bpols, func(i int) error {
			return add(`resource "aws_s3_bucket_policy" "b%d" {
  bucket = aws_s3_bucket.b%d.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "ReadObjects"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::%s:root" }
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.b%d.arn}/*"
    }]
  })
}
`, i, i, account, i)
		}},
		{l.roles, func(i int) error {
			return add(`resource "aws_iam_role" "r%d" {
  name = %q
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
  tags = merge(local.tags, { Name = %q })
}
`, i, roleName(i), roleName(i))
		}},
		{l.policies, func(i int) error {
			return add(`resource "aws_iam_policy" "p%d" {
  name        = %q
  description = "Reads and writes bucket %d"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject"], Resource = "arn:aws:s3:::%s/*" }]
  })
}
`, i, policyName(i), i, bucketName(i))
		}},
		{l.attachments, func(i int) error {
			return add("resource \"aws_iam_role_policy_attachment\" \"a%d\" {\n  role       = aws_iam_role.r%d.name\n  policy_arn = aws_iam_policy.p%d.arn\n}\n", i, i, i)
		}},
		{l.usrs, func(i int) error {
			return add("resource \"aws_iam_user\" \"u%d\" {\n  name = %q\n  path = \"/bench/\"\n  tags = merge(local.tags, { Name = %q })\n}\n", i, userName(i), userName(i))
		}},
	}
	for _, g := range gens {
		for i := 0; i < g.n; i++ {
			if err := g.f(i); err != nil {
				return err
			}
		}
	}
	return flush()
}

// writeState writes terraform.tfstate for the estate.
func writeState(dir string, e *emulator.Estate) error {
	b, err := e.StateJSON()
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "terraform.tfstate"), b, 0o644)
}

// expected is what an exact report says: the drifted and missing
// addresses and the unmanaged "type id"s; everything else is in sync.
type expected struct {
	Drifted, Missing, Unmanaged []string
}

func expectedOf(l layout) expected {
	var e expected
	for i := 0; i < l.vpcs; i++ {
		if driftsVPC(i) {
			e.Drifted = append(e.Drifted, fmt.Sprintf("aws_vpc.v%d", i))
		}
	}
	for i := 0; i < l.sgs; i++ {
		if driftsSG(i) {
			e.Drifted = append(e.Drifted, fmt.Sprintf("aws_security_group.g%d", i))
		}
	}
	for i := 0; i < l.instances; i++ {
		if driftsInstance(i) {
			e.Drifted = append(e.Drifted, fmt.Sprintf("aws_instance.i%d", i))
		}
	}
	for i := 0; i < l.buckets; i++ {
		switch {
		case l.deletedBucket(i):
			e.Missing = append(e.Missing, fmt.Sprintf("aws_s3_bucket.b%d", i))
		case driftsBucket(i):
			e.Drifted = append(e.Drifted, fmt.Sprintf("aws_s3_bucket.b%d", i))
		}
	}
	for i := 0; i < l.versioning; i++ {
		if driftsVersion(i) {
			e.Drifted = append(e.Drifted, fmt.Sprintf("aws_s3_bucket_versioning.b%d", i))
		}
	}
	for i := 0; i < l.bpols; i++ {
		if dropsPolicy(i) {
			e.Missing = append(e.Missing, fmt.Sprintf("aws_s3_bucket_policy.b%d", i))
		}
	}
	for i := 0; i < l.roles; i++ {
		if driftsRole(i) {
			e.Drifted = append(e.Drifted, fmt.Sprintf("aws_iam_role.r%d", i))
		}
	}
	for i := 0; i < l.usrs; i++ {
		if driftsUser(i) {
			e.Drifted = append(e.Drifted, fmt.Sprintf("aws_iam_user.u%d", i))
		}
	}
	for i := 0; i < l.extraBuckets; i++ {
		e.Unmanaged = append(e.Unmanaged, "aws_s3_bucket "+extraBucketName(i))
	}
	for i := 0; i < l.extraUsers; i++ {
		e.Unmanaged = append(e.Unmanaged, "aws_iam_user "+extraUserName(i))
	}
	sort.Strings(e.Drifted)
	sort.Strings(e.Missing)
	sort.Strings(e.Unmanaged)
	return e
}

// changed is the number of resources the hand changes touch.
func (e expected) changed() int { return len(e.Drifted) + len(e.Missing) + len(e.Unmanaged) }
