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

variable "kubernetes_version" {
  type        = string
  description = "Kubernetes version."
}

variable "instance_types" {
  type        = list(string)
  description = "Instance types."
}

variable "desired_size" {
  type        = number
  description = "Desired size."
  default     = 2
}

variable "min_size" {
  type        = number
  description = "Min size."
  default     = 1
}

variable "max_size" {
  type        = number
  description = "Max size."
  default     = 4
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones."
  default     = []
}
