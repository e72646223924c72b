//! paved's own engines behind the reconciler's ports: catalog + stacks + policy validation,
//! `affected` over the stacks engine, and the catalog's Groups for the owner rule.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::Value;

use super::memo::Recent;
use crate::affected::{self, ChangedFiles, Options, Snapshot};
use crate::config::Config;
use crate::reconcile::ports::{Affected, AffectedFinder, Directory, Location, Target, Validator};
use crate::report::Diagnostic;
use crate::report::Report;
use crate::source::{FileSource, RelPath};
use crate::store::LockKey;

/// The environment the stacks engine sees (`!env`, `ATMOS_*`): the process's own, as
/// `paved validate` does.
fn env() -> BTreeMap<String, String> {
    std::env::vars().collect()
}

/// Results kept per adapter (see [`Recent`]).
const REMEMBERED: usize = 32;

/// What `paved validate` checks: catalog, policies over it, stacks. A report is kept for the
/// revision's tree, the day (waivers expire) and the config; the process's environment is the
/// same for every run.
pub struct PavedValidator {
    memo: Recent<(String, NaiveDate, Config), Report>,
}

impl Default for PavedValidator {
    fn default() -> Self {
        PavedValidator { memo: Recent::new(REMEMBERED) }
    }
}

impl Validator for PavedValidator {
    fn validate(&self, files: &dyn FileSource, config: &Config) -> Report {
        let today = chrono::Utc::now().date_naive();
        let key = files.tree_id().map(|tree| (tree, today, config.clone()));
        if let Some(report) = key.as_ref().and_then(|k| self.memo.get(k)) {
            return report;
        }
        let mut report = Report::default();
        let (catalog, catalog_report) = crate::catalog::load(files, config);
        report.extend(catalog_report);
        // Stacks checks and policies over one load of the stack set.
        report.extend(crate::policy::validate_with_stacks(files, config, &catalog, &env(), today));
        // A policy that ran out of time says more about the machine's load than the revision.
        let timed_out = report.diagnostics.iter().any(|d| d.rule == crate::policy::rules::TIMEOUT);
        if let (Some(key), false) = (key, timed_out) {
            self.memo.put(key, report.clone());
        }
        report
    }
}

/// What determines an `affected` answer: the base's tree (none: a first reconcile), the head's,
/// the changed paths and the config.
type AffectedKey = (Option<String>, String, Vec<String>, Config);

/// `affected` between two revisions, as reconcile targets. An answer is kept for the two trees,
/// the changed paths and the config.
pub struct PavedAffected {
    memo: Recent<AffectedKey, Result<Vec<Target>, Vec<Diagnostic>>>,
}

impl Default for PavedAffected {
    fn default() -> Self {
        PavedAffected { memo: Recent::new(REMEMBERED) }
    }
}

impl AffectedFinder for PavedAffected {
    fn affected(
        &self,
        base: Option<&dyn FileSource>,
        head: &dyn FileSource,
        changed: &[String],
        config: &Config,
    ) -> Affected {
        let base_tree = match base.map(|b| b.tree_id()) {
            None => Some(None),
            Some(id) => id.map(Some),
        };
        let key = base_tree.zip(head.tree_id()).map(|(b, h)| (b, h, changed.to_vec(), config.clone()));
        if let Some(found) = key.as_ref().and_then(|k| self.memo.get(k)) {
            return found;
        }
        let found = compute_affected(base, head, changed, config);
        if let Some(key) = key {
            self.memo.put(key, found.clone());
        }
        found
    }
}

fn compute_affected(
    base: Option<&dyn FileSource>,
    head: &dyn FileSource,
    changed: &[String],
    config: &Config,
) -> Affected {
    // The engine `paved affected` uses, so a pull request is planned for what that command
    // shows; the two revisions are described side by side.
    let engine = affected::stacks::Engine::new(env());
    let paths: Vec<RelPath> = changed.iter().filter_map(|p| RelPath::new(p).ok()).collect();
    let changed = ChangedFiles::new(paths.iter());
    let (base_loaded, head_loaded) = match base {
        Some(b) => {
            let (b, h) = affected::load::pair(b, config, head, config, &engine, &changed, false);
            (b.snapshot, h.snapshot)
        }
        None => (Snapshot::default(), affected::load::snapshot(head, config, &engine).snapshot),
    };
    let opts = Options { include_dependents: false, include_settings: false, exclude_locked: false, stack: None };
    let result = affected::compute(&base_loaded, &head_loaded, &changed, &opts);
    let targets = result
        .affected
        .into_iter()
        .filter(|item| item.component_type == "terraform")
        .map(|item| {
            let key = (item.stack.clone(), item.component_type.clone(), item.component.clone());
            // A deleted instance is only in the base.
            let inst = head_loaded.stacks.get(&key).or_else(|| base_loaded.stacks.get(&key));
            Target {
                depends_on: inst.map(|i| dependencies(&i.section, &item.stack)).unwrap_or_default(),
                owner: inst.and_then(|i| i.owner_ref()),
                location: inst
                    .and_then(|i| i.defined_at.as_ref())
                    .map(|(file, line)| Location { file: file.as_str().to_string(), line: *line }),
                drift: inst.is_none_or(drift_enabled),
                reasons: if item.affected_all.is_empty() { vec![item.affected.clone()] } else { item.affected_all },
                deleted: item.deleted,
                stack: item.stack,
                component: item.component,
            }
        })
        .collect();
    affected::load::drop_in_background((base_loaded, head_loaded));
    Ok(targets)
}

