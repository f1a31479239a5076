resource "aws_vpc" "a" {
  cidr_block = aws_subnet.b.cidr_block
}

resource "aws_subnet" "b" { # ERROR: Cycle in references
  vpc_id     = aws_vpc.a.id
  cidr_block = "10.0.1.0/24"
}

locals {
  x = local.y # ERROR: Cycle in references
  y = local.x
}
