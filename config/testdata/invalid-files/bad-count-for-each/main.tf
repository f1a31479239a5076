resource "aws_vpc" "list" {
  for_each   = ["a", "b"] # ERROR: Invalid for_each argument
  cidr_block = each.value
}

resource "aws_vpc" "negative" {
  count      = -1 # ERROR: Invalid count argument
  cidr_block = "10.0.0.0/16"
}

resource "aws_vpc" "fraction" {
  count      = 1.5 # ERROR: Invalid count argument
  cidr_block = "10.0.0.0/16"
}

resource "aws_vpc" "null" {
  for_each   = null # ERROR: Invalid for_each argument
  cidr_block = "10.0.0.0/16"
}

resource "aws_vpc" "both" {
  count      = 1
  for_each   = toset(["a"]) # ERROR: Invalid combination of "count" and "for_each"
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "each" {
  vpc_id = each.key # ERROR: Reference to "each" in context without for_each
}
