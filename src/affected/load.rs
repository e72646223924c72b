//! Describing one revision: its catalog and its stack component instances, read through a
//! [`FileSource`] (a commit's tree or the working tree) into a [`Snapshot`].

use crate::config::{self, Config};
use crate::report::Diagnostic;
use crate::source::{FileSource, RelPath, SourceError};

use super::modules;
use super::replay::Recording;
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

/// Describes both revisions knowing what changed, overlapping what does not depend on the
/// other side: the catalogs load alongside the stacks, and a loader may describe the base while
/// it finishes the head, and the base only where a change reaches (see
/// [`StackLoader::load_pair`]). Returns (base, head).
pub fn pair(
    base: &dyn FileSource,
    base_cfg: &Config,
    head: &dyn FileSource,
    head_cfg: &Config,
    stacks: &dyn StackLoader,
    changed: &ChangedFiles,
    include_dependents: bool,
) -> (Loaded, Loaded) {
    let ((base_cat, head_cat), (base_described, head_described)) = rayon::join(
        || catalogs(base, base_cfg, head, head_cfg),
        || stacks.load_pair(base, base_cfg, head, head_cfg, changed, include_dependents),
    );
    rayon::join(|| assemble(base, base_cat, base_described), || assemble(head, head_cat, head_described))
}

/// The catalogs of both revisions, (base, head). The head's is loaded through a
/// [`Recording`]; when paved.yaml configures both the same way and the base answers every
/// question that load asked the same way (no descriptor, Location target, listed folder or
/// kind schema differs), loading the base would give the same catalog, so it is reused.
pub fn catalogs(
    base: &dyn FileSource,
    base_cfg: &Config,
    head: &dyn FileSource,
    head_cfg: &Config,
) -> ((Catalog, Vec<Diagnostic>), (Catalog, Vec<Diagnostic>)) {
    if base_cfg != head_cfg {
        return rayon::join(|| catalog(base, base_cfg), || catalog(head, head_cfg));
    }
    let recording = Recording::new(head);
    let h = catalog(&recording, head_cfg);
    if recording.same_answers(base) {
        return (h.clone(), h);
    }
    (catalog(base, base_cfg), h)
}

/// Drops `value` on a thread of its own. Freeing a described revision (every merged tree,
/// every section) is a good share of a small comparison, and nothing waits for it; a process
/// that exits first skips it altogether.
pub fn drop_in_background<T: Send + 'static>(value: T) {
    // Without a thread, the value is dropped here, as it would have been.
    let _ = std::thread::Builder::new().name("paved-drop".into()).spawn(move || drop(value));
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
    }
}

/// Stack instances of one revision.
#[derive(Debug, Clone, Default)]
pub struct Described {
    pub instances: Vec<super::Instance>,
    pub diagnostics: Vec<Diagnostic>,
    pub notes: Vec<String>,
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

    /// Both revisions, (base, head), knowing what changed. By default both in full, at once.
    /// A loader may describe the base only where a change reaches, taking the other stacks from
    /// the head, and leave out of the head the stacks no change reaches when that cannot change
    /// the result (see `stacks::Engine`); what it leaves out of the head, the base must leave
    /// out too.
    fn load_pair(
        &self,
        base: &dyn FileSource,
        base_cfg: &Config,
        head: &dyn FileSource,
        head_cfg: &Config,
        changed: &ChangedFiles,
        include_dependents: bool,
    ) -> (Described, Described) {
        let _ = (changed, include_dependents);
        rayon::join(|| self.load(base, base_cfg), || self.load(head, head_cfg))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemorySource;

    fn group(name: &str, description: &str) -> String {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {name}\n  description: {description}\n\
             spec:\n  type: team\n  children: []\n"
        )
    }

    fn root(targets: &[&str]) -> String {
        let t: String = targets.iter().map(|t| format!("    - ./{t}\n")).collect();
        format!("apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  targets:\n{t}")
    }

