module "net" {
  source = "../../modules/net"
  cidr   = "10.0.0.0/16"
}

resource "aws_s3_bucket" "logs" {
  bucket = "prod-logs"
}
