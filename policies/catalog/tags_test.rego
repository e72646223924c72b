package paved.catalog.tags_test

import data.paved.catalog.tags
import rego.v1

entity(list) := {"kind": "Component", "metadata": {"name": "web", "tags": list}, "spec": {}}

test_clean_tags if {
	count(tags.deny) == 0 with input as entity(["java", "http"])
	count(tags.warn) == 0 with input as entity(["java", "http"])
}

test_no_tags_at_all if {
	count(tags.deny) == 0 with input as {"kind": "Group", "metadata": {"name": "g"}}
}

test_duplicate_points_at_the_second if {
	tags.deny == {{
		"msg": "tag \"java\" appears more than once on web",
		"id": "catalog-tags-duplicate",
		"path": "/metadata/tags/2",
	}} with input as entity(["java", "http", "java"])
}

test_too_many if {
	{m.id | some m in tags.warn} == {"catalog-tags-too-many"} with input as entity(["a", "b", "c"])
		with data.config.max_tags as 2
}

test_banned if {
	some m in tags.warn with input as entity(["java", "todo"])
	m.id == "catalog-tags-banned"
	m.path == "/metadata/tags/1"
}
