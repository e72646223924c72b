//! Inputs and the shared data document, built from plain JSON values plus span lookups so the
//! policy layer does not depend on how the catalog and stacks engines model things.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rayon::prelude::*;
use regorus::Value;
use serde::Deserialize;
use serde_json::Value as Json;

use super::compile::Scope;
use super::subject::{Locate, NodeLocator, Origin, Subject};
use crate::yaml::{Node, Span};

/// One catalog entity.
#[derive(Clone, Debug)]
pub struct EntityInput {
    /// Lower-cased `kind:namespace/name`.
    pub entity_ref: String,
    pub entity: Json,
    /// Outgoing relations `(type, target ref)`; inverses are added by [`CatalogData`].
    pub relations: Vec<(String, String)>,
    pub file: String,
    pub document: Option<usize>,
    /// Where the entity is written (the document's root mapping).
    pub span: Span,
    /// The spanned document, for mapping message paths back to lines.
    pub root: Option<Arc<Node>>,
}

/// The resolved catalog as policies see it under `data.paved.catalog`.
#[derive(Clone, Debug, Default)]
pub struct CatalogData {
    pub entities: Vec<EntityInput>,
}

/// Backstage's relation pairs: each type and its inverse.
const INVERSES: &[(&str, &str)] = &[
    ("ownedBy", "ownerOf"),
    ("dependsOn", "dependencyOf"),
    ("partOf", "hasPart"),
    ("memberOf", "hasMember"),
    ("childOf", "parentOf"),
    ("providesApi", "apiProvidedBy"),
    ("consumesApi", "apiConsumedBy"),
];

fn inverse(t: &str) -> Option<&'static str> {
    INVERSES.iter().find_map(|(a, b)| {
        if *a == t {
            Some(*b)
        } else if *b == t {
            Some(*a)
        } else {
            None
        }
    })
}

impl CatalogData {
    /// Every entity as a regorus value, converted once on all cores: the data document and the
    /// subjects share them (regorus values are reference-counted).
    fn values(&self) -> Vec<Value> {
        self.entities.par_iter().map(|e| to_value(&e.entity)).collect()
    }

    /// `{"entities": {ref: entity}, "relations": {ref: [{"type", "target"}]}}` with every
    /// relation present in both directions (once), sorted.
    fn document(&self, values: &[Value]) -> Value {
        let mut entities = BTreeMap::new();
        let mut rels: BTreeMap<&str, BTreeSet<(&str, &str)>> = BTreeMap::new();
        for (e, v) in self.entities.iter().zip(values) {
            entities.insert(Value::from(e.entity_ref.as_str()), v.clone());
            rels.entry(&e.entity_ref).or_default();
            for (t, target) in &e.relations {
                rels.entry(&e.entity_ref).or_default().insert((t, target));
                if let Some(inv) = inverse(t) {
                    rels.entry(target).or_default().insert((inv, &e.entity_ref));
                }
            }
        }
        let (type_key, target_key) = (Value::from("type"), Value::from("target"));
        let relations: BTreeMap<Value, Value> = rels
            .into_iter()
            .map(|(k, set)| {
                let list: Vec<Value> = set
                    .into_iter()
                    .map(|(t, target)| {
                        object([(type_key.clone(), Value::from(t)), (target_key.clone(), Value::from(target))])
                    })
                    .collect();
                (Value::from(k), Value::from(list))
            })
            .collect();
        object([(Value::from("entities"), Value::from(entities)), (Value::from("relations"), Value::from(relations))])
    }
}

/// Converts without copying the JSON first.
fn to_value(json: &Json) -> Value {
    Value::deserialize(json).unwrap_or(Value::Undefined)
}

fn object<const N: usize>(entries: [(Value, Value); N]) -> Value {
    Value::from(BTreeMap::from(entries))
}

/// One subject per entity.
fn catalog_subjects(cat: &CatalogData, values: &[Value]) -> Vec<Subject> {
    cat.entities
        .iter()
        .zip(values)
        .map(|(e, v)| Subject {
            scope: Scope::Catalog,
            target: e.entity_ref.clone(),
            input: v.clone(),
            origin: Origin {
                file: e.file.clone(),
                span: e.span,
                document: e.document,
                locator: e
                    .root
                    .clone()
                    .map(|root| Arc::new(NodeLocator { file: e.file.clone(), root }) as Arc<dyn Locate>),
            },
        })
        .collect()
}

/// One component instance in one stack.
#[derive(Clone)]
pub struct InstanceInput {
    pub stack: String,
    pub component: String,
    /// `describe component` output.
    pub describe: Json,
    /// Where the component is defined (its section in the stack manifest that defines it).
    pub file: String,
    pub span: Span,
    pub locator: Option<Arc<dyn Locate>>,
}

impl std::fmt::Debug for InstanceInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstanceInput").field("stack", &self.stack).field("component", &self.component).finish()
    }
}