/// `settings.paved.drift` is anything but `false` (the stack manifest schema holds it to a
/// boolean).
fn drift_enabled(inst: &affected::Instance) -> bool {
    inst.section.get("settings").and_then(|s| s.pointer("/paved/drift")) != Some(&Value::Bool(false))
}

/// `dependencies.components` (`[{component, stack?}]`) and legacy `settings.depends_on`
/// (`{1: {component, stack?}}`); a dependency without a stack is in the same stack.
fn dependencies(section: &serde_json::Map<String, Value>, stack: &str) -> Vec<LockKey> {
    let mut out = Vec::new();
    let mut push = |v: &Value| {
        if let Some(c) = v.get("component").and_then(Value::as_str) {
            let s = v.get("stack").and_then(Value::as_str).unwrap_or(stack);
            let key = LockKey::new(s, c);
            if !out.contains(&key) {
                out.push(key);
            }
        }
    };
    if let Some(list) = section.get("dependencies").and_then(|d| d.get("components")).and_then(Value::as_array) {
        list.iter().for_each(&mut push);
    }
    if let Some(map) = section.get("settings").and_then(|s| s.get("depends_on")).and_then(Value::as_object) {
        map.values().for_each(&mut push);
    }
    out
}

/// Group membership from the catalog of a revision.
pub struct CatalogDirectory;

