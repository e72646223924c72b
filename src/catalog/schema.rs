//! The JSON Schemas of the nine built-in kinds (`schemas/catalog/`), compiled once, and the
//! translation of their errors into paved's terms (a JSON pointer and what is wrong there).

use std::sync::OnceLock;

use jsonschema::{Retrieve, Uri, ValidationError, Validator, error::ValidationErrorKind};
use serde_json::Value as Json;

use super::quick::{self, Verdict};
use crate::yaml::Node;

/// Where the schemas pretend to live; relative `$ref`s (`entity.schema.json`) resolve here and
/// are answered from the embedded copies, never from the network or the disk.
const BASE: &str = "https://paved.invalid/schemas/catalog/";

/// The embedded schema files: (file name, text).
pub const FILES: &[(&str, &str)] = &[
    ("entity.schema.json", include_str!("../../schemas/catalog/entity.schema.json")),
    ("component.schema.json", include_str!("../../schemas/catalog/component.schema.json")),
    ("api.schema.json", include_str!("../../schemas/catalog/api.schema.json")),
    ("resource.schema.json", include_str!("../../schemas/catalog/resource.schema.json")),
    ("system.schema.json", include_str!("../../schemas/catalog/system.schema.json")),
    ("domain.schema.json", include_str!("../../schemas/catalog/domain.schema.json")),
    ("group.schema.json", include_str!("../../schemas/catalog/group.schema.json")),
    ("user.schema.json", include_str!("../../schemas/catalog/user.schema.json")),
    ("location.schema.json", include_str!("../../schemas/catalog/location.schema.json")),
    ("template.schema.json", include_str!("../../schemas/catalog/template.schema.json")),
];

/// A built-in kind: its name, accepted apiVersions and schema file.
pub struct BuiltinKind {
    pub kind: &'static str,
    pub api_versions: &'static [&'static str],
    pub file: &'static str,
}

const BACKSTAGE: &[&str] = &["backstage.io/v1alpha1", "backstage.io/v1beta1"];

pub const BUILTIN: &[BuiltinKind] = &[
    BuiltinKind { kind: "Component", api_versions: BACKSTAGE, file: "component.schema.json" },
    BuiltinKind { kind: "API", api_versions: BACKSTAGE, file: "api.schema.json" },
    BuiltinKind { kind: "Resource", api_versions: BACKSTAGE, file: "resource.schema.json" },
    BuiltinKind { kind: "System", api_versions: BACKSTAGE, file: "system.schema.json" },
    BuiltinKind { kind: "Domain", api_versions: BACKSTAGE, file: "domain.schema.json" },
    BuiltinKind { kind: "Group", api_versions: BACKSTAGE, file: "group.schema.json" },
    BuiltinKind { kind: "User", api_versions: BACKSTAGE, file: "user.schema.json" },
    BuiltinKind { kind: "Location", api_versions: BACKSTAGE, file: "location.schema.json" },
    BuiltinKind { kind: "Template", api_versions: &["scaffolder.backstage.io/v1beta3"], file: "template.schema.json" },
];

/// Serves the embedded schema files by name.
struct Embedded;

impl Retrieve for Embedded {
    fn retrieve(&self, uri: &Uri<String>) -> Result<Json, Box<dyn std::error::Error + Send + Sync>> {
        let path = uri.path().as_str();
        let name = path.rsplit('/').next().unwrap_or(path);
        let text = FILES.iter().find(|(f, _)| *f == name).map(|(_, t)| *t).ok_or_else(|| format!("no schema {uri}"))?;
        Ok(serde_json::from_str(text)?)
    }
}

/// Compiles a schema whose relative references resolve to the embedded files.
pub fn compile(schema: &Json) -> Result<Validator, String> {
    jsonschema::options().with_base_uri(BASE).with_retriever(Embedded).build(schema).map_err(|e| e.to_string())
}

/// The compiled built-in schemas: `entity` (envelope and metadata only) and one per kind, in
/// [`BUILTIN`] order.
pub struct Compiled {
    pub entity: Validator,
    pub kinds: Vec<Validator>,
}

/// The parsed schema files, for the quick check.
struct Parsed(Vec<(&'static str, Json)>);

impl quick::Documents for Parsed {
    fn document(&self, name: &str) -> Option<&Json> {
        // Ten files: a scan beats hashing the name.
        self.0.iter().find(|(f, _)| *f == name).map(|(_, j)| j)
    }
}

fn parsed() -> &'static Parsed {
    static P: OnceLock<Parsed> = OnceLock::new();
    P.get_or_init(|| {
        Parsed(
            FILES
                .iter()
                .map(|(f, t)| (*f, serde_json::from_str(t).expect("embedded schemas are JSON (tested)")))
                .collect(),
        )
    })
}

/// The quick checker for every embedded file, compiled once.
fn quick_checker() -> &'static quick::Compiled {
    static Q: OnceLock<quick::Compiled> = OnceLock::new();
    Q.get_or_init(|| {
        let names: Vec<&str> = FILES.iter().map(|(f, _)| *f).collect();
        quick::Compiled::new(parsed(), &names)
    })
}

