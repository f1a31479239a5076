variable "a" {}
variable "b" {}
variable "c" {}
variable "d" {}
variable "e" {}
variable "f" {}
variable "g" {}
variable "h" {
  default = "default"
}
variable "n" {
  type = number
}
variable "l" {
  type    = list(string)
  default = []
}
variable "o" {
  type = object({
    name = string
    size = optional(number, 10)
  })
  default = { name = "d" }
}
variable "nul" {
  type     = string
  nullable = false
  default  = "fallback"
}