    /// The groups of a catalog, with their descriptions.
    fn descriptions(cat: &Catalog) -> Vec<(String, String)> {
        cat.entities
            .values()
            .filter(|e| e.entity_ref.starts_with("group:"))
            .map(|e| (e.entity_ref.clone(), e.content["metadata"]["description"].as_str().unwrap_or("").to_string()))
            .collect()
    }

    /// The pair as [`catalogs`] gives it, checked against loading each revision on its own,
    /// and whether the head's load was reused for the base.
    fn both(
        base: &MemorySource,
        base_cfg: &Config,
        head: &MemorySource,
        head_cfg: &Config,
    ) -> ([Vec<(String, String)>; 2], bool) {
        let ((b, _), (h, _)) = catalogs(base, base_cfg, head, head_cfg);
        assert_eq!(b.entities, catalog(base, base_cfg).0.entities);
        assert_eq!(h.entities, catalog(head, head_cfg).0.entities);
        let recording = Recording::new(head);
        let _ = catalog(&recording, head_cfg);
        let reused = base_cfg == head_cfg && recording.same_answers(base);
        ([descriptions(&b), descriptions(&h)], reused)
    }

    fn base() -> MemorySource {
        MemorySource::new()
            .with("catalog-info.yaml", root(&["a.yaml"]))
            .with("a.yaml", group("alpha", "one"))
            .with("teams/t1.yaml", group("t1", "first"))
            .with("stacks/s.yaml", "vars: {}\n")
    }

    #[test]
    fn the_head_catalog_is_reused_only_when_no_change_reaches_it() {
        let cfg = Config::default();
        let globs = Config::parse(config::FILE_NAME, "catalog:\n  globs: [\"teams/*.yaml\"]\n").unwrap();
        let alpha = |d: &str| ("group:default/alpha".to_string(), d.to_string());
        let t = |n: &str, d: &str| (format!("group:default/{n}"), d.to_string());

        // A stack file changed: the head's catalog serves both sides.
        let head = base().with("stacks/s.yaml", "vars: {a: 1}\n");
        assert_eq!(both(&base(), &cfg, &head, &cfg), ([vec![alpha("one")], vec![alpha("one")]], true));
        // A descriptor a Location reaches.
        let head = base().with("a.yaml", group("alpha", "two"));
        assert_eq!(both(&base(), &cfg, &head, &cfg), ([vec![alpha("one")], vec![alpha("two")]], false));
        // A new Location target.
        let head = base().with("catalog-info.yaml", root(&["a.yaml", "b.yaml"])).with("b.yaml", group("beta", "b"));
        let (cats, reused) = both(&base(), &cfg, &head, &cfg);
        assert_eq!((&cats[0], reused), (&vec![alpha("one")], false));
        // Files paved.yaml's globs match: added, and deleted, in a folder discovery lists; a
        // change elsewhere still reuses.
        let head = base().with("teams/t2.yaml", group("t2", "second"));
        let (cats, reused) = both(&base(), &globs, &head, &globs);
        assert_eq!(
            cats,
            [vec![alpha("one"), t("t1", "first")], vec![alpha("one"), t("t1", "first"), t("t2", "second")]]
        );
        assert!(!reused);
        let mut head = base();
        head.remove(&RelPath::new("teams/t1.yaml").unwrap());
        assert_eq!(
            both(&base(), &globs, &head, &globs),
            ([vec![alpha("one"), t("t1", "first")], vec![alpha("one")]], false)
        );
        let head = base().with("stacks/s.yaml", "vars: {a: 1}\n");
        assert!(both(&base(), &globs, &head, &globs).1);
        // paved.yaml configures the catalog differently: each side by its own settings.
        assert_eq!(
            both(&base(), &cfg, &base(), &globs),
            ([vec![alpha("one")], vec![alpha("one"), t("t1", "first")]], false)
        );
    }
}
