# ${{ values.name }}, owned by ${{ values.owner }}.
terraform {
  required_version = ">= 1.5"
}
