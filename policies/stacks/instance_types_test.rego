package paved.stacks.instance_types_test

import data.paved.stacks.instance_types
import rego.v1

types := {"m6i.large": 2, "db.r6g.large": 2}

c(vars) := {"atmos_stack": "plat-ue2-prod", "atmos_component": "eks", "vars": vars}

test_allowed if {
	count(instance_types.deny) == 0 with input as c({"instance_types": ["m6i.large"], "instance_class": "db.r6g.large"})
		with data.config.instance_types as types
}

test_unknown_type_in_a_list if {
	instance_types.deny == {{
		"msg": "plat-ue2-prod/eks uses instance type \"p4d.24xlarge\", which is not on the allow-list",
		"id": "stacks-instance-type-not-allowed",
		"path": "/vars/instance_types/1",
	}} with input as c({"instance_types": ["m6i.large", "p4d.24xlarge"]})
		with data.config.instance_types as types
}

test_unknown_single_type if {
	some m in instance_types.deny with input as c({"instance_type": "x1.32xlarge"}) with data.config.instance_types as types
	m.path == "/vars/instance_type"
}

test_no_list_means_no_check if {
	count(instance_types.deny) == 0 with input as c({"instance_type": "x1.32xlarge"}) with data.config.instance_types as {}
}
