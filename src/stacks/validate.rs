//! Stack validation for `paved validate`: everything [`StackSet::load`] finds, plus each
//! stack file as written against the manifest JSON Schema (`schemas/atmos-stack-manifest.json`),
//! root `metadata` keys, `backend_type` without a matching `backend`, and each component's
//! `settings.validation` JSON Schemas.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value as Json;

use super::{AtmosConfig, Instance, LoadOptions, StackSet, rules};
use crate::config::Config;
use crate::report::{Diagnostic, Report};
use crate::source::{FileSource, RelPath};
use crate::yaml::{Node, Value as YValue};

/// The stack manifest schema paved validates files against.
pub const MANIFEST_SCHEMA: &str = include_str!("../../schemas/atmos-stack-manifest.json");

/// Root `metadata` keys Atmos accepts.
const ROOT_METADATA_KEYS: &[&str] = &["labels", "tags", "custom", "enabled", "locked", "terraform_workspace_pattern"];

/// Validates the stacks of a repository when paved.yaml's `stacks.path` holds an atmos.yaml
/// (or `stacks.enabled: true`). `env` is what `!env` and `ATMOS_*` overrides see.
pub fn validate(src: &dyn FileSource, cfg: &Config, env: &BTreeMap<String, String>) -> Report {
    let mut report = Report { rules: rules::all(), ..Default::default() };
    let dir = &cfg.stacks.path;
    let has_atmos = dir.join(super::ATMOS_YAML).is_ok_and(|p| src.kind(&p).is_some());
    if cfg.stacks.enabled == Some(false) || (cfg.stacks.enabled.is_none() && !has_atmos) {
        return report;
    }
    let opts = LoadOptions {
        env: env.clone(),
        max_file_size: cfg.limits.max_file_size,
        yaml_limits: cfg.limits.yaml,
        ..LoadOptions::default()
    };
    let atmos = match AtmosConfig::load(src, dir, &opts.env, dir, opts.max_file_size) {
        Ok(a) => a,
        Err(diags) => {
            report.diagnostics = diags;
            return report;
        }
    };
    let set = StackSet::load(src, atmos, opts);
    report.diagnostics.extend(check_set(src, &set));
    report.summary.files += set.files().len();
    report
}

/// The checks on a loaded set (load diagnostics included).
pub fn check_set(src: &dyn FileSource, set: &StackSet) -> Vec<Diagnostic> {
    let mut out = set.diagnostics.clone();
    match serde_json::from_str::<Json>(MANIFEST_SCHEMA).ok().and_then(|s| jsonschema::draft202012::new(&s).ok()) {
        Some(schema) => {
            for (path, node) in set.parsed_files() {
                if let Some(node) = node {
                    check_file(&schema, path, node, &mut out);
                }
            }
        }
        None => out.push(Diagnostic::error(rules::SCHEMA, "the built-in stack manifest schema does not compile")),
    }
    let mut schemas = HashMap::new();
    for inst in set.instances().iter().filter(|i| !i.is_abstract) {
        check_backend(inst, &mut out);
        check_settings_validation(src, set, inst, &mut schemas, &mut out);
    }
    out
}

/// JSON with YAML functions as `!tag args` text, as Atmos's schema sees them.
fn tagged_json(n: &Node) -> Json {
    if let Some(tag) = n.tag.as_deref()
        && tag != "!append"
    {
        let args = match &n.value {
            YValue::String(s) => s.clone(),
            YValue::Null => String::new(),
            _ => n.to_json().to_string(),
        };
        return Json::String(super::value::func_text(tag, &args));
    }
    match &n.value {
        YValue::Seq(items) => Json::Array(items.iter().map(tagged_json).collect()),
        YValue::Map(m) => Json::Object(m.entries.iter().map(|(k, v)| (k.key_string(), tagged_json(v))).collect()),
        _ => n.to_json(),
    }
}