/// Compiled on first use (only an entity the quick check cannot vouch for needs them), shared
/// by every thread.
pub fn builtin() -> &'static Compiled {
    static C: OnceLock<Compiled> = OnceLock::new();
    C.get_or_init(|| {
        let docs = parsed();
        let load = |name: &str| {
            let json = quick::Documents::document(docs, name).expect("embedded schema");
            compile(json).expect("embedded schemas compile (tested)")
        };
        Compiled { entity: load(ENTITY), kinds: BUILTIN.iter().map(|k| load(k.file)).collect() }
    })
}

const ENTITY: &str = "entity.schema.json";

/// Every violation of a built-in schema by the entity `node`: kind `Some(i)` of [`BUILTIN`], or
/// `None` for the envelope and metadata only. Valid entities (nearly all) are recognised on the
/// YAML tree; only the others are converted to JSON for `jsonschema`.
pub fn builtin_issues(kind: Option<usize>, node: &Node) -> Vec<Issue> {
    let file = kind.map_or(ENTITY, |i| BUILTIN[i].file);
    if quick_checker().check(file, node) == Verdict::Valid {
        return Vec::new();
    }
    let c = builtin();
    let validator = kind.map_or(&c.entity, |i| &c.kinds[i]);
    issues(validator, &node.to_json())
}

/// Whether the quick check and `jsonschema` agree on `node` for the built-in schema `kind`
/// (as in [`builtin_issues`]): the quick check may only call valid what has no issue.
pub fn quick_agrees(kind: Option<usize>, node: &Node) -> Result<(), String> {
    let c = builtin();
    let (file, validator) = match kind {
        Some(i) => (BUILTIN[i].file, &c.kinds[i]),
        None => (ENTITY, &c.entity),
    };
    let verdict = quick_checker().check(file, node);
    let found = issues(validator, &node.to_json());
    match verdict {
        Verdict::Valid if !found.is_empty() => Err(format!("quick check says valid; jsonschema found {found:?}")),
        Verdict::Invalid if validator.is_valid(&node.to_json()) => {
            Err("quick check says invalid; jsonschema found it valid".into())
        }
        _ => Ok(()),
    }
}

/// One schema violation: where (a JSON pointer into the entity) and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub pointer: String,
    pub what: IssueKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum IssueKind {
    /// A required property is missing from the mapping at `pointer`.
    Required(String),
    /// Properties the mapping at `pointer` must not have.
    Unexpected(Vec<String>),
    /// Anything else, as a sentence.
    Invalid(String),
}

/// Every violation of `validator` by `instance`, skipping the name, namespace and tag format
/// checks that paved's own format rules report with Backstage's exact semantics.
pub fn issues(validator: &Validator, instance: &Json) -> Vec<Issue> {
    if validator.is_valid(instance) {
        return Vec::new();
    }
    validator.iter_errors(instance).filter_map(|e| issue(&e)).collect()
}

fn issue(e: &ValidationError<'_>) -> Option<Issue> {
    let pointer = e.instance_path().to_string();
    let what = match e.kind() {
        ValidationErrorKind::Required { property } => {
            IssueKind::Required(property.as_str().map_or_else(|| property.to_string(), str::to_owned))
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => IssueKind::Unexpected(unexpected.clone()),
        ValidationErrorKind::Pattern { .. } | ValidationErrorKind::MaxLength { .. }
            if pointer.starts_with("/metadata/") =>
        {
            return None;
        }
        ValidationErrorKind::Type { kind } => {
            let found = type_name(e.instance());
            IssueKind::Invalid(format!("must be {}, found {found}", expected_type(&format!("{kind:?}"))))
        }
        ValidationErrorKind::MinLength { limit: 1 } => IssueKind::Invalid("must not be empty".into()),
        _ => IssueKind::Invalid(e.masked().to_string()),
    };
    Some(Issue { pointer, what })
}

fn type_name(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "a mapping",
    }
}

/// `Single(String)` → "a string"; `Multiple(...)` → the names joined.
fn expected_type(debug: &str) -> String {
    let mut names = Vec::new();
    for (word, name) in [
        ("String", "a string"),
        ("Object", "a mapping"),
        ("Array", "a list"),
        ("Boolean", "a boolean"),
        ("Number", "a number"),
        ("Integer", "an integer"),
        ("Null", "null"),
    ] {
        if debug.contains(word) {
            names.push(name);
        }
    }
    if names.is_empty() { debug.to_string() } else { names.join(" or ") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_embedded_schema_compiles() {
        let c = builtin();
        assert_eq!(c.kinds.len(), BUILTIN.len());
    }

    #[test]
    fn reports_missing_and_wrong_types() {
        let c = builtin();
        let e = json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": {"name": "x"},
            "spec": {"type": "service", "lifecycle": "production", "providesApis": "a"}});
        let got = issues(&c.kinds[0], &e);
        assert!(got.contains(&Issue { pointer: "/spec".into(), what: IssueKind::Required("owner".into()) }), "{got:?}");
        assert!(got.iter().any(|i| i.pointer == "/spec/providesApis"), "{got:?}");
        let e = json!({"apiVersion": "v1", "kind": "X", "metadata": {"name": "x y"}, "status": {}});
        let got = issues(&c.entity, &e);
        assert_eq!(got, vec![Issue { pointer: "".into(), what: IssueKind::Unexpected(vec!["status".into()]) }]);
    }
}
