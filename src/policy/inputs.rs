//! Adapters from the catalog and stacks models to the policy inputs.

use std::sync::Arc;

use super::data::{CatalogData, EntityInput};
use crate::catalog::Catalog;

impl CatalogData {
    /// Every entity of the loaded catalog (its first definition when a ref is duplicated), with
    /// the relations its spec makes (the inverses are added when the data document is built).
    pub fn from_catalog(catalog: &Catalog) -> CatalogData {
        let entities = catalog
            .entities()
            .iter()
            .filter(|e| catalog.get(&e.entity_ref).is_some_and(|first| std::ptr::eq(first, *e)))
            .map(|e| EntityInput {
                entity_ref: e.entity_ref.clone(),
                entity: e.node.to_json(),
                relations: e.refs.iter().map(|r| (r.forward.to_string(), r.target.clone())).collect(),
                file: e.file.clone(),
                document: Some(e.document),
                span: e.span,
                root: Some(Arc::new(e.node.clone())),
            })
            .collect();
        CatalogData { entities }
    }
}
