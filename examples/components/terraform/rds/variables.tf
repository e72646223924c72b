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

variable "engine" {
  type        = string
  description = "Engine."
  default     = "postgres"
}

variable "engine_version" {
  type        = string
  description = "Engine version."
}

variable "instance_class" {
  type        = string
  description = "Instance class."
}

variable "instance_count" {
  type        = number
  description = "Instance count."
  default     = 1
}

variable "allocated_storage" {
  type        = number
  description = "Allocated storage."
  default     = 20
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones."
  default     = []
}
