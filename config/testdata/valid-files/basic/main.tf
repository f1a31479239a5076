terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
  backend "s3" {
    bucket         = "state-bucket"
    key            = "prod/terraform.tfstate"
    region         = "eu-west-1"
    use_path_style = true
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = local.common_tags
  }
}

provider "aws" {
  alias  = "west"
  region = "us-west-2"
}

locals {
  common_tags = { Team = "platform", Env = var.env }
  subnets = {
    a = "10.0.1.0/24"
    b = "10.0.2.0/24"
  }
}

resource "aws_vpc" "main" {
  cidr_block = var.cidr
  tags = {
    Name = "main-${var.env}"
    Env  = var.env
  }
  lifecycle {
    ignore_changes  = [tags["Owner"], enable_dns_support]
    prevent_destroy = true
  }
}

resource "aws_subnet" "private" {
  for_each          = local.subnets
  vpc_id            = aws_vpc.main.id
  cidr_block        = each.value
  availability_zone = "eu-west-1${each.key}"
}

resource "aws_instance" "web" {
  count         = 2
  ami           = "ami-123"
  instance_type = var.instance_type
  subnet_id     = aws_subnet.private["a"].id
  tags = {
    Name = "web-${count.index}"
    Sub  = join(",", [for s in aws_subnet.private : s.id])
  }
}

resource "aws_security_group" "web" {
  provider = aws.west
  name     = "web"
  vpc_id   = aws_vpc.main.id

  dynamic "ingress" {
    for_each = var.ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = [aws_vpc.main.cidr_block]
    }
  }
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = "logs-${data.aws_caller_identity.current.account_id}"
  versioning_configuration {
    status = "Enabled"
  }
}

data "aws_caller_identity" "current" {}

import {
  to = aws_subnet.private["b"]
  id = "subnet-${var.env}"
}

import {
  to = aws_vpc.main
  id = "vpc-0abc"
}

output "vpc_id" {
  value = aws_vpc.main.id
}

moved {
  from = aws_vpc.old
  to   = aws_vpc.main
}
