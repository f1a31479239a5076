# Types driftctl has no native reader for: read through the provider's
# own plugin (scan/instances.go).

resource "aws_sqs_queue" "jobs" {
  name                       = "jobs"
  visibility_timeout_seconds = 30
  tags = {
    Team = "jobs-team"
  }
}

resource "aws_sqs_queue" "gone" {
  name = "gone"
}

resource "aws_sqs_queue" "ignored" {
  name = "ignored"
  tags = {
    Team = "ignored-team"
  }
  lifecycle {
    ignore_changes = [tags]
  }
}

resource "aws_sns_topic" "events" {
  name = "events"
  tags = {
    Team = "events-team"
  }
}

resource "aws_sns_topic" "defaults" {
  name = "defaults"
}

resource "aws_dynamodb_table" "items" {
  name         = "items"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"

  attribute {
    name = "pk"
    type = "S"
  }

  ttl {
    attribute_name = "expires"
    enabled        = true
  }

  timeouts {
    create = "10m"
  }
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/app/web"
  retention_in_days = 14
}

resource "aws_kms_key" "main" {
  description             = "main key"
  deletion_window_in_days = 7
}

resource "aws_ssm_parameter" "secret" {
  name  = "/app/secret"
  type  = "SecureString"
  value = "s3cret-value"
}

resource "aws_internet_gateway" "gw" {
  vpc_id = aws_vpc.main.id
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.gw.id
  }
}
