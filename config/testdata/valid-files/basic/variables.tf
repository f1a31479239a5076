variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "env" {
  type = string
  validation {
    condition     = length(var.env) > 0
    error_message = "env must not be empty."
  }
}

variable "cidr" {
  type      = string
  default   = "10.0.0.0/16"
  sensitive = true
}

variable "instance_type" {
  type        = string
  default     = "t3.micro"
  description = "EC2 instance type"
}

variable "ports" {
  type    = list(number)
  default = [443, 80]
}
