# Lifecycle: Components and APIs use the agreed lifecycle values, and production software does not
# depend on (or consume APIs of) experimental software. Depending on deprecated software warns.
package paved.catalog.lifecycle

import data.paved.lib.refs
import rego.v1

lifecycle_kinds := {"component", "api"}

allowed := object.get(data, ["config", "lifecycles"], ["experimental", "production", "deprecated"])

# The spec field each relation type is written in (the message's path).
field_of := {"dependsOn": "dependsOn", "consumesApi": "consumesApis"}

# The entity's `dependsOn` and `consumesApi` relations, in one pass over its relations.
dependencies contains r if {
	some r in object.get(data.paved.catalog.relations, refs.self(input), [])
	field_of[r.type]
}

deny contains {
	"msg": sprintf("lifecycle %q of %s is not one of %s", [lc, input.metadata.name, concat(", ", allowed)]),
	"id": "catalog-lifecycle-value",
	"path": "/spec/lifecycle",
} if {
	lower(input.kind) in lifecycle_kinds
	lc := input.spec.lifecycle
	not lc in allowed
}

deny contains {
	"msg": sprintf("production %s %s depends on experimental %s", [lower(input.kind), input.metadata.name, r.target]),
	"id": "catalog-production-depends-on-experimental",
	"path": sprintf("/spec/%s", [field_of[r.type]]),
} if {
	input.spec.lifecycle == "production"
	some r in dependencies
	data.paved.catalog.entities[r.target].spec.lifecycle == "experimental"
}

warn contains {
	"msg": sprintf("%s depends on deprecated %s", [input.metadata.name, r.target]),
	"id": "catalog-depends-on-deprecated",
	"path": sprintf("/spec/%s", [field_of[r.type]]),
} if {
	input.spec.lifecycle != "deprecated"
	some r in dependencies
	data.paved.catalog.entities[r.target].spec.lifecycle == "deprecated"
}
