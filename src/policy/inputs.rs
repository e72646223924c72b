//! Adapters from the catalog and stacks models to the policy inputs.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::data::{CatalogData, EntityInput, InstanceInput, StacksData};
use super::subject::Locate;
use crate::catalog::Catalog;
use crate::config::Config;
use crate::report::{Diagnostic, Report};
use crate::source::{FileSource, RelPath};
use crate::stacks::{AtmosConfig, DescribeOptions, LoadOptions, ProvenanceEntry, StackSet};
use crate::yaml::Span;

impl CatalogData {
    /// Every entity of the loaded catalog (its first definition when a ref is duplicated), with
    /// the relations its spec makes (the inverses are added when the data document is built).
    pub fn from_catalog(catalog: &Catalog) -> CatalogData {
        let entities = catalog
            .entities()
            .par_iter()
            .filter(|e| catalog.get(&e.entity_ref).is_some_and(|first| std::ptr::eq(first, *e)))
            .map(|e| EntityInput {
                entity_ref: e.entity_ref.clone(),
                entity: e.node.to_json(),
                relations: e.refs.iter().map(|r| (r.forward.to_string(), r.target.clone())).collect(),
                file: e.file.clone(),
                document: Some(e.document),
                span: e.span,
                root: Some(e.node.clone()),
            })
            .collect();
        CatalogData { entities }
    }
}

/// Maps a JSON pointer into a describe output to the file and line its value was written at.
#[derive(Debug, Clone)]
pub struct ProvenanceLocator {
    /// `(pointer, file, span)`, sorted by pointer.
    entries: Vec<(String, String, Span)>,
}

impl ProvenanceLocator {
    pub fn new(provenance: &[ProvenanceEntry]) -> ProvenanceLocator {
        let mut entries: Vec<(String, String, Span)> =
            provenance.iter().map(|p| (p.pointer.clone(), p.file.clone(), Span::point(p.line, p.column))).collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        ProvenanceLocator { entries }
    }
}

impl Locate for ProvenanceLocator {
    /// The value's own entry, else the first entry under it (a map or list written as a
    /// whole). A value no stack file wrote (a missing field) has none: the diagnostic then
    /// points at the component's definition.
    fn locate(&self, pointer: &str) -> Option<(String, Span)> {
        if let Ok(i) = self.entries.binary_search_by(|e| e.0.as_str().cmp(pointer)) {
            let (_, file, span) = &self.entries[i];
            return Some((file.clone(), *span));
        }
        let under = format!("{pointer}/");
        let i = self.entries.partition_point(|e| e.0.as_str() < under.as_str());
        self.entries.get(i).filter(|e| e.0.starts_with(&under)).map(|(_, file, span)| (file.clone(), *span))
    }
}

impl StacksData {
    /// Every concrete, describable instance of the set with its describe output and
    /// provenance. Instances that cannot be described (conflicts) are left out: stacks
    /// validation reports them.
    pub fn from_set(set: &StackSet) -> StacksData {
        let opts = DescribeOptions { process_templates: set.options.process_templates, process_functions: false };
        let instances = set
            .instances()
            .par_iter()
            .filter(|i| !i.is_abstract)
            .filter_map(|i| {
                let d = set.describe_instance(i, opts).ok()?;
                let mut describe = d.value;
                if let Some(o) = describe.as_object_mut() {
                    // The whole atmos.yaml repeated per instance says nothing per component.
                    o.remove("atmos_cli_config");
                }
                Some(InstanceInput {
                    stack: i.stack.clone(),
                    component: i.component.clone(),
                    describe,
                    file: i.file.to_string(),
                    span: Span::point(i.line, i.column),
                    locator: Some(Arc::new(ProvenanceLocator::new(&d.provenance)) as Arc<dyn Locate>),
                })
            })
            .collect();
        StacksData { instances }
    }
}

/// atmos.yaml's `schemas.opa.base_path`, relative to the repository root (Atmos's usual
/// `stacks/schemas/opa` when unset).
pub fn opa_base(set: &StackSet) -> RelPath {
    let written = set.config.raw.pointer("/schemas/opa/base_path").and_then(serde_json::Value::as_str);
    let rel = written.unwrap_or("stacks/schemas/opa");
    set.config.base_path.join(rel).unwrap_or_else(|_| set.config.base_path.clone())
}

/// Loads the stack set the way `paved validate` does (when paved.yaml's `stacks.path` holds an
/// atmos.yaml, or `stacks.enabled: true`). Load problems are left to stacks validation.
pub fn load_stacks(src: &dyn FileSource, cfg: &Config, env: &BTreeMap<String, String>) -> Option<StackSet> {
    try_load_stacks(src, cfg, env).ok().flatten()
}

/// The stacks checks and the loaded set, from ONE load: what `paved validate` reports about
/// the stacks, and the set the policies then evaluate (loading a large set twice doubled
/// its cost).
pub fn check_stacks(src: &dyn FileSource, cfg: &Config, env: &BTreeMap<String, String>) -> (Report, Option<StackSet>) {
    let mut report = Report { rules: crate::stacks::rules::all(), ..Default::default() };
    match try_load_stacks(src, cfg, env) {
        Ok(Some(set)) => {
            report.diagnostics.extend(crate::stacks::validate::check_set(src, &set));
            report.summary.files += set.files().len();
            (report, Some(set))
        }
        Ok(None) => (report, None),
        Err(diags) => {
            report.diagnostics = diags;
            (report, None)
        }
    }
}

/// `Ok(None)` when the repository has no stacks; `Err` when atmos.yaml cannot be loaded.
fn try_load_stacks(
    src: &dyn FileSource,
    cfg: &Config,
    env: &BTreeMap<String, String>,
) -> Result<Option<StackSet>, Vec<Diagnostic>> {
    let dir = &cfg.stacks.path;
    let has_atmos = dir.join(crate::stacks::ATMOS_YAML).is_ok_and(|p| src.kind(&p).is_some());
    if cfg.stacks.enabled == Some(false) || (cfg.stacks.enabled.is_none() && !has_atmos) {
        return Ok(None);
    }
    let opts = LoadOptions {
        env: env.clone(),
        max_file_size: cfg.limits.max_file_size,
        yaml_limits: cfg.limits.yaml,
        ..LoadOptions::default()
    };
    let atmos = AtmosConfig::load(src, dir, &opts.env, dir, opts.max_file_size)?;
    Ok(Some(StackSet::load(src, atmos, opts)))
}
