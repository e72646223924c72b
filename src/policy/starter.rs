//! The starter policies (`policies/` of paved's repository), built into the binary so a
//! repository can run them without copying them (`policy.starter: true` in paved.yaml).
//!
//! They are read through a [`MemorySource`] under [`PREFIX`], so they load exactly like a
//! repository's own policies and their diagnostics name `paved:starter/<file>`, never a path
//! of the repository.

use crate::source::{MemorySource, RelPath};

/// Where the built-in files appear (not a path any repository can hold: `paved:` is no drive
/// letter, and the name tells a reader the file is paved's).
pub const PREFIX: &str = "paved:starter";

/// `(path under policies/, text)`; the policies' tests stay in the repository
/// (`paved policy test policies`).
const FILES: &[(&str, &str)] = &[
    ("catalog/lifecycle.rego", include_str!("../../policies/catalog/lifecycle.rego")),
    ("catalog/oncall.rego", include_str!("../../policies/catalog/oncall.rego")),
    ("catalog/ownership.rego", include_str!("../../policies/catalog/ownership.rego")),
    ("catalog/tags.rego", include_str!("../../policies/catalog/tags.rego")),
    ("data.yaml", include_str!("../../policies/data.yaml")),
    ("lib/refs.rego", include_str!("../../policies/lib/refs.rego")),
    ("lib/stacks.rego", include_str!("../../policies/lib/stacks.rego")),
    ("stacks/instance_types.rego", include_str!("../../policies/stacks/instance_types.rego")),
    ("stacks/ownership.rego", include_str!("../../policies/stacks/ownership.rego")),
    ("stacks/regions.rego", include_str!("../../policies/stacks/regions.rego")),
    ("stacks/s3.rego", include_str!("../../policies/stacks/s3.rego")),
    ("stacks/tags.rego", include_str!("../../policies/stacks/tags.rego")),
    ("tenants/quota.rego", include_str!("../../policies/tenants/quota.rego")),
];

/// The built-in files, and the path to load them from.
pub fn source() -> (MemorySource, RelPath) {
    let mut src = MemorySource::new();
    for (path, text) in FILES {
        src = src.with(&format!("{PREFIX}/{path}"), *text);
    }
    (src, RelPath::new(PREFIX).expect("literal"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A policy added to policies/ but not here would silently be missing from the built-in
    /// set.
    #[test]
    fn every_starter_file_is_built_in() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
        let mut on_disk = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let rel = p.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
                if (rel.ends_with(".rego") && !rel.ends_with("_test.rego")) || rel == "data.yaml" {
                    on_disk.push(rel);
                }
            }
        }
        on_disk.sort();
        let built_in: Vec<&str> = FILES.iter().map(|(p, _)| *p).collect();
        assert_eq!(built_in, on_disk);
    }

    #[test]
    fn a_repository_runs_the_starter_set_and_overrides_its_settings() {
        let repo = MemorySource::new().with("policies/data.yaml", "config:\n  max_tags: 1\n");
        let mut cfg = crate::config::Config::default();
        let off = crate::policy::Prepared::load(&repo, &cfg);
        assert!(off.set.entries().is_empty());
        cfg.policy.starter = true;
        let on = crate::policy::Prepared::load(&repo, &cfg);
        assert!(on.diagnostics.is_empty(), "{:?}", on.diagnostics);
        assert!(on.set.entries().len() >= 10);
        assert!(on.set.files().iter().all(|f| f.starts_with("paved:starter/")));
        assert_eq!(on.data["config"]["max_tags"], 1, "the repository's data wins");
        assert_eq!(on.data["config"]["banned_tags"][0], "todo", "the rest comes from the starter set");
    }

    #[test]
    fn the_prefix_is_a_relative_path() {
        let (src, root) = source();
        assert_eq!(root.as_str(), PREFIX);
        let p = RelPath::new(&format!("{PREFIX}/lib/refs.rego")).unwrap();
        assert!(crate::source::FileSource::kind(&src, &p).is_some());
    }
}
