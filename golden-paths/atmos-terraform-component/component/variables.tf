variable "enabled" {
  description = "Whether {{values.name}} creates anything."
  type        = bool
  default     = true
}

variable "name" {
  description = "The name of this instance."
  type        = string
  default     = "{{values.name}}"
}
