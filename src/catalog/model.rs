//! The loaded catalog that other capabilities read: entities by lower-cased ref, relations
//! both ways, each entity's file and span.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::entity::Entity;

/// A relation between two entities, as Backstage stores it (lower-cased refs).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Relation {
    pub source: String,
    /// `ownedBy`, `partOf`, `hasMember`, ...
    pub kind: &'static str,
    pub target: String,
}

/// A descriptor file that discovery read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogFile {
    pub path: String,
    /// Reached from a root through Location entities (false: only through paved.yaml globs).
    pub reached: bool,
}

/// Every entity of a repository and the relations between them.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    entities: Vec<Entity>,
    index: HashMap<String, usize>,
    /// Built on first use: `paved validate` never asks, and building them for a large catalog
    /// costs as much as some of its rules.
    relations: OnceLock<Relations>,
    files: Vec<CatalogFile>,
}

#[derive(Debug, Clone, Default)]
struct Relations {
    all: Vec<Relation>,
    from: HashMap<String, Vec<usize>>,
    to: HashMap<String, Vec<usize>>,
}

impl Catalog {
    /// Builds the model. The first definition of a ref wins (duplicates are findings).
    pub fn new(entities: Vec<Entity>, files: Vec<CatalogFile>) -> Catalog {
        let mut index = HashMap::with_capacity(entities.len());
        for (i, e) in entities.iter().enumerate() {
            index.entry(e.entity_ref.clone()).or_insert(i);
        }
        Catalog { entities, index, relations: OnceLock::new(), files }
    }

    fn relations_index(&self) -> &Relations {
        self.relations.get_or_init(|| Relations::new(&self.entities))
    }
}

impl Relations {
    fn new(entities: &[Entity]) -> Relations {
        let mut relations = Vec::new();
        for e in entities {
            for r in &e.refs {
                relations.push(Relation { source: e.entity_ref.clone(), kind: r.forward, target: r.target.clone() });
                relations.push(Relation { source: r.target.clone(), kind: r.reverse, target: e.entity_ref.clone() });
            }
        }
        relations.sort_by(|a, b| (&a.source, a.kind, &a.target).cmp(&(&b.source, b.kind, &b.target)));
        relations.dedup();
        let mut from: HashMap<String, Vec<usize>> = HashMap::new();
        let mut to: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in relations.iter().enumerate() {
            from.entry(r.source.clone()).or_default().push(i);
            to.entry(r.target.clone()).or_default().push(i);
        }
        Relations { all: relations, from, to }
    }
}

impl Catalog {
    /// Every entity, in discovery order (duplicates included).
    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }

    /// The entity with this ref (any case), its first definition.
    pub fn get(&self, entity_ref: &str) -> Option<&Entity> {
        self.index.get(&entity_ref.to_lowercase()).map(|&i| &self.entities[i])
    }

    /// Every relation, both directions, sorted.
    pub fn relations(&self) -> &[Relation] {
        &self.relations_index().all
    }

    /// Relations whose source is `entity_ref`.
    pub fn relations_from(&self, entity_ref: &str) -> impl Iterator<Item = &Relation> {
        let r = self.relations_index();
        r.from.get(&entity_ref.to_lowercase()).into_iter().flatten().map(|&i| &r.all[i])
    }

    /// Relations whose target is `entity_ref`.
    pub fn relations_to(&self, entity_ref: &str) -> impl Iterator<Item = &Relation> {
        let r = self.relations_index();
        r.to.get(&entity_ref.to_lowercase()).into_iter().flatten().map(|&i| &r.all[i])
    }

    /// The descriptor files read.
    pub fn files(&self) -> &[CatalogFile] {
        &self.files
    }

    pub fn len(&self) -> usize {
        self.entities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    pub(crate) fn index(&self) -> &HashMap<String, usize> {
        &self.index
    }
}
