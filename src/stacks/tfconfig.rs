//! `component_info.terraform_config`: a Terraform module's interface as Atmos prints it
//! (HashiCorp's terraform-config-inspect shape): variables, outputs, required Terraform and
//! provider versions, provider configurations, resources and module calls, each with the file
//! and line it is declared at. Read from the folder's `.tf` files without evaluating anything:
//! a `default` that is not a literal is printed as `null` and named in `diagnostics`.

use serde_json::{Map, Value as Json, json};

use super::hcl::{self, Attr, Block, Body};
use super::tfvars;
use crate::source::{EntryKind, FileSource, RelPath};

/// The largest `.tf` file read.
const MAX_TF_FILE: u64 = 4 << 20;

/// Inspects the module in `folder` (its `.tf` files, in name order; `.tf.json` and
/// `_override.tf` files are not read). `None` when the folder has no `.tf` file. `show`
/// turns a repository path into the one printed (Atmos prints absolute paths).
pub fn inspect(src: &dyn FileSource, folder: &RelPath, show: &dyn Fn(&str) -> String) -> Option<Json> {
    let mut files: Vec<RelPath> = src
        .list(folder)
        .ok()?
        .into_iter()
        .filter(|e| e.kind == EntryKind::File)
        .map(|e| e.path)
        .filter(|p| {
            let n = p.as_str().rsplit('/').next().unwrap_or("");
            n.ends_with(".tf") && !n.ends_with("_override.tf") && n != "override.tf"
        })
        .collect();
    if files.is_empty() {
        return None;
    }
    files.sort();
    let mut texts = Vec::new();
    for f in files {
        let text = src.read(&f, MAX_TF_FILE).map(|b| String::from_utf8_lossy(&b).into_owned());
        texts.push((show(f.as_str()), text.map_err(|e| e.to_string())));
    }
    Some(inspect_texts(&show(folder.as_str()), &texts))
}

/// [`inspect`] over file texts (pure): `(path, text or read error)`.
pub fn inspect_texts(folder: &str, files: &[(String, Result<String, String>)]) -> Json {
    let mut m = Module::default();
    for (path, text) in files {
        match text {
            Ok(text) => match hcl::parse(text) {
                Ok(body) => m.add_file(path, &body),
                Err(e) => m.diag(path, e.line, &format!("cannot parse: {}", e.message)),
            },
            Err(e) => m.diag(path, 0, e),
        }
    }
    let mut out = Map::new();
    out.insert("path".into(), json!(folder));
    out.insert("variables".into(), Json::Object(m.variables));
    out.insert("outputs".into(), Json::Object(m.outputs));
    if !m.required_core.is_empty() {
        out.insert("required_core".into(), json!(m.required_core));
    }
    out.insert("required_providers".into(), Json::Object(m.required_providers));
    if !m.provider_configs.is_empty() {
        out.insert("provider_configs".into(), Json::Object(m.provider_configs));
    }
    out.insert("managed_resources".into(), Json::Object(m.managed));
    out.insert("data_resources".into(), Json::Object(m.data));
    out.insert("module_calls".into(), Json::Object(m.modules));
    if !m.diagnostics.is_empty() {
        out.insert("diagnostics".into(), Json::Array(m.diagnostics));
    }
    Json::Object(out)
}

#[derive(Default)]
struct Module {
    variables: Map<String, Json>,
    outputs: Map<String, Json>,
    required_core: Vec<String>,
    required_providers: Map<String, Json>,
    provider_configs: Map<String, Json>,
    managed: Map<String, Json>,
    data: Map<String, Json>,
    modules: Map<String, Json>,
    diagnostics: Vec<Json>,
}

fn pos(file: &str, line: u32) -> Json {
    json!({"filename": file, "line": line})
}

/// A literal attribute value: strings (quoted or heredoc), numbers, booleans, lists, objects.
fn literal(a: &Attr) -> Option<Json> {
    if let Some(text) = hcl::heredoc_text(&a.expr) {
        return Some(Json::String(text));
    }
    tfvars::parse_value(&a.expr).ok()
}

fn string_attr(body: &Body, name: &str) -> Option<String> {
    body.attr(name).and_then(literal).and_then(|v| v.as_str().map(str::to_owned))
}