/// The error to report for `e`. A `oneOf`/`anyOf` failure says only that no alternative fit,
/// at the section (every section may also be an `!include` string); the deepest error among
/// the alternatives names the value that is wrong and its line.
fn deepest<'e, 'a>(e: &'e jsonschema::ValidationError<'a>) -> &'e jsonschema::ValidationError<'a> {
    use jsonschema::error::ValidationErrorKind as Kind;
    let depth = |e: &jsonschema::ValidationError<'_>| e.instance_path().as_str().matches('/').count();
    let (Kind::OneOfNotValid { context } | Kind::AnyOf { context }) = e.kind() else { return e };
    context.iter().flatten().map(|c| deepest(c)).filter(|c| depth(c) > depth(e)).max_by_key(|c| depth(c)).unwrap_or(e)
}

fn check_file(schema: &jsonschema::Validator, path: &RelPath, node: &Node, out: &mut Vec<Diagnostic>) {
    if node.is_null() {
        return;
    }
    let json = tagged_json(node);
    for top in schema.iter_errors(&json) {
        let e = deepest(&top);
        let pointer = e.instance_path().as_str().to_string();
        let span = node.key_span(&pointer).unwrap_or_else(|| node.pointer_prefix(&pointer).0.span);
        let at = if pointer.is_empty() { "the file".to_string() } else { format!("`{pointer}`") };
        out.push(
            Diagnostic::error(rules::SCHEMA, format!("{at}: {}", e.masked()))
                .in_file(path.as_str())
                .at_span(span)
                .with_help("see schemas/atmos-stack-manifest.json"),
        );
    }
    if let Some(meta) = node.get("metadata").and_then(Node::as_map) {
        for (k, _) in &meta.entries {
            let key = k.key_string();
            if !ROOT_METADATA_KEYS.contains(&key.as_str()) {
                out.push(
                    Diagnostic::error(rules::ROOT_METADATA, format!("root `metadata` may not hold `{key}`"))
                        .in_file(path.as_str())
                        .at_span(k.span)
                        .with_help(format!(
                            "allowed: {}; component metadata goes under components.<type>.<name>.metadata",
                            ROOT_METADATA_KEYS.join(", ")
                        )),
                );
            }
        }
    }
}

fn at_instance(d: Diagnostic, inst: &Instance) -> Diagnostic {
    d.in_file(inst.file.as_str()).at(inst.line, inst.column).for_entity(format!("{}/{}", inst.stack, inst.component))
}

fn check_backend(inst: &Instance, out: &mut Vec<Diagnostic>) {
    if inst.backend_missing {
        let bt = inst.backend_type.as_str();
        out.push(at_instance(
            Diagnostic::error(
                rules::BACKEND_TYPE,
                format!(
                    "component `{}` in stack `{}` has backend_type `{bt}` but no `backend.{bt}` section",
                    inst.component, inst.stack
                ),
            )
            .with_help(format!("add `backend: {{ {bt}: {{ ... }} }}` under terraform: or the component")),
            inst,
        ));
    }
}

