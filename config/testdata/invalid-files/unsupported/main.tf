module "network" {
  source = "./network"
}

data "aws_ami" "ubuntu" { # WARNING: data source aws_ami is not yet supported
  most_recent = true
}

resource "aws_vpc" "main" {
  cidr_block = module.network.cidr
}

resource "aws_instance" "web" {
  ami = data.aws_ami.ubuntu.id
}

resource "aws_lambda_function" "f" { # WARNING: resource type aws_lambda_function is not supported by driftctl
  function_name = "f"
}

resource "aws_subnet" "s" {
  vpc_id = aws_lambda_function.f.id
}
