# Every override block needs a block of the same kind and labels in a
# primary file; a default provider configuration does not.
resource "aws_s3_bucket" "log" {} # ERROR: Missing resource to override
data "aws_region" "current" {} # ERROR: Missing data resource to override
variable "v" {} # ERROR: Missing base variable declaration to override
output "o" { value = 1 } # ERROR: Missing base output definition to override
module "m" { source = "./m" } # ERROR: Missing module call to override
provider "aws" { # ERROR: Missing base provider configuration for override
  alias = "west"
}
provider "aws" {
  region = "us-east-1"
}
locals {
  l = 1 # ERROR: Missing base local value definition to override
}
