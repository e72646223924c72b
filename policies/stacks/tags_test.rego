package paved.stacks.tags_test

import data.paved.stacks.tags
import rego.v1

c(vars) := {"atmos_stack": "plat-ue2-dev", "atmos_component": "vpc", "component_type": "terraform", "vars": vars}

test_tagged if {
	count(tags.deny) == 0 with input as c({"tags": {"Team": "platform-networking", "CostCenter": "cc-100"}})
}

test_missing_tag_points_at_tags if {
	tags.deny == {{
		"msg": "plat-ue2-dev/vpc is missing the \"CostCenter\" tag in vars.tags",
		"id": "stacks-required-tags",
		"path": "/vars/tags",
	}} with input as c({"tags": {"Team": "platform-networking"}})
}

test_no_tags_at_all_points_at_vars if {
	{m.path | some m in tags.deny} == {"/vars"} with input as c({})
	count(tags.deny) == 2 with input as c({})
}

test_blank_tag_does_not_count if {
	count(tags.deny) == 1 with input as c({"tags": {"Team": " ", "CostCenter": "cc"}})
}

test_helmfile_components_are_skipped if {
	count(tags.deny) == 0 with input as object.union(c({}), {"component_type": "helmfile"})
}
