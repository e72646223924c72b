//! `paved:catalog-append`: adds a value to a list of an entity that already exists in the
//! repository, edited in place. A new team names its parent; Backstage's descriptor format
//! has the parent list it in `spec.children` too ("the immediate child groups of this group,
//! whose parent field points to this group"), and likewise for a Group's members and their
//! `spec.memberOf`. This step states the other side, so the result is consistent.
//!
//! Inputs: `entityRef` (`kind:[namespace/]name` of the entity to edit), `field` (a dotted path
//! such as `spec.children`), `value` (a string, not added again when the list already holds
//! it, compared as entity references) and optionally `file` (the descriptor that defines the
//! entity; otherwise every `.yaml`/`.yml` file of the repository is searched).

use serde_json::Value as Json;

use super::edit;
use crate::catalog::{EntityRef, parse_ref};
use crate::source::RelPath;
use crate::yaml::{Node, ParseOptions, parse_documents};

/// The checked inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct AppendInput {
    pub entity: EntityRef,
    pub field: Vec<String>,
    pub value: String,
    pub file: Option<RelPath>,
}

impl AppendInput {
    pub fn from_json(input: &Json) -> Result<AppendInput, String> {
        let text = |k: &str| input.get(k).and_then(Json::as_str).filter(|s| !s.is_empty());
        let entity = text("entityRef").ok_or("`entityRef` must be an entity reference")?;
        let entity = parse_ref(entity, None, "default").map_err(|e| format!("`entityRef`: {e}"))?;
        let field = text("field").ok_or("`field` must be a dotted path such as `spec.children`")?;
        let field: Vec<String> = field.split('.').map(str::to_string).collect();
        if field.iter().any(String::is_empty) || field.len() < 2 {
            return Err(format!("`field` must be a dotted path such as `spec.children`, not `{}`", field.join(".")));
        }
        let value = match input.get("value") {
            Some(Json::String(s)) if !s.is_empty() => s.clone(),
            _ => return Err("`value` must be a non-empty string".into()),
        };
        let file = match text("file") {
            None => None,
            Some(f) => Some(RelPath::new(f).map_err(|e| format!("`file`: {e}"))?),
        };
        Ok(AppendInput { entity, field, value, file })
    }

    /// The index of the document of `text` that defines the entity.
    pub fn find(&self, text: &str) -> Option<usize> {
        let (docs, _) = parse_documents(text, &ParseOptions::default());
        let str_at = |n: &Node, p: &str| n.pointer(p).and_then(Node::as_str).map(str::to_string);
        let same = |a: Option<String>, b: &str| a.is_some_and(|a| a.eq_ignore_ascii_case(b));
        docs.iter().position(|d| {
            same(str_at(&d.root, "/kind"), &self.entity.kind)
                && same(str_at(&d.root, "/metadata/name"), &self.entity.name)
                && same(
                    Some(str_at(&d.root, "/metadata/namespace").unwrap_or_else(|| "default".into())),
                    &self.entity.namespace,
                )
        })
    }

    /// The new text of the file, document `doc` holding the entity; `None` when the list
    /// already holds the value.
    pub fn apply(&self, text: &str, doc: usize) -> Result<Option<String>, String> {
        let (docs, _) = parse_documents(text, &ParseOptions::default());
        let list = docs.get(doc).and_then(|d| self.field.iter().try_fold(&d.root, |n, k| n.get(k)));
        let present = list
            .and_then(Node::as_seq)
            .into_iter()
            .flatten()
            .filter_map(Node::as_str)
            .any(|item| same_ref(item, &self.value, &self.entity.namespace));
        if present {
            return Ok(None);
        }
        let path: Vec<&str> = self.field.iter().map(String::as_str).collect();
        edit::append(text, doc, &path, &Json::String(self.value.clone())).map(Some).map_err(|e| e.to_string())
    }
}

/// Whether two list items name the same entity. A side that names no kind takes the other's
/// (the field's default kind is the only one that fits there).
fn same_ref(a: &str, b: &str, namespace: &str) -> bool {
    if a == b {
        return true;
    }
    let kind_of = |s: &str| parse_ref(s, None, namespace).ok().map(|r| r.kind);
    let kind = kind_of(a).or_else(|| kind_of(b)).unwrap_or_default();
    match (parse_ref(a, Some(&kind), namespace), parse_ref(b, Some(&kind), namespace)) {
        (Ok(x), Ok(y)) => x.canonical() == y.canonical(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const GROUPS: &str = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: other\nspec:\n  type: team\n  children: []\n---\n# The platform teams.\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: platform\nspec:\n  type: team\n  children:\n    - net # networking\n  members: [a]\n";

    fn input(v: Json) -> AppendInput {
        AppendInput::from_json(&v).unwrap()
    }

    #[test]
    fn appends_once_to_the_right_document() {
        let i = input(json!({"entityRef": "group:Platform", "field": "spec.children", "value": "data"}));
        assert_eq!(i.find(GROUPS), Some(1));
        let out = i.apply(GROUPS, 1).unwrap().unwrap();
        assert_eq!(out, GROUPS.replace("    - net # networking\n", "    - net # networking\n    - data\n"));
        assert_eq!(i.apply(&out, 1).unwrap(), None);
        // The same entity written with its kind and namespace is already there.
        let again =
            input(json!({"entityRef": "group:platform", "field": "spec.children", "value": "group:default/data"}));
        assert_eq!(again.apply(&out, 1).unwrap(), None);
        // An empty flow list becomes a block list.
        let other = input(json!({"entityRef": "group:other", "field": "spec.children", "value": "data"}));
        assert_eq!(other.find(GROUPS), Some(0));
        assert!(other.apply(GROUPS, 0).unwrap().unwrap().starts_with(
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: other\nspec:\n  type: team\n  children:\n    - data\n---\n"
        ));
        // A flow list keeps its style.
        let members = input(json!({"entityRef": "group:platform", "field": "spec.members", "value": "b"}));
        assert_eq!(members.apply(GROUPS, 1).unwrap().unwrap(), GROUPS.replace("[a]", "[a, b]"));
        assert_eq!(input(json!({"entityRef": "user:platform", "field": "spec.x", "value": "b"})).find(GROUPS), None);
    }

    #[test]
    fn inputs_are_checked() {
        for bad in [
            json!({"entityRef": "platform", "field": "spec.children", "value": "x"}),
            json!({"entityRef": "group:platform", "field": "children", "value": "x"}),
            json!({"entityRef": "group:platform", "field": "spec..children", "value": "x"}),
            json!({"entityRef": "group:platform", "field": "spec.children", "value": 1}),
            json!({"entityRef": "group:platform", "field": "spec.children", "value": "x", "file": "../x.yaml"}),
        ] {
            assert!(AppendInput::from_json(&bad).is_err(), "{bad}");
        }
    }
}
