//! Atmos-style policies: a component's `settings.validation` entries with `schema_type: opa`,
//! evaluated as Atmos does (query `data.atmos.errors`, input = the describe output, `timeout`
//! in seconds, `*_test.rego` excluded from `module_paths`), without the atmos binary.

use std::collections::BTreeMap;
use std::time::Duration;

use rayon::prelude::*;
use serde_json::Value as Json;

use super::compile::{PolicySet, short};
use super::data::InstanceInput;
use super::eval::timer;
use super::files::{PolicyFile, collect};
use super::rules;
use crate::report::Diagnostic;
use crate::source::{FileSource, RelPath};

/// The rule id of the messages in `data.atmos.errors`.
pub const RULE: &str = "policy/atmos/errors";

/// Atmos's default `timeout` for a validation step.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// One `settings.validation` entry of `schema_type: opa`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validation {
    pub name: String,
    pub schema_path: String,
    pub module_paths: Vec<String>,
    pub timeout: Duration,
}

/// The enabled OPA validation steps of one describe output, in name order.
pub fn validations(describe: &Json) -> Vec<Validation> {
    let Some(entries) = describe.pointer("/settings/validation").and_then(Json::as_object) else {
        return Vec::new();
    };
    let mut out: Vec<Validation> = entries
        .iter()
        .filter(|(_, v)| v.get("schema_type").and_then(Json::as_str) == Some("opa"))
        .filter(|(_, v)| v.get("disabled").and_then(Json::as_bool) != Some(true))
        .filter_map(|(name, v)| {
            Some(Validation {
                name: name.clone(),
                schema_path: v.get("schema_path")?.as_str()?.to_string(),
                module_paths: v
                    .get("module_paths")
                    .and_then(Json::as_array)
                    .map(|a| a.iter().filter_map(Json::as_str).map(String::from).collect())
                    .unwrap_or_default(),
                timeout: v
                    .get("timeout")
                    .and_then(Json::as_f64)
                    .filter(|s| *s > 0.0 && *s < 86_400.0)
                    .map_or(DEFAULT_TIMEOUT, Duration::from_secs_f64),
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

type Key = (String, Vec<String>);

/// Evaluates the Atmos OPA validations of every instance. Each distinct policy (schema path
/// plus module paths) is compiled once; `opa_base` is atmos.yaml's `schemas.opa.base_path`.
pub fn check(src: &dyn FileSource, opa_base: &RelPath, instances: &[InstanceInput]) -> Vec<Diagnostic> {
    let mut keys: BTreeMap<Key, ()> = BTreeMap::new();
    let steps: Vec<Vec<Validation>> = instances.iter().map(|i| validations(&i.describe)).collect();
    for v in steps.iter().flatten() {
        keys.insert((v.schema_path.clone(), v.module_paths.clone()), ());
    }
    let mut out = Vec::new();
    let mut compiled: BTreeMap<Key, Option<PolicySet>> = BTreeMap::new();
    for key in keys.into_keys() {
        let (set, diags) = compile_key(src, opa_base, &key);
        out.extend(diags);
        compiled.insert(key, set);
    }
    let found: Vec<Diagnostic> = instances
        .par_iter()
        .zip(steps.par_iter())
        .flat_map_iter(|(inst, steps)| {
            let mut diags = Vec::new();
            for v in steps {
                let key = (v.schema_path.clone(), v.module_paths.clone());
                if let Some(Some(set)) = compiled.get(&key) {
                    diags.extend(eval(set, inst, v));
                }
            }
            diags
        })
        .collect();
    out.extend(found);
    out
}

fn resolve(opa_base: &RelPath, path: &str) -> Result<RelPath, String> {
    if path.starts_with('/') {
        return Err(format!("`{path}` is absolute; paved reads policies from the repository only"));
    }
    opa_base.join(path).map_err(|e| e.to_string())
}

fn compile_key(src: &dyn FileSource, opa_base: &RelPath, key: &Key) -> (Option<PolicySet>, Vec<Diagnostic>) {
    let mut paths = Vec::new();
    let mut diags = Vec::new();
    for p in std::iter::once(&key.0).chain(&key.1) {
        match resolve(opa_base, p) {
            Ok(rel) => paths.push(rel),
            Err(e) => diags.push(Diagnostic::error(rules::MISSING, format!("settings.validation: {e}"))),
        }
    }
    let (files, d) = collect(src, &paths, true, false);
    diags.extend(d);
    if files.is_empty() {
        return (None, diags);
    }
    let files: Vec<PolicyFile> = files;
    let (set, d) = PolicySet::compile(&files);
    // Atmos fails a validation whose policy does not compile; so does paved (once, here).
    let ok = d.is_empty();
    diags.extend(d);
    (ok.then_some(set), diags)
}

fn eval(set: &PolicySet, inst: &InstanceInput, v: &Validation) -> Vec<Diagnostic> {
    let at = |d: Diagnostic| d.in_file(inst.file.clone()).at_span(inst.span).for_entity(inst.target());
    let mut engine = set.engine().clone();
    engine.set_execution_timer_config(timer(v.timeout));
    engine.set_input(regorus::Value::from(inst.describe.clone()));
    let value = match engine.eval_rule("data.atmos.errors".into()) {
        Ok(v) => v,
        Err(e) => {
            let text = e.to_string();
            let (rule, what) = if text.contains("time limit") || text.contains("TimeLimit") {
                (rules::TIMEOUT, format!("took longer than {:?}", v.timeout))
            } else {
                (rules::EVAL_ERROR, format!("failed: {}", short(&text)))
            };
            return vec![at(Diagnostic::error(rule, format!("validation `{}` ({}) {what}", v.name, v.schema_path)))];
        }
    };
    let json = match value {
        regorus::Value::Undefined => return Vec::new(),
        other => serde_json::to_value(&other).unwrap_or(Json::Null),
    };
    let items = match json {
        Json::Array(items) => items,
        Json::Null => Vec::new(),
        other => vec![other],
    };
    items
        .into_iter()
        .map(|item| match item {
            Json::String(msg) => {
                at(Diagnostic::error(RULE, msg).with_help(format!("from validation `{}` ({})", v.name, v.schema_path)))
            }
            other => at(Diagnostic::error(
                rules::BAD_MESSAGE,
                format!("validation `{}`: `errors` must hold strings, not {other}", v.name),
            )),
        })
        .collect()
}

#[cfg(test)]
mod tests;
