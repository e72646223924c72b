package paved.stacks.s3_test

import data.paved.stacks.s3
import rego.v1

bucket(stage, vars) := {
	"atmos_stack": sprintf("core-ue2-%s", [stage]),
	"atmos_component": "s3-logs",
	"metadata": {"component": "s3-bucket"},
	"vars": object.union({"stage": stage}, vars),
}

ids(set) := {m.id | some m in set}

test_compliant_prod_bucket if {
	count(s3.deny) == 0 with input as bucket("prod", {"versioning_enabled": true, "sse_algorithm": "aws:kms"})
}

test_unversioned_unencrypted_prod_bucket if {
	ids(s3.deny) == {"stacks-s3-versioning", "stacks-s3-encryption"} with input as bucket("prod", {})
}

test_weak_encryption_value if {
	ids(s3.deny) == {"stacks-s3-encryption"} with input as bucket("prod", {"versioning_enabled": true, "sse_algorithm": "none"})
}

test_dev_buckets_are_free if {
	count(s3.deny) == 0 with input as bucket("dev", {})
}

test_other_components_are_ignored if {
	count(s3.deny) == 0 with input as object.union(bucket("prod", {}), {"metadata": {"component": "vpc"}})
}
