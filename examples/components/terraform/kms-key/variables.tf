variable "namespace" {
  type        = string
  description = "Namespace."
}

variable "tenant" {
  type        = string
  description = "Tenant."
}

variable "environment" {
  type        = string
  description = "Environment."
}

variable "stage" {
  type        = string
  description = "Stage."
}

variable "region" {
  type        = string
  description = "Region."
}

variable "tags" {
  type        = map(string)
  description = "Tags."
  default     = {}
}

variable "name" {
  type        = string
  description = "Name."
}

variable "deletion_window_in_days" {
  type        = number
  description = "Deletion window in days."
  default     = 30
}

variable "enable_key_rotation" {
  type        = bool
  description = "Enable key rotation."
  default     = true
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones."
  default     = []
}
