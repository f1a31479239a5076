resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  cidr_blocks = ["10.0.0.0/16"] # WARNING: Unsupported argument
  lifecycle {
    ignore_change = [tags] # ERROR: Unsupported argument
  }
}

resource "aws_subnet" "a" { # ERROR: Missing required argument
  cidr_block = "10.0.1.0/24"
}