impl InstanceInput {
    /// `stack/component`, what waivers match.
    pub fn target(&self) -> String {
        format!("{}/{}", self.stack, self.component)
    }

    fn tenant(&self) -> Option<&str> {
        self.describe.pointer("/vars/tenant").and_then(Json::as_str)
    }
}

/// The stack set as policies see it under `data.paved.stacks`.
#[derive(Clone, Debug, Default)]
pub struct StacksData {
    pub instances: Vec<InstanceInput>,
}

impl StacksData {
    fn values(&self) -> Vec<Value> {
        self.instances.par_iter().map(|i| to_value(&i.describe)).collect()
    }

    /// `{"stacks": {stack: {component: describe}}, "tenants": {tenant: ["stack/component"]}}`.
    fn document(&self, values: &[Value]) -> Value {
        let mut stacks: BTreeMap<&str, BTreeMap<Value, Value>> = BTreeMap::new();
        let mut tenants: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
        for (i, v) in self.instances.iter().zip(values) {
            stacks.entry(&i.stack).or_default().insert(Value::from(i.component.as_str()), v.clone());
            if let Some(t) = i.tenant() {
                tenants.entry(t).or_default().push(Value::from(i.target()));
            }
        }
        let stacks: BTreeMap<Value, Value> =
            stacks.into_iter().map(|(k, m)| (Value::from(k), Value::from(m))).collect();
        let tenants: BTreeMap<Value, Value> =
            tenants.into_iter().map(|(k, list)| (Value::from(k), Value::from(list))).collect();
        object([(Value::from("stacks"), Value::from(stacks)), (Value::from("tenants"), Value::from(tenants))])
    }
}

/// One subject per component instance, and one per tenant when `with_tenants`.
fn stack_subjects(data: &StacksData, values: &[Value], with_tenants: bool) -> Vec<Subject> {
    let mut out: Vec<Subject> = data
        .instances
        .iter()
        .zip(values)
        .map(|(i, v)| Subject {
            scope: Scope::Stacks,
            target: i.target(),
            input: v.clone(),
            origin: Origin { file: i.file.clone(), span: i.span, document: None, locator: i.locator.clone() },
        })
        .collect();
    if with_tenants {
        let mut tenants: BTreeMap<&str, Vec<(&InstanceInput, &Value)>> = BTreeMap::new();
        for (i, v) in data.instances.iter().zip(values) {
            if let Some(t) = i.tenant() {
                tenants.entry(t).or_default().push((i, v));
            }
        }
        for (tenant, items) in tenants {
            let first = items[0].0;
            let components: Vec<Value> = items.iter().map(|(_, v)| (*v).clone()).collect();
            out.push(Subject {
                scope: Scope::Tenants,
                target: tenant.to_string(),
                input: object([
                    (Value::from("tenant"), Value::from(tenant)),
                    (Value::from("components"), Value::from(components)),
                ]),
                origin: Origin { file: first.file.clone(), span: first.span, document: None, locator: None },
            });
        }
    }
    out
}

/// The subject of `paved.repo` rules: evaluated once, everything is in `data`.
fn repo_subject() -> Subject {
    Subject { scope: Scope::Repo, target: String::new(), input: Value::new_object(), origin: Origin::default() }
}

/// What one run evaluates: the data document under `data.paved` and the inputs.
pub struct InputSet {
    /// `{"catalog": ..., "stacks": ...}`.
    pub paved: Value,
    pub subjects: Vec<Subject>,
}

/// Builds the data document and the subjects of the scopes in `scopes` (an item of the catalog
/// or of the stacks is converted to a regorus value once, on all cores, and shared by both).
pub fn inputs(catalog: &CatalogData, stacks: &StacksData, scopes: &[Scope]) -> InputSet {
    let has = |s| scopes.contains(&s);
    let ((cat_doc, mut subjects), (stack_doc, stack_subjects)) = rayon::join(
        || {
            let values = catalog.values();
            let subjects = if has(Scope::Catalog) { catalog_subjects(catalog, &values) } else { Vec::new() };
            (catalog.document(&values), subjects)
        },
        || {
            let values = stacks.values();
            let subjects = if has(Scope::Stacks) || has(Scope::Tenants) {
                stack_subjects(stacks, &values, has(Scope::Tenants))
            } else {
                Vec::new()
            };
            (stacks.document(&values), subjects)
        },
    );
    subjects.extend(stack_subjects.into_iter().filter(|s| has(s.scope)));
    if has(Scope::Repo) {
        subjects.push(repo_subject());
    }
    InputSet { paved: object([(Value::from("catalog"), cat_doc), (Value::from("stacks"), stack_doc)]), subjects }
}

