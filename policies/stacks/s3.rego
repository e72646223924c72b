# S3 buckets in production are versioned and encrypted at rest.
package paved.stacks.s3

import data.paved.lib.stacks
import rego.v1

encryption := {"aws:kms", "aws:kms:dsse", "AES256"}

# The stage first: it rules out most instances with one lookup.
prod_bucket if {
	input.vars.stage == "prod"
	endswith(stacks.terraform_component(input), "s3-bucket")
	stacks.concrete(input)
}

deny contains {
	"msg": sprintf("production bucket %s must set vars.versioning_enabled: true", [stacks.name(input)]),
	"id": "stacks-s3-versioning",
	"path": "/vars/versioning_enabled",
} if {
	prod_bucket
	object.get(input.vars, "versioning_enabled", false) != true
}

deny contains {
	"msg": sprintf("production bucket %s must be encrypted (vars.sse_algorithm: aws:kms or AES256)", [stacks.name(input)]),
	"id": "stacks-s3-encryption",
	"path": "/vars/sse_algorithm",
} if {
	prod_bucket
	not object.get(input.vars, "sse_algorithm", "") in encryption
}
