package paved.catalog.lifecycle_test

import data.paved.catalog.lifecycle
import rego.v1

catalog := {
	"entities": {
		"component:default/web": {"kind": "Component", "metadata": {"name": "web"}, "spec": {"lifecycle": "production"}},
		"component:default/lab": {"kind": "Component", "metadata": {"name": "lab"}, "spec": {"lifecycle": "experimental"}},
		"api:default/old": {"kind": "API", "metadata": {"name": "old"}, "spec": {"lifecycle": "deprecated"}},
		"component:default/core": {"kind": "Component", "metadata": {"name": "core"}, "spec": {"lifecycle": "production"}},
	},
	"relations": {"component:default/web": [
		{"type": "dependsOn", "target": "component:default/lab"},
		{"type": "dependsOn", "target": "component:default/core"},
		{"type": "consumesApi", "target": "api:default/old"},
	]},
}

web := {"kind": "Component", "metadata": {"name": "web"}, "spec": {"lifecycle": "production"}}

ids(set) := {m.id | some m in set}

test_production_on_experimental_denied if {
	ids(lifecycle.deny) == {"catalog-production-depends-on-experimental"} with input as web with data.paved.catalog.entities as catalog.entities with data.paved.catalog.relations as catalog.relations
	some m in lifecycle.deny with input as web with data.paved.catalog.entities as catalog.entities with data.paved.catalog.relations as catalog.relations
	m.path == "/spec/dependsOn"
}

test_deprecated_dependency_warns if {
	ids(lifecycle.warn) == {"catalog-depends-on-deprecated"} with input as web with data.paved.catalog.entities as catalog.entities with data.paved.catalog.relations as catalog.relations
}

test_experimental_may_depend_on_anything if {
	count(lifecycle.deny) == 0 with input as object.union(web, {"spec": {"lifecycle": "experimental"}})
		with data.paved.catalog.entities as catalog.entities with data.paved.catalog.relations as catalog.relations
}

test_unknown_lifecycle if {
	ids(lifecycle.deny) == {"catalog-lifecycle-value"} with input as {"kind": "API", "metadata": {"name": "x"}, "spec": {"lifecycle": "beta"}}
		with data.paved.catalog.entities as {}
}

test_lifecycle_values_come_from_data if {
	count(lifecycle.deny) == 0 with input as {"kind": "API", "metadata": {"name": "x"}, "spec": {"lifecycle": "beta"}}
		with data.paved.catalog.entities as {}
		with data.config.lifecycles as ["beta"]
}
