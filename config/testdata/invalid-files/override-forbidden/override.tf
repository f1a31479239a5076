resource "aws_s3_bucket" "logs" {
  depends_on = [aws_s3_bucket.other] # ERROR: Unsupported override
}

output "o" {
  depends_on = [] # ERROR: Unsupported override
}

moved { # ERROR: Cannot override 'moved' blocks
  from = aws_s3_bucket.a
  to   = aws_s3_bucket.logs
}

import { # ERROR: Cannot override 'import' blocks
  to = aws_s3_bucket.logs
  id = "logs"
}
