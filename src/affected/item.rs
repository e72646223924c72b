//! The output: affected items with Atmos's field names, and catalog changes.

use serde::Serialize;
use serde_json::Value;

/// One affected component in one stack, shaped like an item of `atmos describe affected`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub component: String,
    pub component_type: String,
    pub component_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    pub stack: String,
    pub stack_slug: String,
    /// The first reason.
    pub affected: String,
    /// Every reason, in the order they were found.
    pub affected_all: Vec<String>,
    /// The dependency file that changed (reason `file`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The dependency folder with a change under it (reason `folder`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub folder: Option<String>,
    /// `null` unless dependents were asked for; then a list, `[]` when there are none.
    pub dependents: Option<Vec<Dependent>>,
    pub included_in_dependents: bool,
    /// The component's settings with `--include-settings`, else `null`.
    pub settings: Option<Value>,
    /// Present in the base revision, gone from the head.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    /// `component` or `stack` (the whole stack went away).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_type: Option<String>,
}

/// A component that depends (directly or through others) on an affected one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dependent {
    pub component: String,
    pub component_type: String,
    pub component_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    pub stack: String,
    pub stack_slug: String,
    pub dependents: Vec<Dependent>,
    pub included_in_dependents: bool,
    pub settings: Option<Value>,
}

/// How a catalog entity changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityChangeKind {
    Added,
    Modified,
    Deleted,
}

/// A stack component tied to an entity through `settings.catalog.owner`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Linked {
    pub stack: String,
    pub component: String,
    pub stack_slug: String,
}

/// One catalog entity that differs between the revisions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityChange {
    #[serde(rename = "ref")]
    pub entity_ref: String,
    pub change: EntityChangeKind,
    /// Where the entity is defined (in the head, or in the base when deleted).
    pub file: String,
    /// Top-level fields whose values differ (`spec`, `metadata`, ...), for `modified`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// Stack components owned by this entity.
    pub components: Vec<Linked>,
}

/// Everything that changed between two revisions.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Affected {
    /// Sorted by `stack_slug`.
    pub affected: Vec<Item>,
    /// Sorted by ref.
    pub catalog: Vec<EntityChange>,
}
