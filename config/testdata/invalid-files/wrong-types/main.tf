resource "aws_vpc" "main" {
  cidr_block = { a = 1 } # ERROR: Incorrect attribute value type
  tags       = "nope" # ERROR: Incorrect attribute value type
}

resource "aws_subnet" "a" {
  vpc_id = "x"
  cidr_block = upper(1, 2) # ERROR: Too many function arguments
}
