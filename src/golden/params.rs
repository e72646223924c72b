//! A template's parameters: Backstage's JSON Schema pages read as one schema, values checked
//! against it with every problem reported at once, typed `--set` values and schema defaults.

use std::sync::Arc;

use serde_json::{Map as JsonMap, Value as Json};

use crate::report::Diagnostic;
use crate::yaml::Node;

/// One declared parameter (a top-level property of some page).
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    /// The property's schema, `ui:*` keys removed.
    pub schema: Json,
    pub required: bool,
    pub title: Option<String>,
    pub description: Option<String>,
    pub default: Option<Json>,
    /// `enum` values, when the schema lists them.
    pub choices: Option<Vec<Json>>,
}

impl Param {
    /// The JSON type the schema asks for (`string` when unsaid).
    pub fn type_name(&self) -> &str {
        match self.schema.get("type") {
            Some(Json::String(t)) => t,
            _ => "string",
        }
    }
}

/// The parameters of a template.
#[derive(Clone)]
pub struct Parameters {
    /// `{"allOf": [page, ...]}`: each page keeps its own keywords (`required`, `if`, ...).
    pub schema: Json,
    pub params: Vec<Param>,
    validator: Arc<jsonschema::Validator>,
}

impl std::fmt::Debug for Parameters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parameters").field("params", &self.params).finish()
    }
}

const RULE_SCHEMA: &str = "golden/parameters-schema";
/// Problems with the values given for a template's parameters.
pub const RULE_VALUE: &str = "golden/parameter";

/// Drops every `ui:*` key (form hints Backstage's UI reads), recursively.
pub fn strip_ui(v: &Json) -> Json {
    match v {
        Json::Object(m) => Json::Object(
            m.iter().filter(|(k, _)| !k.starts_with("ui:")).map(|(k, v)| (k.clone(), strip_ui(v))).collect(),
        ),
        Json::Array(a) => Json::Array(a.iter().map(strip_ui).collect()),
        other => other.clone(),
    }
}

impl Parameters {
    /// Reads `spec.parameters` (absent, an object, or an array of pages).
    pub fn from_node(node: Option<&Node>, file: &str) -> Result<Parameters, Vec<Diagnostic>> {
        let at = |n: &Node, msg: String| Diagnostic::error(RULE_SCHEMA, msg).in_file(file).at_span(n.span);
        let pages: Vec<Json> = match node {
            None => Vec::new(),
            Some(n) if n.is_null() => Vec::new(),
            Some(n) => match n.to_json() {
                Json::Object(o) => vec![strip_ui(&Json::Object(o))],
                Json::Array(a) if a.iter().all(Json::is_object) => a.iter().map(strip_ui).collect(),
                _ => return Err(vec![at(n, "spec.parameters must be an object or an array of objects".into())]),
            },
        };
        let mut params: Vec<Param> = Vec::new();
        for page in &pages {
            let required: Vec<&str> =
                page.get("required").and_then(Json::as_array).into_iter().flatten().filter_map(Json::as_str).collect();
            let Some(props) = page.get("properties").and_then(Json::as_object) else { continue };
            for (name, schema) in props {
                let is_required = required.contains(&name.as_str());
                if let Some(p) = params.iter_mut().find(|p| &p.name == name) {
                    p.required |= is_required;
                    continue;
                }
                let text = |k: &str| schema.get(k).and_then(Json::as_str).map(str::to_string);
                params.push(Param {
                    name: name.clone(),
                    schema: schema.clone(),
                    required: is_required,
                    title: text("title"),
                    description: text("description"),
                    default: schema.get("default").cloned(),
                    choices: schema.get("enum").and_then(Json::as_array).cloned(),
                });
            }
        }
        let schema = if pages.is_empty() { serde_json::json!({}) } else { serde_json::json!({ "allOf": pages }) };
        let validator = jsonschema::options().offline().build(&schema).map_err(|e| {
            let msg = format!("spec.parameters is not a valid JSON Schema: {e}");
            vec![match node {
                Some(n) => at(n, msg),
                None => Diagnostic::error(RULE_SCHEMA, msg).in_file(file),
            }]
        })?;
        Ok(Parameters { schema, params, validator: Arc::new(validator) })
    }

    pub fn get(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// Fills schema defaults for parameters not given.
    pub fn with_defaults(&self, mut values: JsonMap<String, Json>) -> JsonMap<String, Json> {
        for p in &self.params {
            if let (false, Some(d)) = (values.contains_key(&p.name), &p.default) {
                values.insert(p.name.clone(), d.clone());
            }
        }
        values
    }

    /// Required parameters without a value (what a prompt asks for).
    pub fn missing<'a>(&'a self, values: &JsonMap<String, Json>) -> Vec<&'a Param> {
        self.params.iter().filter(|p| p.required && !values.contains_key(&p.name)).collect()
    }

    /// Every problem with `values`, each naming its parameter. `source` labels where the
    /// values came from (a file, or empty for the command line).
    pub fn validate(&self, values: &JsonMap<String, Json>, source: &str) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for name in values.keys() {
            if self.get(name).is_none() {
                let known: Vec<&str> = self.params.iter().map(|p| p.name.as_str()).collect();
                out.push(
                    Diagnostic::error(RULE_VALUE, format!("unknown parameter `{name}`"))
                        .in_file(source)
                        .with_help(format!("the template declares: {}", known.join(", "))),
                );
            }
        }
        let instance = Json::Object(values.clone());
        for e in self.validator.iter_errors(&instance) {
            let path = e.instance_path().to_string();
            let name = match e.kind() {
                jsonschema::error::ValidationErrorKind::Required { property } if path.is_empty() => {
                    property.as_str().unwrap_or_default().to_string()
                }
                _ => path.trim_start_matches('/').replace('/', "."),
            };
            let title = self.get(name.split('.').next().unwrap_or_default()).and_then(|p| p.title.clone());
            let mut d = Diagnostic::error(RULE_VALUE, format!("parameter `{name}`: {}", e.masked())).in_file(source);
            if let Some(t) = title {
                d = d.with_help(t);
            }
            if !out.iter().any(|o: &Diagnostic| o.message == d.message) {
                out.push(d);
            }
        }
        out
    }

    /// Types a `--set name=value` string by the parameter's schema: numbers, booleans, lists
    /// (comma-separated) and objects (JSON or YAML flow). Unparseable text stays a string,
    /// which validation then reports against the schema.
    pub fn coerce(&self, name: &str, raw: &str) -> Json {
        let Some(p) = self.get(name) else { return Json::String(raw.to_string()) };
        coerce_as(&p.schema, raw)
    }
}

