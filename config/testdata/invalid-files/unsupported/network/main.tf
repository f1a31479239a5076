output "cidr" {
  value = "10.0.0.0/16"
}