impl Module {
    fn diag(&mut self, file: &str, line: u32, summary: &str) {
        self.diagnostics.push(json!({"severity": "error", "summary": summary, "pos": pos(file, line)}));
    }

    fn add_file(&mut self, file: &str, body: &Body) {
        for b in &body.blocks {
            match (b.kind.as_str(), b.labels.as_slice()) {
                ("variable", [name]) => self.variable(file, b, name),
                ("output", [name]) => {
                    let mut o = Map::new();
                    o.insert("name".into(), json!(name));
                    if let Some(d) = string_attr(&b.body, "description").filter(|d| !d.is_empty()) {
                        o.insert("description".into(), json!(d));
                    }
                    if b.body.attr("sensitive").and_then(literal) == Some(Json::Bool(true)) {
                        o.insert("sensitive".into(), json!(true));
                    }
                    o.insert("pos".into(), pos(file, b.line));
                    self.outputs.insert(name.clone(), Json::Object(o));
                }
                ("terraform", []) => self.terraform(&b.body),
                ("provider", [name]) => {
                    let alias = string_attr(&b.body, "alias");
                    let key = alias.as_ref().map_or_else(|| name.clone(), |a| format!("{name}.{a}"));
                    let mut c = Map::new();
                    c.insert("name".into(), json!(name));
                    if let Some(a) = alias {
                        c.insert("alias".into(), json!(a));
                    }
                    self.provider_configs.insert(key, Json::Object(c));
                    self.required_providers.entry(name.clone()).or_insert_with(|| json!({}));
                }
                ("resource", [ty, name]) => self.resource(file, b, "managed", ty, name),
                ("data", [ty, name]) => self.resource(file, b, "data", ty, name),
                ("module", [name]) => {
                    let mut c = Map::new();
                    c.insert("name".into(), json!(name));
                    c.insert("source".into(), json!(string_attr(&b.body, "source").unwrap_or_default()));
                    if let Some(v) = string_attr(&b.body, "version").filter(|v| !v.is_empty()) {
                        c.insert("version".into(), json!(v));
                    }
                    c.insert("pos".into(), pos(file, b.line));
                    self.modules.insert(name.clone(), Json::Object(c));
                }
                _ => {}
            }
        }
    }

    fn variable(&mut self, file: &str, b: &Block, name: &str) {
        let mut v = Map::new();
        v.insert("name".into(), json!(name));
        if let Some(t) = b.body.attr("type") {
            v.insert("type".into(), json!(t.expr));
        }
        if let Some(d) = string_attr(&b.body, "description").filter(|d| !d.is_empty()) {
            v.insert("description".into(), json!(d));
        }
        let default = b.body.attr("default").map(|a| {
            literal(a).unwrap_or_else(|| {
                self.diag(file, a.line, &format!("variable `{name}`: the default is not a literal value"));
                Json::Null
            })
        });
        v.insert("default".into(), default.clone().unwrap_or(Json::Null));
        v.insert("required".into(), json!(default.is_none()));
        if b.body.attr("sensitive").and_then(literal) == Some(Json::Bool(true)) {
            v.insert("sensitive".into(), json!(true));
        }
        v.insert("pos".into(), pos(file, b.line));
        self.variables.insert(name.to_string(), Json::Object(v));
    }

    fn terraform(&mut self, body: &Body) {
        if let Some(v) = string_attr(body, "required_version") {
            self.required_core.push(v);
        }
        for rp in body.blocks.iter().filter(|b| b.kind == "required_providers") {
            for a in &rp.body.attrs {
                let entry = self.required_providers.entry(a.name.clone()).or_insert_with(|| json!({}));
                let (source, version) = match literal(a) {
                    Some(Json::String(v)) => (None, Some(v)),
                    Some(Json::Object(o)) => (
                        o.get("source").and_then(Json::as_str).map(str::to_owned),
                        o.get("version").and_then(Json::as_str).map(str::to_owned),
                    ),
                    _ => (None, None),
                };
                if let Some(s) = source {
                    entry["source"] = json!(s);
                }
                if let Some(v) = version {
                    let list = entry.as_object_mut().map(|o| o.entry("version_constraints").or_insert(json!([])));
                    if let Some(Json::Array(l)) = list {
                        l.push(json!(v));
                    }
                }
            }
        }
    }

