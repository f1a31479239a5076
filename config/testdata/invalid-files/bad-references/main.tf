variable "env" {
  default = "prod"
}

locals {
  name = "app-${var.envv}" # ERROR: Reference to undeclared input variable
}

resource "aws_vpc" "main" {
  cidr_block = local.cidr # ERROR: Reference to undeclared local value
  tags = {
    Name = local.name
    Peer = aws_vpc.other.id # ERROR: Reference to undeclared resource
    Idx  = count.index # ERROR: Reference to "count" in non-counted context
  }
}

resource "aws_subnet" "a" {
  vpc_id     = aws_vpcs.main.id # ERROR: Reference to undeclared resource
  cidr_block = data.aws_region.current.name # ERROR: Reference to undeclared resource
}