fn coerce_as(schema: &Json, raw: &str) -> Json {
    let ty = schema.get("type").and_then(Json::as_str).unwrap_or("string");
    let s = || Json::String(raw.to_string());
    match ty {
        "integer" => raw.trim().parse::<i64>().map(Json::from).unwrap_or_else(|_| s()),
        "number" => {
            raw.trim().parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Json::Number).unwrap_or_else(s)
        }
        "boolean" => match raw.trim() {
            "true" | "yes" | "on" | "1" => Json::Bool(true),
            "false" | "no" | "off" | "0" => Json::Bool(false),
            _ => s(),
        },
        "array" => {
            if raw.trim_start().starts_with('[') {
                return serde_json::from_str(raw).unwrap_or_else(|_| s());
            }
            let items = schema.get("items").cloned().unwrap_or(Json::Null);
            let parts = raw.split(',').map(str::trim).filter(|p| !p.is_empty());
            Json::Array(parts.map(|p| coerce_as(&items, p)).collect())
        }
        "object" => serde_json::from_str(raw).unwrap_or_else(|_| s()),
        _ => s(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{ParseOptions, parse_one};
    use serde_json::json;

    fn params(yaml: &str) -> Parameters {
        let n = parse_one(yaml, &ParseOptions::default()).unwrap();
        Parameters::from_node(Some(&n), "t.yaml").unwrap()
    }

    const PAGES: &str = "
- title: Basics
  required: [name, owner]
  properties:
    name: {type: string, title: Name, pattern: '^[a-z][a-z0-9-]*$', ui:autofocus: true}
    owner: {type: string, ui:field: OwnerPicker}
- title: More
  required: [port]
  properties:
    port: {type: integer, default: 8080, minimum: 1024}
    stages: {type: array, items: {type: string, enum: [dev, staging, prod]}}
    public: {type: boolean}
";

    #[test]
    fn pages_merge_and_ui_keys_go() {
        let p = params(PAGES);
        let names: Vec<_> = p.params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["name", "owner", "port", "stages", "public"]);
        assert!(p.get("name").unwrap().required && !p.get("stages").unwrap().required);
        assert!(p.get("name").unwrap().schema.get("ui:autofocus").is_none());
        assert_eq!(p.get("port").unwrap().default, Some(json!(8080)));
    }

    #[test]
    fn all_errors_at_once_naming_parameters() {
        let p = params(PAGES);
        let mut v = JsonMap::new();
        v.insert("name".into(), json!("Bad Name"));
        v.insert("port".into(), json!(80));
        v.insert("stages".into(), json!(["dev", "qa"]));
        v.insert("nmae".into(), json!("typo"));
        let diags = p.validate(&v, "");
        let msgs: Vec<_> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(diags.len(), 5, "{msgs:#?}");
        assert!(msgs.iter().any(|m| m.starts_with("unknown parameter `nmae`")));
        assert!(msgs.iter().any(|m| m.starts_with("parameter `name`:") && m.contains("does not match")));
        assert!(msgs.iter().any(|m| m.starts_with("parameter `owner`:")));
        assert!(msgs.iter().any(|m| m.starts_with("parameter `port`:")));
        assert!(msgs.iter().any(|m| m.starts_with("parameter `stages.1`:")));
        let good = p.with_defaults(
            [("name".to_string(), json!("ok")), ("owner".to_string(), json!("group:a"))].into_iter().collect(),
        );
        assert!(p.validate(&good, "").is_empty());
        assert_eq!(good["port"], json!(8080));
    }

    #[test]
    fn set_values_are_typed_by_schema() {
        let p = params(PAGES);
        assert_eq!(p.coerce("port", "9000"), json!(9000));
        assert_eq!(p.coerce("port", "x"), json!("x"));
        assert_eq!(p.coerce("public", "yes"), json!(true));
        assert_eq!(p.coerce("stages", "dev, prod"), json!(["dev", "prod"]));
        assert_eq!(p.coerce("stages", "[\"dev\"]"), json!(["dev"]));
        assert_eq!(p.coerce("name", "42"), json!("42"));
    }

    #[test]
    fn bad_schemas_are_template_errors() {
        let n = parse_one("properties: {a: {type: 12}}", &ParseOptions::default()).unwrap();
        let e = Parameters::from_node(Some(&n), "t.yaml").unwrap_err();
        assert_eq!(e[0].rule, RULE_SCHEMA);
        let n = parse_one("[1, 2]", &ParseOptions::default()).unwrap();
        assert!(Parameters::from_node(Some(&n), "t.yaml").is_err());
        // Remote and file references are never fetched.
        let n = parse_one("properties: {a: {$ref: 'file:///etc/passwd'}}", &ParseOptions::default()).unwrap();
        assert!(Parameters::from_node(Some(&n), "t.yaml").is_err());
    }
}