impl Directory for CatalogDirectory {
    fn members(&self, files: &dyn FileSource, config: &Config, group: &str) -> Option<Vec<String>> {
        let group = affected::snapshot::normalize_ref(group, "group")?;
        let (catalog, _) = crate::catalog::load(files, config);
        let entity = catalog.get(&group)?;
        let json = entity.node.to_json();
        let members = json.pointer("/spec/members").and_then(Value::as_array).cloned().unwrap_or_default();
        let mut out = Vec::new();
        for m in members.iter().filter_map(Value::as_str) {
            let Some(user_ref) = affected::snapshot::normalize_ref(m, "user") else { continue };
            // The forge login: the user's `github.com/user-login` annotation, else its name.
            let login = catalog
                .get(&user_ref)
                .and_then(|u| {
                    u.node
                        .to_json()
                        .pointer("/metadata/annotations/github.com~1user-login")
                        .and_then(Value::as_str)
                        .map(String::from)
                })
                .unwrap_or_else(|| user_ref.rsplit('/').next().unwrap_or(&user_ref).to_string());
            out.push(login);
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::source::{DirEntry, EntryKind, MemorySource, SourceError};

    /// Files with the tree id a git commit would give them.
    struct Tree(MemorySource, &'static str);

    impl FileSource for Tree {
        fn read(&self, path: &RelPath, max_len: u64) -> Result<Arc<[u8]>, SourceError> {
            self.0.read(path, max_len)
        }
        fn list(&self, dir: &RelPath) -> Result<Vec<DirEntry>, SourceError> {
            self.0.list(dir)
        }
        fn kind(&self, path: &RelPath) -> Option<EntryKind> {
            self.0.kind(path)
        }
        fn tree_id(&self) -> Option<String> {
            Some(self.1.to_string())
        }
        fn describe(&self) -> String {
            self.1.to_string()
        }
    }

    fn broken_catalog() -> MemorySource {
        MemorySource::new().with("catalog-info.yaml", "kind: [\n")
    }

    // Each case labels its files with a tree id of its choosing: a reused answer shows as the
    // old one although the files differ.
    #[test]
    fn validation_is_reused_for_the_same_tree_and_config_only() {
        let v = PavedValidator::default();
        let cfg = Config::default();
        let clean = v.validate(&Tree(MemorySource::new(), "t1"), &cfg);
        assert!(!clean.has_errors(), "{:?}", clean.diagnostics);
        assert!(v.validate(&broken_catalog(), &cfg).has_errors(), "the broken catalog is an error");
        // Same tree id: the kept report, although the files differ.
        assert_eq!(v.validate(&Tree(broken_catalog(), "t1"), &cfg).diagnostics, clean.diagnostics);
        // A new tree, or the same tree under another config, is validated again.
        assert!(v.validate(&Tree(broken_catalog(), "t2"), &cfg).has_errors());
        let mut strict = cfg.clone();
        strict.limits.max_file_size += 1;
        assert!(v.validate(&Tree(broken_catalog(), "t1"), &strict).has_errors());
        // A source without a tree id is never kept.
        let plain = v.validate(&broken_catalog(), &cfg);
        assert!(plain.has_errors());
    }

    fn stacks(extra: &str) -> MemorySource {
        MemorySource::new()
            .with(
                "atmos.yaml",
                "base_path: \".\"\ncomponents:\n  terraform:\n    base_path: components/terraform\n\
                 stacks:\n  base_path: stacks\n  included_paths: [\"**/*\"]\n  name_pattern: \"{stage}\"\n",
            )
            .with("components/terraform/app/main.tf", "# app\n")
            .with("stacks/dev.yaml", format!("vars:\n  stage: dev\ncomponents:\n  terraform:\n    app: {{{extra}}}\n"))
    }

    fn names(found: &Affected) -> Vec<String> {
        found.as_ref().expect("stacks load").iter().map(|t| format!("{}/{}", t.stack, t.component)).collect()
    }

    #[test]
    fn affected_is_reused_for_the_same_trees_changes_and_config_only() {
        let a = PavedAffected::default();
        let cfg = Config::parse("paved.yaml", "stacks:\n  path: .\n").expect("config");
        let changed = vec!["stacks/dev.yaml".to_string()];
        let base = Tree(stacks(""), "base");
        let first = a.affected(Some(&base), &Tree(stacks("vars: {n: 1}"), "h1"), &changed, &cfg);
        assert_eq!(names(&first), ["dev/app"]);
        // Same trees: kept, although this head would change nothing.
        let again = a.affected(Some(&base), &Tree(stacks(""), "h1"), &changed, &cfg);
        assert_eq!(again, first);
        // A new head tree is compared again.
        assert!(names(&a.affected(Some(&base), &Tree(stacks(""), "h2"), &changed, &cfg)).is_empty());
        // So is the same pair with other changed paths, or without a base.
        assert!(names(&a.affected(Some(&base), &Tree(stacks(""), "h1"), &[], &cfg)).is_empty());
        assert_eq!(names(&a.affected(None, &Tree(stacks(""), "h1"), &changed, &cfg)), ["dev/app"]);
    }

    #[test]
    fn targets_point_at_their_definition_in_the_head_or_for_a_deletion_the_base() {
        let a = PavedAffected::default();
        let cfg = Config::parse("paved.yaml", "stacks:\n  path: .\n").expect("config");
        let changed = vec!["stacks/dev.yaml".to_string()];
        let at = |found: &Affected| {
            found.as_ref().expect("stacks load").iter().map(|t| t.location.clone()).collect::<Vec<_>>()
        };
        let defined = Some(Location { file: "stacks/dev.yaml".into(), line: 5 });
        let changed_app =
            a.affected(Some(&Tree(stacks(""), "b1")), &Tree(stacks("vars: {n: 1}"), "h1"), &changed, &cfg);
        assert_eq!(at(&changed_app), std::slice::from_ref(&defined));
        let gone = MemorySource::new()
            .with("atmos.yaml", &*stacks("").read(&RelPath::new("atmos.yaml").unwrap(), 1 << 20).unwrap())
            .with("components/terraform/app/main.tf", "# app\n")
            .with("stacks/dev.yaml", "vars:\n  stage: dev\n");
        let deleted = a.affected(Some(&Tree(stacks(""), "b1")), &Tree(gone, "h2"), &changed, &cfg);
        let targets = deleted.as_ref().expect("stacks load");
        assert!(targets.iter().all(|t| t.deleted), "{targets:?}");
        assert_eq!(at(&deleted), [defined]);
    }

    #[test]
    fn settings_paved_drift_false_opts_a_component_out_of_drift() {
        let a = PavedAffected::default();
        let cfg = Config::parse("paved.yaml", "stacks:\n  path: .\n").expect("config");
        let drift = |extra: &str, tree: &'static str| {
            let found = a.affected(None, &Tree(stacks(extra), tree), &[], &cfg);
            found.expect("stacks load").iter().map(|t| t.drift).collect::<Vec<_>>()
        };
        assert_eq!(drift("", "d1"), [true]);
        assert_eq!(drift("settings: {paved: {drift: false}}", "d2"), [false]);
        assert_eq!(drift("settings: {paved: {drift: true}}", "d3"), [true]);
    }

    #[test]
    fn dependencies_from_both_forms() {
        let section = serde_json::json!({
            "dependencies": {"components": [{"component": "vpc"}, {"component": "dns", "stack": "core-gbl"}]},
            "settings": {"depends_on": {"1": {"component": "vpc"}, "2": {"component": "kms"}}}
        });
        let Value::Object(m) = section else { unreachable!() };
        let deps = dependencies(&m, "plat-ue2-dev");
        assert_eq!(
            deps,
            [LockKey::new("plat-ue2-dev", "vpc"), LockKey::new("core-gbl", "dns"), LockKey::new("plat-ue2-dev", "kms")]
        );
    }
}
