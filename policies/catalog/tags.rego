# Tag hygiene: no tag twice, not too many tags, none of the meaningless ones (todo, misc...).
# Backstage itself checks the tag format; these are the team conventions on top.
package paved.catalog.tags

import rego.v1

tags := object.get(input, ["metadata", "tags"], [])

max_tags := object.get(data, ["config", "max_tags"], 8)

banned := {t | some t in object.get(data, ["config", "banned_tags"], ["todo", "misc", "temp", "test", "tbd"])}

deny contains {
	"msg": sprintf("tag %q appears more than once on %s", [tag, input.metadata.name]),
	"id": "catalog-tags-duplicate",
	"path": sprintf("/metadata/tags/%d", [j]),
} if {
	has_duplicates
	some i, tag in tags
	some j, other in tags
	i < j
	tag == other
}

# A cheap test first, so the pairwise search below runs only when there is something to find.
has_duplicates if count({t | some t in tags}) < count(tags)

warn contains {
	"msg": sprintf("%s has %d tags; keep it to %d so they stay useful for search", [input.metadata.name, count(tags), max_tags]),
	"id": "catalog-tags-too-many",
	"path": "/metadata/tags",
} if {
	count(tags) > max_tags
}

warn contains {
	"msg": sprintf("tag %q on %s says nothing; use a tag people search for", [tag, input.metadata.name]),
	"id": "catalog-tags-banned",
	"path": sprintf("/metadata/tags/%d", [i]),
} if {
	some i, tag in tags
	lower(tag) in banned
}
