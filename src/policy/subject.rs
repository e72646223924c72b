//! What a policy is evaluated against, and how its paths map back to YAML.

use std::sync::Arc;

use super::compile::Scope;
use crate::yaml::{Node, Span};

/// Maps a JSON pointer into a subject's input to the file and span of the YAML node it came
/// from. Entities answer from their own tree; component instances from the stacks engine's
/// provenance (a merged value may come from any file of the stack).
pub trait Locate: Send + Sync {
    fn locate(&self, pointer: &str) -> Option<(String, Span)>;
}

/// A locator over one YAML document: the deepest node the pointer reaches (for a missing
/// field, the mapping that lacks it).
#[derive(Debug, Clone)]
pub struct NodeLocator {
    pub file: String,
    pub root: Arc<Node>,
}

impl Locate for NodeLocator {
    fn locate(&self, pointer: &str) -> Option<(String, Span)> {
        let (node, _) = self.root.pointer_prefix(pointer);
        Some((self.file.clone(), node.span))
    }
}

/// Where a subject was defined: the fallback location of its diagnostics.
#[derive(Clone, Default)]
pub struct Origin {
    pub file: String,
    pub span: Span,
    pub document: Option<usize>,
    pub locator: Option<Arc<dyn Locate>>,
}

impl std::fmt::Debug for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Origin").field("file", &self.file).field("span", &self.span).finish_non_exhaustive()
    }
}

/// One input: a catalog entity, a component instance, a tenant, or the whole repository.
#[derive(Debug, Clone)]
pub struct Subject {
    pub scope: Scope,
    /// What waivers match against and diagnostics name: an entity ref (`component:default/x`),
    /// `stack/component`, a tenant name, or empty for the repository.
    pub target: String,
    /// The input as regorus holds it (reference-counted: shared with the data document).
    pub input: regorus::Value,
    pub origin: Origin,
}
