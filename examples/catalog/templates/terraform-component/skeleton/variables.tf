variable "region" {
  type        = string
  description = "AWS region"
}
