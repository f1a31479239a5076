resource "aws_s3_bucket" "logs" {}

output "o" {
  value = 1
}
