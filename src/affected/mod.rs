//! `paved affected`: what changed between two revisions of a repository, in Atmos's terms.
//!
//! The core is pure: two [`Snapshot`]s (component instances and catalog entities at the base
//! and the head) and the changed paths go in, [`Affected`] comes out, so it is tested without
//! git. Reasons follow `atmos describe affected` (see [`reasons::SECTION_CHECKS`] for the
//! order); dependents come from `dependencies.components` and legacy `settings.depends_on`;
//! catalog entities are compared whole, and each changed entity lists the stack components
//! it owns through `settings.catalog.owner`.

pub mod catalog;
pub mod compare;
pub mod dependents;
pub mod hidden;
pub mod item;
pub mod load;
pub mod modules;
pub mod reasons;
pub mod render;
pub mod replay;
pub mod snapshot;
pub mod stacks;

pub use item::{Affected, Dependent, EntityChange, EntityChangeKind, Item, Linked};
pub use reasons::Options;
pub use render::{Format, render};
pub use snapshot::{Catalog, ChangedFiles, Entity, Instance, Snapshot, Stacks};

/// Compares `base` with `head`. Items are sorted by `stack_slug` (then component type), so
/// output is the same from run to run.
pub fn compute(base: &Snapshot, head: &Snapshot, changed: &ChangedFiles, opts: &Options) -> Affected {
    let mut items = reasons::items(base, head, changed, opts);
    items.sort_by(|a, b| (&a.stack_slug, &a.component_type).cmp(&(&b.stack_slug, &b.component_type)));
    if opts.include_dependents {
        let graph = dependents::Graph::new(&head.stacks, opts);
        for item in items.iter_mut().filter(|i| !i.deleted) {
            item.dependents =
                Some(graph.tree(&(item.stack.clone(), item.component_type.clone(), item.component.clone())));
        }
        dependents::mark_included(&mut items);
    }
    Affected { affected: items, catalog: catalog::changes(base, head) }
}

#[cfg(test)]
mod tests;
