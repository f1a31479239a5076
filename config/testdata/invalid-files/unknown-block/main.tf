resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resources "aws_vpc" "typo" { # ERROR: Unsupported block type
}

region = "eu-west-1" # ERROR: Unsupported argument
