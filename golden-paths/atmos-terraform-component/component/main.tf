# {{values.name}}: {{values.description}}

locals {
  enabled = var.enabled
}

resource "terraform_data" "this" {
  count = local.enabled ? 1 : 0
  input = { name = var.name }
}
