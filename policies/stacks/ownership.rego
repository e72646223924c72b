# Ownership of infrastructure: every component instance names its owning Group in
# `settings.catalog.owner`, and that Group exists in the catalog. This ties each piece of
# infrastructure to the people who answer for it.
package paved.stacks.ownership

import data.paved.lib.refs
import data.paved.lib.stacks
import rego.v1

owner := input.settings.catalog.owner

owner_ref := refs.full(owner, "group", "default") if is_string(owner)

# `stacks.concrete` comes last in each rule: a function call costs more than the lookups before
# it, which most instances pass.
deny contains {
	"msg": sprintf("%s names no owner (settings.catalog.owner: group:<name>)", [stacks.name(input)]),
	"id": "stacks-owner-required",
	"path": "/settings",
} if {
	not is_string(object.get(input, ["settings", "catalog", "owner"], null))
	stacks.concrete(input)
}

deny contains {
	"msg": sprintf("owner %q of %s is not in the catalog", [owner, stacks.name(input)]),
	"id": "stacks-owner-unresolved",
	"path": "/settings/catalog/owner",
} if {
	count(data.paved.catalog.entities) > 0
	not data.paved.catalog.entities[owner_ref]
	stacks.concrete(input)
}

deny contains {
	"msg": sprintf("owner %q of %s is a %s, not a Group", [owner, stacks.name(input), entity.kind]),
	"id": "stacks-owner-kind",
	"path": "/settings/catalog/owner",
} if {
	entity := data.paved.catalog.entities[owner_ref]
	lower(entity.kind) != "group"
	stacks.concrete(input)
}
