//! Describing one revision: its catalog and its stack component instances, read through a
//! [`FileSource`] (a commit's tree or the working tree) into a [`Snapshot`].

use crate::config::{self, Config};
use crate::report::Diagnostic;
use crate::source::{FileSource, RelPath, SourceError};

use super::modules;
use super::snapshot::{Catalog, ChangedFiles, Entity, Snapshot, Stacks};

/// What went wrong describing a revision, beyond findings in its files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error("{revision}: paved.yaml is invalid: {message} (run `paved validate` on that revision)")]
    Config { revision: String, message: String },
    #[error("{revision}: {source}")]
    Source {
        revision: String,
        #[source]
        source: SourceError,
    },
}

/// A described revision and the problems met on the way (invalid files are skipped the way
/// `paved validate` reports them; they do not stop the comparison).
pub struct Loaded {
    pub snapshot: Snapshot,
    pub diagnostics: Vec<Diagnostic>,
    /// Notes for the user (no atmos.yaml, stacks in a submodule, ...).
    pub notes: Vec<String>,
    /// The stack manifests and the files each reads, when the loader knows them.
    pub manifests: Vec<ManifestFiles>,
}

/// paved.yaml at the root of `src`, or the defaults when there is none.
pub fn config(src: &dyn FileSource) -> Result<Config, LoadError> {
    let revision = src.describe();
    let path = RelPath::new(config::FILE_NAME).expect("literal path");
    match src.read(&path, 1 << 20) {
        Ok(bytes) => Config::parse(config::FILE_NAME, &String::from_utf8_lossy(&bytes)).map_err(|d| {
            LoadError::Config { revision, message: d.first().map(|x| x.message.clone()).unwrap_or_default() }
        }),
        Err(SourceError::NotFound(_)) => Ok(Config::default()),
        Err(source) => Err(LoadError::Source { revision, source }),
    }
}

/// The catalog of one revision: every entity discovery reaches, compared whole.
pub fn catalog(src: &dyn FileSource, cfg: &Config) -> (Catalog, Vec<Diagnostic>) {
    let (cat, report) = crate::catalog::load(src, cfg);
    let entities = cat.entities().iter().filter_map(|e| {
        Some(Entity { entity_ref: e.entity_ref.clone(), file: RelPath::new(&e.file).ok()?, content: e.node.to_json() })
    });
    (Catalog::new(entities), report.diagnostics)
}

/// Describes a revision: catalog, stacks, and the local modules of every component folder.
pub fn snapshot(src: &dyn FileSource, cfg: &Config, stacks: &dyn StackLoader) -> Loaded {
    let (cat, described) = rayon::join(|| catalog(src, cfg), || stacks.load(src, cfg));
    assemble(src, cat, described)
}

/// Describes the head revision knowing what changed: a loader may leave out the stacks no
/// change can reach (see [`StackLoader::load_head`]).
pub fn head_snapshot(
    src: &dyn FileSource,
    cfg: &Config,
    stacks: &dyn StackLoader,
    changed: &ChangedFiles,
    include_dependents: bool,
) -> Loaded {
    let (cat, described) =
        rayon::join(|| catalog(src, cfg), || stacks.load_head(src, cfg, changed, include_dependents));
    assemble(src, cat, described)
}

/// Describes the base revision knowing the head's description and what changed: a loader
/// may then describe only the stacks a change reaches (see [`StackLoader::load_base`]).
pub fn base_snapshot(
    src: &dyn FileSource,
    cfg: &Config,
    stacks: &dyn StackLoader,
    head: &Loaded,
    changed: &ChangedFiles,
) -> Loaded {
    let (cat, described) = rayon::join(
        || catalog(src, cfg),
        || stacks.load_base(src, cfg, &head.snapshot.stacks, &head.manifests, changed),
    );
    assemble(src, cat, described)
}

fn assemble(
    src: &dyn FileSource,
    (catalog, mut diagnostics): (Catalog, Vec<Diagnostic>),
    mut described: Described,
) -> Loaded {
    diagnostics.append(&mut described.diagnostics);
    let folders: std::collections::BTreeSet<RelPath> = described.instances.iter().map(|i| i.folder.clone()).collect();
    let modules = modules::scan(src, folders);
    Loaded {
        snapshot: Snapshot { stacks: Stacks::new(described.instances), catalog, modules },
        diagnostics,
        notes: described.notes,
        manifests: described.manifests,
    }
}

/// Stack instances of one revision.
#[derive(Debug, Clone, Default)]
pub struct Described {
    pub instances: Vec<super::Instance>,
    pub diagnostics: Vec<Diagnostic>,
    pub notes: Vec<String>,
    /// Per top-level manifest, the files it reads (itself and every import), when the loader
    /// knows them: what lets the base be described only where a change reaches.
    pub manifests: Vec<ManifestFiles>,
}

/// A top-level stack manifest, the stacks it yields and the files it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestFiles {
    pub path: RelPath,
    pub stacks: Vec<String>,
    pub files: Vec<RelPath>,
}

/// Turns a revision's files into component instances: the stacks engine in production, a
/// fixed list in tests.
pub trait StackLoader: Sync {
    fn load(&self, src: &dyn FileSource, cfg: &Config) -> Described;

    /// The head revision, given the changed paths. By default a full [`load`](Self::load); a
    /// loader may leave out stacks no change reaches when that cannot change the result (see
    /// `stacks::Engine`). What it leaves out, the base must leave out too: `load_base` takes
    /// untouched stacks from the head.
    fn load_head(
        &self,
        src: &dyn FileSource,
        cfg: &Config,
        changed: &ChangedFiles,
        include_dependents: bool,
    ) -> Described {
        let _ = (changed, include_dependents);
        self.load(src, cfg)
    }

    /// The base revision, given the head's description and the changed paths. By default a
    /// full [`load`](Self::load); a loader that knows each manifest's files can describe only
    /// the stacks a change reaches and take the others from the head, where they are the same.
    fn load_base(
        &self,
        src: &dyn FileSource,
        cfg: &Config,
        head: &Stacks,
        head_manifests: &[ManifestFiles],
        changed: &ChangedFiles,
    ) -> Described {
        let _ = (head, head_manifests, changed);
        self.load(src, cfg)
    }
}
