variable "env" { # ERROR: No value for required variable
  type = string
}

variable "count_of" { # ERROR: No value for required variable
  type     = number
  nullable = false
  default  = null
}

variable "ok" {
  default = "fine"
}

variable "bad_default" {
  type    = number
  default = "ten" # ERROR: Invalid default value for variable
}
