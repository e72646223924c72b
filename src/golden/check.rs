//! Validating a render before anything is written: the repository with the changes applied is
//! validated as a whole and the problems in files the render touched are kept (problems that
//! were already in the repository are not the new project's fault).
//!
//! This is the one place the golden paths call the other validators: the catalog rules (every
//! touched descriptor, reached through Locations or not), the stack rules (when the repository
//! has Atmos stacks), the policies, and YAML syntax of every other touched `.yaml` file.

use std::collections::{BTreeMap, BTreeSet};

use super::overlay::Overlay;
use crate::changeset::{ChangeSet, FileChange};
use crate::config::Config;
use crate::report::{Diagnostic, Report};
use crate::source::FileSource;
use crate::yaml::{ParseOptions, parse_documents};

const RULE_YAML: &str = "golden/invalid-yaml";

/// What the validators read besides files: the environment `!env` and `ATMOS_*` overrides
/// see, and the date waivers expire against.
#[derive(Debug, Clone)]
pub struct CheckContext {
    pub env: BTreeMap<String, String>,
    pub today: chrono::NaiveDate,
}

/// The problems a render would bring into the repository `base`.
pub fn check_result(base: &dyn FileSource, changes: &ChangeSet, cfg: &Config, ctx: &CheckContext) -> Report {
    let overlay = Overlay { base, changes };
    let touched: BTreeSet<&str> =
        changes.files.iter().filter(|(_, c)| matches!(c, FileChange::Write { .. })).map(|(p, _)| p.as_str()).collect();
    let (catalog, mut report) = crate::catalog::load(&overlay, cfg);
    // The stack rules and the policies over one load of the stack set.
    report.extend(crate::policy::validate_with_stacks(&overlay, cfg, &catalog, &ctx.env, ctx.today));
    let reached: BTreeSet<&str> = catalog.files().iter().map(|f| f.path.as_str()).collect();
    let mut diagnostics: Vec<Diagnostic> =
        report.diagnostics.into_iter().filter(|d| touched.contains(d.file.as_str())).collect();
    for (path, change) in &changes.files {
        let FileChange::Write { content, .. } = change else { continue };
        let p = path.as_str();
        let name = path.file_name();
        if (name == "catalog-info.yaml" || name == "catalog-info.yml") && !reached.contains(p) {
            // Placeholders (`$text: ./openapi.yaml`) resolve against the rendered result.
            diagnostics.extend(crate::catalog::check_text_in(&overlay, path, content, cfg));
        } else if (p.ends_with(".yaml") || p.ends_with(".yml"))
            && !reached.contains(p)
            && !diagnostics.iter().any(|d| d.file == p)
        {
            diagnostics.extend(yaml_syntax(p, content));
        }
    }
    let mut out = Report { diagnostics, rules: report.rules, ..Report::default() };
    out.summary.files = touched.len();
    out.finish(&cfg.rules);
    out
}

fn yaml_syntax(file: &str, content: &[u8]) -> Option<Diagnostic> {
    let Ok(text) = std::str::from_utf8(content) else {
        return Some(Diagnostic::error(RULE_YAML, "the file is not UTF-8 text").in_file(file));
    };
    let (_, err) = parse_documents(text, &ParseOptions { merge_keys: true, ..ParseOptions::default() });
    err.map(|e| Diagnostic::error(RULE_YAML, e.message.clone()).in_file(file).at(e.line, e.column))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changeset::FileMode;
    use crate::source::{MemorySource, RelPath};

    fn ctx() -> CheckContext {
        CheckContext { env: BTreeMap::new(), today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() }
    }

    #[test]
    fn only_problems_in_touched_files_count() {
        let base = MemorySource::new()
            .with("catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  targets:\n    - ./old/catalog-info.yaml\n    - ./new/catalog-info.yaml\n")
            .with("old/catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: Old Bad\n");
        let mut cs = ChangeSet::new();
        let good = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n";
        cs.write(RelPath::new("new/catalog-info.yaml").unwrap(), good, FileMode::Regular).unwrap();
        cs.write(RelPath::new("stacks/dev.yaml").unwrap(), "a: [\n", FileMode::Regular).unwrap();
        let r = check_result(&base, &cs, &Config::default(), &ctx());
        let found: Vec<_> = r.diagnostics.iter().map(|d| (d.rule.as_str(), d.file.as_str())).collect();
        assert_eq!(found, [(RULE_YAML, "stacks/dev.yaml")], "{:#?}", r.diagnostics);
        // An unreached descriptor is still checked on its own.
        let mut cs = ChangeSet::new();
        cs.write(RelPath::new("other/catalog-info.yaml").unwrap(), "kind: Component\n", FileMode::Regular).unwrap();
        let r = check_result(&base, &cs, &Config::default(), &ctx());
        assert!(r.has_errors() && r.diagnostics.iter().all(|d| d.file == "other/catalog-info.yaml"));
        // An unreached API whose definition is a `$text` placeholder reads the rendered file.
        let mut cs = ChangeSet::new();
        let api = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: pay-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: group:team-a\n  definition:\n    $text: ./openapi.yaml\n";
        cs.write(RelPath::new("pay/catalog-info.yaml").unwrap(), api, FileMode::Regular).unwrap();
        let r = check_result(&base, &cs, &Config::default(), &ctx());
        assert!(r.diagnostics.iter().any(|d| d.rule == "backstage/placeholder"), "{:#?}", r.diagnostics);
        cs.write(RelPath::new("pay/openapi.yaml").unwrap(), "openapi: 3.0.3\n", FileMode::Regular).unwrap();
        let r = check_result(&base, &cs, &Config::default(), &ctx());
        assert!(!r.has_errors(), "{:#?}", r.diagnostics);
    }
}
