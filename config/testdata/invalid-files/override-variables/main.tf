variable "v" {
  default = "abc" # ERROR: Invalid default value for variable
}

variable "w" {} # ERROR: No value for required variable
