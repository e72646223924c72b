package paved.stacks.ownership_test

import data.paved.stacks.ownership
import rego.v1

entities := {
	"group:default/platform-networking": {"kind": "Group", "metadata": {"name": "platform-networking"}},
	"user:default/jane": {"kind": "User", "metadata": {"name": "jane"}},
}

vpc(settings) := {"atmos_stack": "plat-ue2-dev", "atmos_component": "vpc", "settings": settings, "vars": {}}

ids(set) := {m.id | some m in set}

test_owned if {
	count(ownership.deny) == 0 with input as vpc({"catalog": {"owner": "group:platform-networking"}})
		with data.paved.catalog.entities as entities
}

test_bare_name_defaults_to_group if {
	count(ownership.deny) == 0 with input as vpc({"catalog": {"owner": "platform-networking"}})
		with data.paved.catalog.entities as entities
}

test_missing if {
	ids(ownership.deny) == {"stacks-owner-required"} with input as vpc({}) with data.paved.catalog.entities as entities
}

test_unresolved if {
	ids(ownership.deny) == {"stacks-owner-unresolved"} with input as vpc({"catalog": {"owner": "group:nobody"}})
		with data.paved.catalog.entities as entities
}

test_users_do_not_own_infrastructure if {
	ids(ownership.deny) == {"stacks-owner-kind"} with input as vpc({"catalog": {"owner": "user:jane"}})
		with data.paved.catalog.entities as entities
}

test_abstract_components_are_skipped if {
	count(ownership.deny) == 0 with input as object.union(vpc({}), {"metadata": {"type": "abstract"}})
		with data.paved.catalog.entities as entities
}