fn check_settings_validation(
    src: &dyn FileSource,
    set: &StackSet,
    inst: &Instance,
    cache: &mut HashMap<RelPath, Result<jsonschema::Validator, String>>,
    out: &mut Vec<Diagnostic>,
) {
    if !inst.has_validation {
        return;
    }
    let full = set.section(inst);
    let Some(entries) = full.path(&["settings", "validation"]).and_then(|v| v.as_map()) else { return };
    let base = set
        .config
        .raw
        .pointer("/schemas/jsonschema/base_path")
        .and_then(Json::as_str)
        .and_then(|p| set.config.base_path.join(p).ok())
        .unwrap_or_else(|| set.config.base_path.clone());
    let mut section: Option<Json> = None;
    for (name, entry) in entries.iter() {
        if entry.get("schema_type").and_then(|v| v.as_str()) != Some("jsonschema")
            || entry.get("disabled").and_then(|v| v.as_bool()) == Some(true)
        {
            continue;
        }
        let Some(schema_path) = entry.get("schema_path").and_then(|v| v.as_str()) else { continue };
        let Some(path) = base
            .join(schema_path)
            .ok()
            .filter(|p| src.kind(p).is_some())
            .or_else(|| set.config.base_path.join(schema_path).ok())
        else {
            out.push(at_instance(
                Diagnostic::error(
                    rules::PATH_OUTSIDE,
                    format!("settings.validation.{name}: `{schema_path}` leaves the repository"),
                ),
                inst,
            ));
            continue;
        };
        let validator = cache.entry(path.clone()).or_insert_with(|| {
            let bytes = src.read(&path, 10 << 20).map_err(|e| e.to_string())?;
            let json: Json = serde_json::from_slice(&bytes).map_err(|e| format!("{path} is not JSON: {e}"))?;
            jsonschema::validator_for(&json).map_err(|e| format!("{path} is not a valid JSON Schema: {e}"))
        });
        let validator = match validator {
            Ok(v) => v,
            Err(msg) => {
                out.push(at_instance(
                    Diagnostic::error(rules::SETTINGS_VALIDATION, format!("settings.validation.{name}: {msg}")),
                    inst,
                ));
                continue;
            }
        };
        let section = section.get_or_insert_with(|| full.to_json());
        for e in validator.iter_errors(section) {
            let pointer = e.instance_path().as_str().to_string();
            let (file, line, column) = match set.origin_of(inst, &pointer) {
                Some(o) => o,
                None => (inst.file.to_string(), inst.line, inst.column),
            };
            out.push(
                Diagnostic::error(
                    rules::SETTINGS_VALIDATION,
                    format!("component `{}` in stack `{}` fails settings.validation.{name} ({schema_path}) at `{pointer}`: {}", inst.component, inst.stack, e.masked()),
                )
                .in_file(file)
                .at(line, column)
                .for_entity(format!("{}/{}", inst.stack, inst.component)),
            );
        }
    }
}

impl StackSet {
    /// The file, line and column a value of an instance's section (a JSON pointer) came from.
    pub fn origin_of(&self, inst: &Instance, pointer: &str) -> Option<(String, u32, u32)> {
        let full = self.section(inst);
        let mut v = &full;
        for seg in pointer.split('/').skip(1) {
            let seg = seg.replace("~1", "/").replace("~0", "~");
            v = match v.as_map() {
                Some(m) => m.get(seg.as_str())?,
                None => v.as_seq()?.get(seg.parse::<usize>().ok()?)?,
            };
        }
        let file = self.files().path(v.at.file)?;
        Some((file.to_string(), v.at.line, v.at.column))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema_findings(text: &str) -> Vec<Diagnostic> {
        let schema = jsonschema::draft202012::new(&serde_json::from_str::<Json>(MANIFEST_SCHEMA).unwrap()).unwrap();
        let node = crate::yaml::parse_one(text, &Default::default()).unwrap();
        let mut out = Vec::new();
        check_file(&schema, &RelPath::new("stacks/dev.yaml").unwrap(), &node, &mut out);
        out
    }

    #[test]
    fn paveds_own_settings_are_typed() {
        let component = |settings: &str| format!("components:\n  terraform:\n    vpc:\n      settings:\n{settings}");
        assert!(schema_findings(&component("        paved:\n          drift: false\n")).is_empty());
        let found = schema_findings(&component("        paved:\n          drift: \"no\"\n"));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].rule.as_str(), found[0].line), (rules::SCHEMA, 6), "{found:?}");
        let typo = schema_findings(&component("        paved:\n          drfit: false\n"));
        assert_eq!(typo.len(), 1, "{typo:?}");
        // The rest of `settings` stays open, as Atmos has it.
        assert!(schema_findings(&component("        anything: {x: 1}\n")).is_empty());
    }
}
