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

variable "ipv4_primary_cidr_block" {
  type        = string
  description = "Ipv4 primary cidr block."
}

variable "max_subnet_count" {
  type        = number
  description = "Max subnet count."
  default     = 3
}

variable "nat_gateway_enabled" {
  type        = bool
  description = "Nat gateway enabled."
  default     = true
}

variable "nat_instance_enabled" {
  type        = bool
  description = "Nat instance enabled."
  default     = false
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones."
  default     = []
}
