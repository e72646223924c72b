//! One policy run over a repository: compile, bind the data document, evaluate every input,
//! apply waivers.

use chrono::NaiveDate;
use serde_json::Value as Json;

use super::compile::{PolicySet, Scope};
use super::data::{CatalogData, InputSet, StacksData, inputs, merge_value};
use super::eval::{EvalOptions, Evaluated, evaluate};
use super::files::{collect, collect_configured, collect_data, merge};
use super::waivers::Waivers;
use crate::config::Config;
use crate::report::{Diagnostic, Severity};
use crate::source::{FileSource, SourceError};

/// Largest waiver file read.
const MAX_WAIVER_BYTES: u64 = 1 << 20;

/// Everything a run needs besides the inputs.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub set: PolicySet,
    /// Data files beside the policies, merged.
    pub data: Json,
    pub waivers: Waivers,
    pub opts: EvalOptions,
    /// Problems found while loading (syntax errors, bad waivers, missing paths).
    pub diagnostics: Vec<Diagnostic>,
}

impl Prepared {
    /// Reads and compiles the configured policies, their data files and the waiver file.
    pub fn load(src: &dyn FileSource, cfg: &Config) -> Prepared {
        let (mut files, mut diagnostics) = collect_configured(src, &cfg.policy);
        let (mut data, data_diags) = collect_data(src, &cfg.policy.paths);
        diagnostics.extend(data_diags);
        if cfg.policy.starter {
            // Built in first, so the repository's own data files override the starter settings.
            let (starter, root) = super::starter::source();
            let (mut builtin, _) = collect(&starter, std::slice::from_ref(&root), true, false);
            builtin.append(&mut files);
            files = builtin;
            let (mut base, _) = collect_data(&starter, &[root]);
            merge(&mut base, data);
            data = base;
        }
        let (set, compile_diags) = PolicySet::compile(&files);
        diagnostics.extend(compile_diags);
        let file = cfg.policy.waivers.as_str();
        let waivers = match src.read(&cfg.policy.waivers, MAX_WAIVER_BYTES) {
            Ok(bytes) => {
                let (w, d) = Waivers::parse(file, &String::from_utf8_lossy(&bytes));
                diagnostics.extend(d);
                w
            }
            Err(SourceError::NotFound(_)) => Waivers::default(),
            Err(e) => {
                diagnostics.push(Diagnostic::error(super::rules::WAIVER_INVALID, e.to_string()).in_file(file));
                Waivers::default()
            }
        };
        Prepared { set, data, waivers, opts: EvalOptions::from(&cfg.policy), diagnostics }
    }

    /// Evaluates every policy over the catalog and the stacks, then applies the waivers
    /// (dated `today`). Returns the load problems, the findings and the waiver diagnostics.
    pub fn check(&self, catalog: &CatalogData, stacks: &StacksData, today: NaiveDate) -> Vec<Diagnostic> {
        let mut out = self.diagnostics.clone();
        if self.set.entries().is_empty() {
            // Nothing to waive: "matches nothing" would only be noise.
            return out;
        }
        let scopes: Vec<Scope> = Scope::ALL.into_iter().filter(|s| self.set.has_scope(*s)).collect();
        let InputSet { paved, subjects } = inputs(catalog, stacks, &scopes);
        let mut data = regorus::Value::from(self.data.clone());
        // paved's own document wins over a data file's `paved` key, as a deep merge.
        merge_value(&mut data, regorus::Value::from(std::collections::BTreeMap::from([("paved".into(), paved)])));
        let bound = match self.set.bind_for(data, self.opts, &subjects) {
            Ok(b) => b,
            Err(d) => {
                out.push(*d);
                return out;
            }
        };
        let Evaluated { mut findings, problems } = evaluate(&bound, &subjects);
        out.extend(problems);
        out.extend(self.waivers.apply(&mut findings, today));
        out.extend(findings);
        out
    }
}

/// Counts for a summary line: errors, warnings, notes.
pub fn counts(diags: &[Diagnostic]) -> (usize, usize, usize) {
    let n = |s| diags.iter().filter(|d| d.severity == s).count();
    (n(Severity::Error), n(Severity::Warning), n(Severity::Note))
}

/// Runs the configured policies of a repository over its catalog and stacks, dated `today`
/// (waiver expiry), plus the Atmos-style `settings.validation` OPA steps (`opa_base`: atmos.yaml's
/// `schemas.opa.base_path`). Severity overrides from `cfg.rules` are applied.
pub fn validate(
    src: &dyn FileSource,
    cfg: &Config,
    catalog: &CatalogData,
    stacks: &StacksData,
    opa_base: Option<&crate::source::RelPath>,
    today: NaiveDate,
) -> crate::report::Report {
    checked(src, cfg, &Prepared::load(src, cfg), catalog, stacks, opa_base, today)
}

fn checked(
    src: &dyn FileSource,
    cfg: &Config,
    prepared: &Prepared,
    catalog: &CatalogData,
    stacks: &StacksData,
    opa_base: Option<&crate::source::RelPath>,
    today: NaiveDate,
) -> crate::report::Report {
    let mut diagnostics = prepared.check(catalog, stacks, today);
    if let Some(base) = opa_base {
        diagnostics.extend(super::atmos::check(src, base, &stacks.instances));
    }
    let mut report = crate::report::Report { diagnostics, rules: super::rule_infos(), ..Default::default() };
    report.finish(&cfg.rules);
    report
}

/// [`validate`] over a loaded catalog and stack set: what `paved validate` calls.
pub fn validate_repo(
    src: &dyn FileSource,
    cfg: &Config,
    catalog: &crate::catalog::Catalog,
    stacks: Option<&crate::stacks::StackSet>,
    today: NaiveDate,
) -> crate::report::Report {
    let prepared = Prepared::load(src, cfg);
    // Every entity as JSON costs a third of a catalog-only `paved validate`: build it only for policies.
    let catalog =
        if prepared.set.entries().is_empty() { CatalogData::default() } else { CatalogData::from_catalog(catalog) };
    let data = stacks.map(StacksData::from_set).unwrap_or_default();
    let base = stacks.map(super::inputs::opa_base);
    checked(src, cfg, &prepared, &catalog, &data, base.as_ref(), today)
}

/// The stacks checks plus the policies, over one load of the stack set: what `paved validate`
/// (and every validator running its checks) reports after the catalog's own.
pub fn validate_with_stacks(
    src: &dyn FileSource,
    cfg: &Config,
    catalog: &crate::catalog::Catalog,
    env: &std::collections::BTreeMap<String, String>,
    today: NaiveDate,
) -> crate::report::Report {
    let (mut report, stacks) = super::inputs::check_stacks(src, cfg, env);
    report.extend(validate_repo(src, cfg, catalog, stacks.as_ref(), today));
    report
}
