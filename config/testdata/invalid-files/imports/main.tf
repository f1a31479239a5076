resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

import {
  to = aws_vpc.other # ERROR: Configuration for import target does not exist
  id = "vpc-1"
}

import {
  to = aws_vpc.main
  id = 42 > 1 # ERROR: Invalid import id argument
}

import {
  to = module.x.aws_vpc.y # ERROR: Configuration for import target does not exist
  id = "vpc-3"
}