/// Deep merge of objects; anything else in `add` replaces what was there (as
/// `files::merge` does for JSON).
pub(crate) fn merge_value(base: &mut Value, add: Value) {
    if let (Ok(b), Value::Object(a)) = (base.as_object_mut(), &add) {
        for (k, v) in a.iter() {
            match b.get_mut(k) {
                Some(slot) => merge_value(slot, v.clone()),
                None => {
                    b.insert(k.clone(), v.clone());
                }
            }
        }
        return;
    }
    *base = add;
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn entity(entity_ref: &str, relations: &[(&str, &str)]) -> EntityInput {
        EntityInput {
            entity_ref: entity_ref.into(),
            entity: json!({"kind": "Component", "metadata": {"name": entity_ref}}),
            relations: relations.iter().map(|(t, r)| (t.to_string(), r.to_string())).collect(),
            file: "catalog-info.yaml".into(),
            document: Some(0),
            span: Span::point(1, 1),
            root: None,
        }
    }

    fn instance(stack: &str, tenant: &str) -> InstanceInput {
        InstanceInput {
            stack: stack.into(),
            component: "vpc".into(),
            describe: json!({"atmos_stack": stack, "vars": {"tenant": tenant, "cidr": "10.0.0.0/16"}}),
            file: "stacks/a.yaml".into(),
            span: Span::point(3, 5),
            locator: None,
        }
    }

    fn json(v: &Value) -> Json {
        serde_json::to_value(v).unwrap()
    }

    #[test]
    fn the_document_holds_relations_both_ways_and_the_tenants() {
        let catalog = CatalogData {
            entities: vec![
                entity("component:default/a", &[("ownedBy", "group:default/t"), ("dependsOn", "component:default/b")]),
                entity("group:default/t", &[]),
            ],
        };
        let stacks = StacksData { instances: vec![instance("plat-dev", "plat"), instance("core-dev", "core")] };
        let set = inputs(&catalog, &stacks, &Scope::ALL);
        let doc = json(&set.paved);
        assert_eq!(doc["catalog"]["entities"]["group:default/t"]["metadata"]["name"], "group:default/t");
        assert_eq!(
            doc["catalog"]["relations"]["component:default/a"],
            json!([{"type": "dependsOn", "target": "component:default/b"}, {"type": "ownedBy", "target": "group:default/t"}])
        );
        assert_eq!(
            doc["catalog"]["relations"]["group:default/t"],
            json!([{"type": "ownerOf", "target": "component:default/a"}])
        );
        assert_eq!(
            doc["catalog"]["relations"]["component:default/b"],
            json!([{"type": "dependencyOf", "target": "component:default/a"}])
        );
        assert_eq!(doc["stacks"]["stacks"]["plat-dev"]["vpc"]["vars"]["cidr"], "10.0.0.0/16");
        assert_eq!(doc["stacks"]["tenants"], json!({"core": ["core-dev/vpc"], "plat": ["plat-dev/vpc"]}));

        // Items first in the order given, then one subject per tenant, then the repository.
        let targets: Vec<(Scope, &str)> = set.subjects.iter().map(|s| (s.scope, s.target.as_str())).collect();
        assert_eq!(
            targets,
            [
                (Scope::Catalog, "component:default/a"),
                (Scope::Catalog, "group:default/t"),
                (Scope::Stacks, "plat-dev/vpc"),
                (Scope::Stacks, "core-dev/vpc"),
                (Scope::Tenants, "core"),
                (Scope::Tenants, "plat"),
                (Scope::Repo, ""),
            ]
        );
        // An input is the very value the document holds.
        assert_eq!(set.subjects[0].input, set.paved["catalog"]["entities"]["component:default/a"]);
        assert_eq!(json(&set.subjects[5].input)["components"][0]["atmos_stack"], "plat-dev");
    }

    #[test]
    fn only_the_scopes_asked_for_get_subjects() {
        let catalog = CatalogData { entities: vec![entity("component:default/a", &[])] };
        let stacks = StacksData { instances: vec![instance("plat-dev", "plat")] };
        let set = inputs(&catalog, &stacks, &[Scope::Tenants]);
        assert_eq!(set.subjects.len(), 1);
        assert_eq!(set.subjects[0].scope, Scope::Tenants);
        // The document is whole whatever the scopes: any rule may read data.paved.
        assert_eq!(json(&set.paved)["catalog"]["entities"]["component:default/a"]["kind"], "Component");
    }

    #[test]
    fn merging_keeps_what_a_data_file_set_beside_paveds_keys() {
        let mut base = Value::from(json!({"config": {"max_tags": 8}, "paved": {"extra": 1, "catalog": "old"}}));
        merge_value(&mut base, Value::from(json!({"paved": {"catalog": {"entities": {}}}})));
        assert_eq!(json(&base), json!({"config": {"max_tags": 8}, "paved": {"extra": 1, "catalog": {"entities": {}}}}));
        let mut null = Value::Null;
        merge_value(&mut null, Value::from(json!({"paved": {}})));
        assert_eq!(json(&null), json!({"paved": {}}));
    }
}
