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

variable "versioning_enabled" {
  type        = bool
  description = "Versioning enabled."
  default     = true
}

variable "sse_algorithm" {
  type        = string
  description = "Sse algorithm."
  default     = "AES256"
}

variable "force_destroy" {
  type        = bool
  description = "Force destroy."
  default     = false
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones."
  default     = []
}
