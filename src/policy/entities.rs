//! Catalog entities from YAML text, for policy inputs: each document with its spanned tree
//! and the relations its spec declares (Backstage's default kinds per field).

use std::sync::Arc;

use serde_json::Value as Json;

use super::data::EntityInput;
use crate::yaml::{ParseOptions, parse_documents};

/// Spec fields that produce relations: (field, relation type, default kind).
const FIELDS: &[(&str, &str, Option<&str>)] = &[
    ("owner", "ownedBy", Some("group")),
    ("system", "partOf", Some("system")),
    ("domain", "partOf", Some("domain")),
    ("subdomainOf", "partOf", Some("domain")),
    ("subcomponentOf", "partOf", Some("component")),
    ("dependsOn", "dependsOn", None),
    ("providesApis", "providesApi", Some("api")),
    ("consumesApis", "consumesApi", Some("api")),
    ("parent", "childOf", Some("group")),
    ("children", "parentOf", Some("group")),
    ("memberOf", "memberOf", Some("group")),
    ("members", "hasMember", Some("user")),
];

/// Lower-cased `kind:namespace/name` for a reference written in `field`, or `None` when the
/// reference has no kind and the field has no default.
pub fn resolve_ref(text: &str, default_kind: Option<&str>, namespace: &str) -> Option<String> {
    let (kind, rest) = match text.split_once(':') {
        Some((k, r)) => (k.to_string(), r),
        None => (default_kind?.to_string(), text),
    };
    let (ns, name) = rest.split_once('/').unwrap_or((namespace, rest));
    Some(format!("{}:{}/{}", kind, ns, name).to_lowercase())
}

/// The entity's own ref and outgoing relations.
pub fn entity_ref_and_relations(entity: &Json) -> Option<(String, Vec<(String, String)>)> {
    let kind = entity.get("kind")?.as_str()?;
    let meta = entity.get("metadata")?;
    let name = meta.get("name")?.as_str()?;
    let ns = meta.get("namespace").and_then(Json::as_str).unwrap_or("default");
    let me = format!("{kind}:{ns}/{name}").to_lowercase();
    let mut rels = Vec::new();
    if let Some(spec) = entity.get("spec") {
        for (field, rel, default) in FIELDS {
            let values: Vec<&str> = match spec.get(*field) {
                Some(Json::String(s)) => vec![s.as_str()],
                Some(Json::Array(items)) => items.iter().filter_map(Json::as_str).collect(),
                _ => continue,
            };
            for v in values {
                if let Some(target) = resolve_ref(v, *default, ns) {
                    rels.push((rel.to_string(), target));
                }
            }
        }
    }
    Some((me, rels))
}

/// Every entity document in one file. Documents that do not parse or lack kind/name are
/// skipped (catalog validation reports them).
pub fn entities_from_text(file: &str, text: &str, opts: &ParseOptions) -> Vec<EntityInput> {
    let (docs, _) = parse_documents(text, opts);
    let mut out = Vec::new();
    for doc in docs {
        let (i, root) = (doc.index, doc.root);
        let entity = root.to_json();
        let Some((entity_ref, relations)) = entity_ref_and_relations(&entity) else { continue };
        out.push(EntityInput {
            entity_ref,
            entity,
            relations,
            file: file.to_string(),
            document: Some(i),
            span: root.span,
            root: Some(Arc::new(root)),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_and_relations() {
        assert_eq!(resolve_ref("team-a", Some("group"), "default").unwrap(), "group:default/team-a");
        assert_eq!(resolve_ref("user:ops/Jane", Some("group"), "default").unwrap(), "user:ops/jane");
        assert_eq!(resolve_ref("x", None, "default"), None);
        let text = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: Web\nspec:\n  owner: team-a\n  system: shop\n  dependsOn: [component:api, resource:db]\n---\n---\nkind: Group\nmetadata: {name: team-a}\n";
        let ents = entities_from_text("c.yaml", text, &ParseOptions::default());
        assert_eq!(ents.len(), 2);
        assert_eq!(ents[0].entity_ref, "component:default/web");
        assert_eq!(ents[0].relations.len(), 4);
        assert_eq!(ents[0].relations[0], ("ownedBy".into(), "group:default/team-a".into()));
        assert_eq!(ents[1].document, Some(2));
    }
}
