# Ownership: every owned entity names an owner, and the owner is a Group or User of the catalog.
# A Group that owns something should have members (or child groups) who can answer for it.
package paved.catalog.ownership

import data.paved.lib.refs
import rego.v1

owned_kinds := {"component", "api", "resource", "system", "domain", "template"}

namespace := object.get(input.metadata, "namespace", "default")

owner_ref := refs.full(input.spec.owner, "group", namespace) if is_string(input.spec.owner)

deny contains {
	"msg": sprintf("%s %s has no spec.owner", [input.kind, input.metadata.name]),
	"id": "catalog-owner-required",
	"path": "/spec",
} if {
	lower(input.kind) in owned_kinds
	not input.spec.owner
}

deny contains {
	"msg": sprintf("owner %q of %s is not in the catalog", [input.spec.owner, input.metadata.name]),
	"id": "catalog-owner-unresolved",
	"path": "/spec/owner",
} if {
	lower(input.kind) in owned_kinds
	count(data.paved.catalog.entities) > 0
	not data.paved.catalog.entities[owner_ref]
}

deny contains {
	"msg": sprintf("owner %q of %s is a %s, not a Group or User", [input.spec.owner, input.metadata.name, owner.kind]),
	"id": "catalog-owner-kind",
	"path": "/spec/owner",
} if {
	lower(input.kind) in owned_kinds
	owner := data.paved.catalog.entities[owner_ref]
	not lower(owner.kind) in {"group", "user"}
}

warn contains {
	"msg": sprintf("owner %q of %s has no members and no child groups", [input.spec.owner, input.metadata.name]),
	"id": "catalog-owner-empty-group",
	"path": "/spec/owner",
} if {
	lower(input.kind) in owned_kinds
	owner := data.paved.catalog.entities[owner_ref]
	lower(owner.kind) == "group"
	not has_people
}

people_relations := {"hasMember", "parentOf"}

# One pass over the owner's relations (a Group also has one `ownerOf` per thing it owns).
has_people if {
	some r in object.get(data.paved.catalog.relations, owner_ref, [])
	people_relations[r.type]
}
