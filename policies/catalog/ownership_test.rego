package paved.catalog.ownership_test

import data.paved.catalog.ownership
import rego.v1

catalog := {
	"entities": {
		"group:default/team-a": {"kind": "Group", "metadata": {"name": "team-a"}},
		"group:default/ghost-team": {"kind": "Group", "metadata": {"name": "ghost-team"}},
		"system:default/shop": {"kind": "System", "metadata": {"name": "shop"}},
		"user:default/jane": {"kind": "User", "metadata": {"name": "jane"}},
	},
	"relations": {"group:default/team-a": [{"type": "hasMember", "target": "user:default/jane"}]},
}

component(owner) := {"kind": "Component", "metadata": {"name": "web"}, "spec": {"type": "service", "owner": owner}}

ids(set) := {m.id | some m in set}

test_owned_by_a_group_with_members if {
	count(ownership.deny) == 0 with input as component("team-a") with data.paved.catalog.entities as catalog.entities with data.paved.catalog.relations as catalog.relations
	count(ownership.warn) == 0 with input as component("group:default/team-a") with data.paved.catalog.entities as catalog.entities with data.paved.catalog.relations as catalog.relations
}

test_owned_by_a_user if {
	count(ownership.deny) == 0 with input as component("user:jane") with data.paved.catalog.entities as catalog.entities with data.paved.catalog.relations as catalog.relations
}

test_missing_owner if {
	ids(ownership.deny) == {"catalog-owner-required"} with input as {"kind": "Component", "metadata": {"name": "web"}, "spec": {}}
		with data.paved.catalog.entities as catalog.entities with data.paved.catalog.relations as catalog.relations
}

test_unresolved_owner if {
	ids(ownership.deny) == {"catalog-owner-unresolved"} with input as component("team-b") with data.paved.catalog.entities as catalog.entities with data.paved.catalog.relations as catalog.relations
}

test_owner_of_the_wrong_kind if {
	ids(ownership.deny) == {"catalog-owner-kind"} with input as component("system:shop") with data.paved.catalog.entities as catalog.entities with data.paved.catalog.relations as catalog.relations
}

test_empty_owner_group_warns if {
	ids(ownership.warn) == {"catalog-owner-empty-group"} with input as component("ghost-team") with data.paved.catalog.entities as catalog.entities with data.paved.catalog.relations as catalog.relations
}

test_groups_and_users_need_no_owner if {
	count(ownership.deny) == 0 with input as {"kind": "Group", "metadata": {"name": "g"}, "spec": {}}
		with data.paved.catalog.entities as catalog.entities with data.paved.catalog.relations as catalog.relations
}
