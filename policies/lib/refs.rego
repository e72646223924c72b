# Entity references, as Backstage resolves them: `name`, `kind:name`, `kind:namespace/name`.
package paved.lib.refs

import rego.v1

# The lower-cased full reference `kind:namespace/name` of what `text` names, with the kind and
# namespace filled from the defaults when the text leaves them out.
full(text, default_kind, namespace) := lower(sprintf("%s:%s", [kind_of(text, default_kind), with_namespace(name_of(text), namespace)]))

kind_of(text, _) := split(text, ":")[0] if contains(text, ":")

kind_of(text, default_kind) := default_kind if not contains(text, ":")

name_of(text) := substring(text, indexof(text, ":") + 1, -1) if contains(text, ":")

name_of(text) := text if not contains(text, ":")

with_namespace(name, _) := name if contains(name, "/")

with_namespace(name, namespace) := sprintf("%s/%s", [namespace, name]) if not contains(name, "/")

# The full reference of the entity under evaluation.
self(entity) := lower(sprintf("%s:%s/%s", [entity.kind, object.get(entity.metadata, "namespace", "default"), entity.metadata.name]))

# The catalog's relations of `ref` of one type.
related(ref, type) := {r.target | some r in object.get(data.paved.catalog.relations, ref, []); r.type == type}
