# Entity references, as Backstage resolves them: `name`, `kind:name`, `kind:namespace/name`.
package paved.lib.refs

import rego.v1

# The lower-cased full reference `kind:namespace/name` of what `text` names, with the kind and
# namespace filled from the defaults when the text leaves them out. Written as `else` chains of
# built-ins: it runs for every input of the ownership rules, and each Rego function call (or
# definition tried) costs about as much as three built-in calls in regorus.
full(text, default_kind, namespace) := lower(concat(":", [default_kind, with_namespace(text, namespace)])) if {
	not contains(text, ":")
} else := lower(concat(":", [substring(text, 0, i), with_namespace(substring(text, i + 1, -1), namespace)])) if {
	i := indexof(text, ":")
}

with_namespace(name, namespace) := name if {
	contains(name, "/")
} else := concat("/", [namespace, name])

# The full reference of the entity under evaluation.
self(entity) := lower(sprintf("%s:%s/%s", [entity.kind, object.get(entity.metadata, "namespace", "default"), entity.metadata.name]))

# The catalog's relations of `ref` of one type.
related(ref, type) := {r.target | some r in object.get(data.paved.catalog.relations, ref, []); r.type == type}
