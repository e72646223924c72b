//! Inputs and the shared data document, built from plain JSON values plus span lookups so the
//! policy layer does not depend on how the catalog and stacks engines model things.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value as Json, json};

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
    /// `{"entities": {ref: entity}, "relations": {ref: [{"type", "target"}]}}` with every
    /// relation present in both directions (once), sorted.
    pub fn to_json(&self) -> Json {
        let mut entities = Map::new();
        let mut rels: BTreeMap<String, std::collections::BTreeSet<(String, String)>> = BTreeMap::new();
        for e in &self.entities {
            entities.insert(e.entity_ref.clone(), e.entity.clone());
            rels.entry(e.entity_ref.clone()).or_default();
            for (t, target) in &e.relations {
                rels.entry(e.entity_ref.clone()).or_default().insert((t.clone(), target.clone()));
                if let Some(inv) = inverse(t) {
                    rels.entry(target.clone()).or_default().insert((inv.to_string(), e.entity_ref.clone()));
                }
            }
        }
        let relations: Map<String, Json> = rels
            .into_iter()
            .map(|(k, set)| (k, set.into_iter().map(|(t, target)| json!({"type": t, "target": target})).collect()))
            .collect();
        json!({"entities": entities, "relations": relations})
    }
}

/// One subject per entity.
pub fn catalog_subjects(cat: &CatalogData) -> Vec<Subject> {
    cat.entities
        .iter()
        .map(|e| Subject {
            scope: Scope::Catalog,
            target: e.entity_ref.clone(),
            input: e.entity.clone(),
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
    /// `{"stacks": {stack: {component: describe}}, "tenants": {tenant: ["stack/component"]}}`.
    pub fn to_json(&self) -> Json {
        let mut stacks: BTreeMap<&str, Map<String, Json>> = BTreeMap::new();
        let mut tenants: BTreeMap<&str, Vec<Json>> = BTreeMap::new();
        for i in &self.instances {
            stacks.entry(&i.stack).or_default().insert(i.component.clone(), i.describe.clone());
            if let Some(t) = i.tenant() {
                tenants.entry(t).or_default().push(Json::String(i.target()));
            }
        }
        json!({"stacks": stacks, "tenants": tenants})
    }
}

/// One subject per component instance, and one per tenant when `with_tenants`.
pub fn stack_subjects(data: &StacksData, with_tenants: bool) -> Vec<Subject> {
    let mut out: Vec<Subject> = data
        .instances
        .iter()
        .map(|i| Subject {
            scope: Scope::Stacks,
            target: i.target(),
            input: i.describe.clone(),
            origin: Origin { file: i.file.clone(), span: i.span, document: None, locator: i.locator.clone() },
        })
        .collect();
    if with_tenants {
        let mut tenants: BTreeMap<&str, Vec<&InstanceInput>> = BTreeMap::new();
        for i in &data.instances {
            if let Some(t) = i.tenant() {
                tenants.entry(t).or_default().push(i);
            }
        }
        for (tenant, items) in tenants {
            let first = items[0];
            out.push(Subject {
                scope: Scope::Tenants,
                target: tenant.to_string(),
                input: json!({
                    "tenant": tenant,
                    "components": items.iter().map(|i| i.describe.clone()).collect::<Vec<_>>(),
                }),
                origin: Origin { file: first.file.clone(), span: first.span, document: None, locator: None },
            });
        }
    }
    out
}

/// The subject of `paved.repo` rules: evaluated once, everything is in `data`.
pub fn repo_subject() -> Subject {
    Subject { scope: Scope::Repo, target: String::new(), input: json!({}), origin: Origin::default() }
}

/// `{"paved": {"catalog": ..., "stacks": ...}}`.
pub fn document(catalog: &CatalogData, stacks: &StacksData) -> Json {
    json!({"paved": {"catalog": catalog.to_json(), "stacks": stacks.to_json()}})
}
