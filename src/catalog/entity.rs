//! What one checked document becomes: an [`Entity`] with its references and, for Locations,
//! its targets.

use std::sync::Arc;

use crate::yaml::{Node, Span};

/// A catalog entity read from a descriptor file.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// Lower-cased `kind:namespace/name`: the identity Backstage uses.
    pub entity_ref: String,
    /// As written.
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub api_version: String,
    /// Repository-relative path of the file that defines it.
    pub file: String,
    /// 0-based document index within the file.
    pub document: usize,
    /// The document's span.
    pub span: Span,
    /// The whole document (shared: the policy inputs point into it for their locators).
    pub node: Arc<Node>,
    /// The references it makes through its spec fields.
    pub refs: Vec<RefUse>,
    /// Its targets, when it is a Location.
    pub location: Option<LocationSpec>,
    /// Whether Backstage would accept it: no `backstage/*` finding in this document.
    pub accepted: bool,
}

/// One reference from an entity's spec field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUse {
    /// The spec field (`owner`, `dependsOn`, ...).
    pub field: &'static str,
    /// Lower-cased target ref.
    pub target: String,
    /// The relation type from the entity to the target, and back.
    pub forward: &'static str,
    pub reverse: &'static str,
    /// Kinds the target is expected to be (lower-case); empty means any.
    pub target_kinds: &'static [&'static str],
    /// Where the reference is written.
    pub span: Span,
}

/// A Location's spec, after defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationSpec {
    /// `url` unless written otherwise (the type the repository is read with).
    pub kind: String,
    /// `presence: optional` makes missing targets fine.
    pub optional: bool,
    pub targets: Vec<(String, Span)>,
}

impl Entity {
    /// The entity as JSON (what Backstage stores, before relations and status).
    pub fn to_json(&self) -> serde_json::Value {
        self.node.to_json()
    }

    /// The lower-cased ref `spec.owner` resolves to (default kind Group, the entity's namespace).
    pub fn owner(&self) -> Option<&str> {
        self.refs.iter().find(|r| r.field == "owner").map(|r| r.target.as_str())
    }

    /// The lower-cased targets of one spec reference field (`dependsOn`, `memberOf`, ...).
    pub fn refs_of<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.refs.iter().filter(move |r| r.field == field).map(|r| r.target.as_str())
    }
}
