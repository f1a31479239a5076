resource "aws_s3_bucket" "logs" { # ERROR: Unclosed configuration block
  tags = {
}
