//! Catalog changes between two revisions, and the stack components each changed entity owns
//! (through `settings.catalog.owner`).

use std::collections::{BTreeMap, BTreeSet};

use super::item::{EntityChange, EntityChangeKind, Linked};
use super::snapshot::{Entity, Snapshot};

/// Entities added, modified or deleted, sorted by ref. A moved file with the same content is
/// not a change.
pub fn changes(base: &Snapshot, head: &Snapshot) -> Vec<EntityChange> {
    let owned = ownership(base, head);
    let mut out = Vec::new();
    let refs: BTreeSet<&String> = base.catalog.entities.keys().chain(head.catalog.entities.keys()).collect();
    for r in refs {
        let (b, h) = (base.catalog.entities.get(r), head.catalog.entities.get(r));
        let (change, at, fields) = match (b, h) {
            (None, Some(h)) => (EntityChangeKind::Added, h, Vec::new()),
            (Some(b), None) => (EntityChangeKind::Deleted, b, Vec::new()),
            (Some(b), Some(h)) if b.content != h.content => (EntityChangeKind::Modified, h, changed_fields(b, h)),
            _ => continue,
        };
        out.push(EntityChange {
            entity_ref: r.clone(),
            change,
            file: at.file.to_string(),
            fields,
            components: owned.get(r.as_str()).map(|s| s.iter().cloned().collect()).unwrap_or_default(),
        });
    }
    out
}

/// Owner ref → the components it owns, from both revisions (a deleted group still owned its
/// components in the base).
fn ownership<'a>(base: &'a Snapshot, head: &'a Snapshot) -> BTreeMap<String, BTreeSet<Linked>> {
    let mut out: BTreeMap<String, BTreeSet<Linked>> = BTreeMap::new();
    for inst in head.stacks.iter().chain(base.stacks.iter()) {
        if inst.is_abstract() {
            continue;
        }
        if let Some(owner) = inst.owner_ref() {
            out.entry(owner).or_default().insert(Linked {
                stack: inst.stack.clone(),
                component: inst.component.clone(),
                stack_slug: inst.stack_slug(),
            });
        }
    }
    out
}

fn changed_fields(b: &Entity, h: &Entity) -> Vec<String> {
    let (Some(bm), Some(hm)) = (b.content.as_object(), h.content.as_object()) else {
        return Vec::new();
    };
    let keys: BTreeSet<&String> = bm.keys().chain(hm.keys()).collect();
    keys.into_iter().filter(|k| bm.get(*k) != hm.get(*k)).cloned().collect()
}