    fn resource(&mut self, file: &str, b: &Block, mode: &str, ty: &str, name: &str) {
        // The provider is the `provider` reference (`aws.west`), else the type's prefix.
        let (provider, alias) = match b.body.attr("provider") {
            Some(a) => match a.expr.split_once('.') {
                Some((p, al)) => (p.to_string(), Some(al.to_string())),
                None => (a.expr.clone(), None),
            },
            None => (ty.split('_').next().unwrap_or(ty).to_string(), None),
        };
        let mut pref = Map::new();
        pref.insert("name".into(), json!(provider));
        if let Some(a) = alias {
            pref.insert("alias".into(), json!(a));
        }
        self.required_providers.entry(provider).or_insert_with(|| json!({}));
        let r = json!({"mode": mode, "type": ty, "name": name, "provider": pref, "pos": pos(file, b.line)});
        if mode == "data" {
            self.data.insert(format!("data.{ty}.{name}"), r);
        } else {
            self.managed.insert(format!("{ty}.{name}"), r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(p: &str, t: &str) -> (String, Result<String, String>) {
        (p.to_string(), Ok(t.to_string()))
    }

    #[test]
    fn module_interface() {
        let files = [
            ok(
                "m/main.tf",
                "terraform {\n  required_version = \">= 1.0\"\n  required_providers {\n    null = {\n      source  = \"hashicorp/null\"\n      version = \"~> 3.2\"\n    }\n    aws = \"~> 5.0\"\n  }\n}\n\nresource \"null_resource\" \"vpc\" {\n  triggers = { a = var.a }\n}\ndata \"aws_caller_identity\" \"me\" {\n  provider = aws.west\n}\nmodule \"label\" {\n  source  = \"cloudposse/label/null\"\n  version = \"0.25.0\"\n}\n",
            ),
            ok(
                "m/variables.tf",
                "variable \"a\" {\n  description = \"A\"\n  type        = string\n}\n\nvariable \"tags\" {\n  type    = map(string)\n  default = {}\n}\nvariable \"x\" {\n  default = var.y\n}\noutput \"o\" {\n  value = var.a\n}\n",
            ),
        ];
        let m = inspect_texts("m", &files);
        assert_eq!(
            m["variables"]["a"],
            json!({"name": "a", "type": "string", "description": "A", "default": null, "required": true, "pos": {"filename": "m/variables.tf", "line": 1}})
        );
        assert_eq!(m["variables"]["tags"]["default"], json!({}));
        assert_eq!(m["variables"]["tags"]["required"], json!(false));
        assert_eq!(m["outputs"]["o"], json!({"name": "o", "pos": {"filename": "m/variables.tf", "line": 13}}));
        assert_eq!(m["required_core"], json!([">= 1.0"]));
        assert_eq!(
            m["required_providers"]["null"],
            json!({"source": "hashicorp/null", "version_constraints": ["~> 3.2"]})
        );
        assert_eq!(m["required_providers"]["aws"], json!({"version_constraints": ["~> 5.0"]}));
        assert_eq!(m["managed_resources"]["null_resource.vpc"]["provider"], json!({"name": "null"}));
        assert_eq!(m["managed_resources"]["null_resource.vpc"]["pos"]["line"], json!(12));
        assert_eq!(
            m["data_resources"]["data.aws_caller_identity.me"]["provider"],
            json!({"name": "aws", "alias": "west"})
        );
        assert_eq!(m["module_calls"]["label"]["version"], json!("0.25.0"));
        assert_eq!(m["diagnostics"][0]["pos"]["line"], json!(11));
    }

    #[test]
    fn broken_files_are_diagnostics() {
        let m = inspect_texts("m", &[ok("m/a.tf", "variable \"a\" {"), ("m/b.tf".into(), Err("too large".into()))]);
        assert_eq!(m["diagnostics"].as_array().map(Vec::len), Some(2));
        assert_eq!(m["variables"], json!({}));
    }
}
