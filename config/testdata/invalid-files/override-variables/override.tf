# The new type does not fit the primary file's default.
variable "v" {
  type = number
}

variable "w" {
  defualt = 1 # ERROR: Unsupported argument
}
