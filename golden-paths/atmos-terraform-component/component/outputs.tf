output "id" {
  description = "The id of {{values.name}}."
  value       = one(terraform_data.this[*].id)
}
