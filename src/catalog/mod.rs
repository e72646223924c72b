//! Backstage catalog validation.
//!
//! Reads a repository's descriptor files the way Backstage would (root `catalog-info.yaml`,
//! Location entities, paved.yaml globs), checks every document against Backstage's own rules
//! (`backstage/*`: YAML, envelope, field formats, the kinds' JSON Schemas in
//! `schemas/catalog/`, references, Locations), then the rules paved adds across files
//! (`catalog/*`: references resolve, relations agree, no duplicates, no orphans, no cycles).
//! Every finding is a [`Diagnostic`] at the YAML node it is about. Pure: files come through a
//! [`FileSource`].

mod compat;
mod discover;
mod document;
mod entity;
mod file;
mod format;
mod graph;
mod model;
mod placeholder;
mod quick;
mod refs;
pub mod rules;
mod schema;

pub use entity::{Entity, LocationSpec, RefUse};
pub use model::{Catalog, CatalogFile, Relation};
pub use refs::{EntityRef, canonical, parse_ref};

use document::ExtraSchema;

use crate::config::Config;
use crate::report::{Diagnostic, Report, RuleInfo};
use crate::source::{FileSource, RelPath};

/// Validates a whole repository: every file discovery reaches, and the cross-file rules.
/// Severity overrides from `cfg.rules` are applied.
pub fn validate(src: &dyn FileSource, cfg: &Config) -> Report {
    load(src, cfg).1
}

/// Loads the catalog of a repository with the report of everything wrong with it.
pub fn load(src: &dyn FileSource, cfg: &Config) -> (Catalog, Report) {
    let mut diagnostics = Vec::new();
    let extra = extra_schemas(src, cfg, &mut diagnostics);
    let (found, discovery) = discover::discover(src, cfg, &extra);
    diagnostics.extend(discovery);
    let mut report = Report { rules: rules::all(), ..Report::default() };
    // Sized up front: an entity is a few hundred bytes, and a vector of a large catalog's
    // entities grown by doubling copies them over and over on this one thread.
    let total = found.iter().map(|f| f.check.entities.len()).sum();
    let mut entities = Vec::with_capacity(total);
    let mut reached = Vec::with_capacity(total);
    let mut files = Vec::with_capacity(found.len());
    for f in found {
        report.summary.files += 1;
        report.summary.documents += f.check.documents;
        diagnostics.extend(f.check.diagnostics);
        reached.extend(std::iter::repeat_n(f.reached, f.check.entities.len()));
        entities.extend(f.check.entities);
        files.push(CatalogFile { path: f.path.as_str().to_string(), reached: f.reached });
    }
    report.summary.entities = entities.len();
    let catalog = Catalog::new(entities, files);
    diagnostics.extend(graph::check(catalog.entities(), catalog.index(), &reached));
    report.diagnostics = diagnostics;
    report.finish(&cfg.rules);
    (catalog, report)
}

/// Checks one file on its own (no cross-file rules, no kinds' schemas from paved.yaml: declared
/// kinds are accepted as they are). Severity overrides from `cfg.rules` are applied.
pub fn check_text(file: &str, bytes: &[u8], cfg: &Config) -> Vec<Diagnostic> {
    check_one(file, bytes, cfg, None)
}

/// [`check_text`] for a file of a repository that no Location may reach: placeholders
/// (`$text`, `$json`, `$yaml`) resolve against `src`, relative to `file`, as in [`load`].
pub fn check_text_in(src: &dyn FileSource, file: &RelPath, bytes: &[u8], cfg: &Config) -> Vec<Diagnostic> {
    let resolver = placeholder::SourceResolver { src, file, max_len: cfg.limits.max_file_size };
    check_one(file.as_str(), bytes, cfg, Some(&resolver))
}

fn check_one(
    file: &str,
    bytes: &[u8],
    cfg: &Config,
    placeholders: Option<&dyn placeholder::Resolve>,
) -> Vec<Diagnostic> {
    let extra: Vec<ExtraSchema> = cfg
        .catalog
        .extra_kinds
        .iter()
        .map(|k| ExtraSchema { api_version: k.api_version.clone(), kind: k.kind.clone(), validator: None })
        .collect();
    let fc = file::check(file, bytes, cfg, &extra, placeholders);
    let mut report = Report { diagnostics: fc.diagnostics, ..Report::default() };
    report.finish(&cfg.rules);
    report.diagnostics
}

/// Every catalog rule, for `paved rules` and SARIF.
pub fn rule_infos() -> Vec<RuleInfo> {
    rules::all()
}

/// The JSON Schemas of the built-in kinds, as (file name, text), for editors and `paved rules`.
pub fn schema_files() -> &'static [(&'static str, &'static str)] {
    schema::FILES
}

/// Loads and compiles the schemas of the kinds paved.yaml declares.
fn extra_schemas(src: &dyn FileSource, cfg: &Config, diags: &mut Vec<Diagnostic>) -> Vec<ExtraSchema> {
    cfg.catalog
        .extra_kinds
        .iter()
        .map(|k| {
            let compiled = src
                .read(&k.schema, cfg.limits.max_file_size)
                .map_err(|e| e.to_string())
                .and_then(|b| String::from_utf8(b.to_vec()).map_err(|e| e.to_string()))
                .and_then(|t| crate::yaml::parse_one(&t, &cfg.limits.catalog_yaml()).map_err(|e| e.to_string()))
                .and_then(|n| schema::compile(&n.to_json()));
            let validator = match compiled {
                Ok(v) => Some(v),
                Err(e) => {
                    diags.push(
                        Diagnostic::error(rules::KIND_SCHEMA, format!("schema `{}` of kind {}: {e}", k.schema, k.kind))
                            .in_file(k.schema.as_str()),
                    );
                    None
                }
            };
            ExtraSchema { api_version: k.api_version.clone(), kind: k.kind.clone(), validator }
        })
        .collect()
}

/// For tests: on every document of `text`, the quick schema check on the YAML tree may call
/// valid only what the `jsonschema` crate finds no issue with (for the document's built-in kind
/// and for the envelope alone).
#[doc(hidden)]
pub fn quick_check_agrees(text: &str) -> Result<(), String> {
    let (docs, _) = crate::yaml::parse_documents(text, &Config::default().limits.catalog_yaml());
    for d in docs {
        let field = |k: &str| d.root.get(k).and_then(crate::yaml::Node::as_str).unwrap_or_default().to_string();
        let (kind, api_version) = (field("kind"), field("apiVersion"));
        let builtin =
            schema::BUILTIN.iter().position(|b| b.kind == kind && b.api_versions.contains(&api_version.as_str()));
        for k in [builtin, None] {
            schema::quick_agrees(k, &d.root).map_err(|e| format!("document {}: {e}", d.index))?;
        }
    }
    Ok(())
}
