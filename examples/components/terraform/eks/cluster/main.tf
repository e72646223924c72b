# The eks/cluster component. The example repository keeps only its interface (variables.tf);
# paved never runs Terraform while validating.
terraform {
  required_version = ">= 1.5"
}

locals {
  enabled = true
}
