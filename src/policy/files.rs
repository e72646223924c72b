//! Finding policy files: `.rego` files under the configured paths.

use crate::config::PolicyConfig;
use crate::report::Diagnostic;
use crate::source::{EntryKind, FileSource, RelPath, walk_files};

use super::rules;

/// Largest policy file read (regorus has its own limits too; this keeps reading bounded).
const MAX_POLICY_BYTES: u64 = 2 << 20;

/// One policy's text and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFile {
    pub path: RelPath,
    pub text: String,
}

impl PolicyFile {
    pub fn new(path: &str, text: impl Into<String>) -> PolicyFile {
        PolicyFile { path: RelPath::new(path).unwrap_or_default(), text: text.into() }
    }

    /// `opa test` files: `*_test.rego`.
    pub fn is_test(&self) -> bool {
        is_test_path(self.path.as_str())
    }
}

pub(crate) fn is_test_path(path: &str) -> bool {
    path.ends_with("_test.rego")
}

/// Reads every `.rego` file under `paths` (directories recursively, or single files), sorted
/// and de-duplicated. `*_test.rego` files are kept only when `with_tests`. A missing path is a
/// diagnostic unless it is the unconfigured default.
pub fn collect(
    src: &dyn FileSource,
    paths: &[RelPath],
    must_exist: bool,
    with_tests: bool,
) -> (Vec<PolicyFile>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut found: Vec<RelPath> = Vec::new();
    for p in paths {
        match src.kind(p) {
            Some(EntryKind::File) => found.push(p.clone()),
            Some(EntryKind::Dir) => match walk_files(src, p) {
                Ok(files) => found.extend(files.into_iter().filter(|f| f.as_str().ends_with(".rego"))),
                Err(e) => diags.push(Diagnostic::error(rules::MISSING, e.to_string()).in_file(p.as_str())),
            },
            _ if must_exist => diags.push(
                Diagnostic::error(rules::MISSING, format!("policy path `{p}` does not exist"))
                    .in_file(crate::config::FILE_NAME)
                    .with_help("fix `policy.paths` in paved.yaml"),
            ),
            _ => {}
        }
    }
    found.sort();
    found.dedup();
    let mut files = Vec::new();
    for path in found {
        if !with_tests && is_test_path(path.as_str()) {
            continue;
        }
        match src.read(&path, MAX_POLICY_BYTES) {
            Ok(bytes) => match String::from_utf8(bytes.to_vec()) {
                Ok(text) => files.push(PolicyFile { path, text }),
                Err(_) => diags
                    .push(Diagnostic::error(rules::SYNTAX, "policy file is not valid UTF-8").in_file(path.as_str())),
            },
            Err(e) => diags.push(Diagnostic::error(rules::MISSING, e.to_string()).in_file(path.as_str())),
        }
    }
    (files, diags)
}

/// [`collect`] with the paths and rules of the `policy:` section.
pub fn collect_configured(src: &dyn FileSource, cfg: &PolicyConfig) -> (Vec<PolicyFile>, Vec<Diagnostic>) {
    collect(src, &cfg.paths, cfg.paths_configured, false)
}

/// Data files beside the policies (`data.json`, `data.yaml`, `data.yml`, as `opa eval -d`
/// loads them), deep-merged into one object for the root of `data`. Quotas and allow-lists
/// live here so the policies stay generic.
pub fn collect_data(src: &dyn FileSource, paths: &[RelPath]) -> (serde_json::Value, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut data = serde_json::Value::Object(Default::default());
    let mut found = Vec::new();
    for p in paths {
        if src.kind(p) == Some(EntryKind::Dir)
            && let Ok(files) = walk_files(src, p)
        {
            found.extend(files.into_iter().filter(|f| matches!(f.file_name(), "data.json" | "data.yaml" | "data.yml")));
        }
    }
    for path in found {
        let text = match src.read(&path, MAX_POLICY_BYTES * 8) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => {
                diags.push(Diagnostic::error(rules::MISSING, e.to_string()).in_file(path.as_str()));
                continue;
            }
        };
        let parsed = crate::yaml::parse_one(&text, &crate::yaml::ParseOptions::default());
        match parsed {
            Ok(node) if node.as_map().is_some() => merge(&mut data, node.to_json()),
            Ok(node) => diags.push(
                Diagnostic::error(rules::DATA_INVALID, "a policy data file must hold a mapping")
                    .in_file(path.as_str())
                    .at_span(node.span),
            ),
            Err(e) => diags.push(
                Diagnostic::error(rules::DATA_INVALID, e.message.clone()).in_file(path.as_str()).at(e.line, e.column),
            ),
        }
    }
    (data, diags)
}

/// Deep merge of objects; anything else in `add` replaces what was there.
pub(crate) fn merge(base: &mut serde_json::Value, add: serde_json::Value) {
    match (base, add) {
        (serde_json::Value::Object(b), serde_json::Value::Object(a)) => {
            for (k, v) in a {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemorySource;

    #[test]
    fn collects_rego_files_and_skips_tests() {
        let src = MemorySource::new()
            .with("policies/a.rego", "package paved.catalog")
            .with("policies/a_test.rego", "package paved.catalog")
            .with("policies/sub/b.rego", "package paved.stacks")
            .with("policies/waivers.yaml", "[]");
        let (files, diags) = collect(&src, &[RelPath::new("policies").unwrap()], false, false);
        assert!(diags.is_empty());
        let names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(names, ["policies/a.rego", "policies/sub/b.rego"]);
        let (files, _) = collect(&src, &[RelPath::new("policies").unwrap()], false, true);
        assert_eq!(files.len(), 3);
        let (files, diags) = collect(&src, &[RelPath::new("nope").unwrap()], true, false);
        assert!(files.is_empty());
        assert_eq!(diags[0].rule, rules::MISSING);
        let (_, diags) = collect(&src, &[RelPath::new("nope").unwrap()], false, false);
        assert!(diags.is_empty());
    }
}
