//! Stack names: the manifest's `name:`, else `stacks.name_template`, else
//! `stacks.name_pattern`, else the manifest's path under the stacks folder without extension.

use serde_json::Value as Json;

use super::config::AtmosConfig;
use super::value::Val;
use crate::gotemplate::{MissingKey, Options, Template};

/// Where a stack's name came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameSource {
    Manifest,
    Template,
    Pattern,
    FilePath,
}

/// The manifest path relative to the stacks folder, without its extension
/// (`orgs/acme/plat/dev/us-east-2`).
pub fn stack_file_name(rel: &str) -> String {
    for ext in [".yaml.tmpl", ".yml.tmpl", ".yaml", ".yml", ".tmpl", ".json"] {
        if let Some(s) = rel.strip_suffix(ext) {
            return s.to_string();
        }
    }
    rel.to_string()
}

/// `name_pattern`: `{namespace}`, `{tenant}`, `{environment}`, `{stage}` from `vars`, joined
/// with `-`. `None` when a var the pattern needs is missing.
pub fn from_pattern(pattern: &str, vars: &Val) -> Option<String> {
    let mut parts = Vec::new();
    for part in pattern.split('-') {
        let key = match part {
            "{namespace}" => "namespace",
            "{tenant}" => "tenant",
            "{environment}" => "environment",
            "{stage}" => "stage",
            _ => continue,
        };
        let v = vars.get(key)?;
        let text = match v.to_json() {
            Json::String(s) => s,
            Json::Null => return None,
            other => other.to_string(),
        };
        if text.is_empty() {
            return None;
        }
        parts.push(text);
    }
    (!parts.is_empty()).then(|| parts.join("-"))
}

/// A parsed `name_template`, reused for every component.
pub struct Namer {
    template: Option<Template>,
    pattern: String,
    pub env: Options,
}

impl Namer {
    pub fn new(cfg: &AtmosConfig, env: Options) -> Result<Namer, crate::gotemplate::Error> {
        let template = if cfg.name_template.is_empty() {
            None
        } else {
            Some(Template::parse("name_template", &cfg.name_template)?)
        };
        Ok(Namer { template, pattern: cfg.name_pattern.clone(), env })
    }

    /// The stack name of one component section in a manifest.
    pub fn name(&self, explicit: Option<&str>, section: &Val, file_name: &str) -> (String, NameSource) {
        if let Some(n) = explicit.filter(|n| !n.is_empty()) {
            return (n.to_string(), NameSource::Manifest);
        }
        let vars = section.get("vars").cloned().unwrap_or_else(Val::empty_map);
        if let Some(t) = &self.template {
            let mut data = serde_json::Map::new();
            for key in ["vars", "settings", "env", "metadata"] {
                if let Some(v) = section.get(key) {
                    data.insert(key.to_string(), v.to_json());
                }
            }
            return match t.execute_with(&Json::Object(data), &self.env, MissingKey::Error) {
                Ok(n) if !n.trim().is_empty() && !n.contains("<no value>") => (n, NameSource::Template),
                _ => (file_name.to_string(), NameSource::FilePath),
            };
        }
        if !self.pattern.is_empty() {
            return match from_pattern(&self.pattern, &vars) {
                Some(n) => (n, NameSource::Pattern),
                None => (file_name.to_string(), NameSource::FilePath),
            };
        }
        (file_name.to_string(), NameSource::FilePath)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_and_file_names() {
        let mut vars = Val::empty_map();
        vars.set("tenant", Val::str("plat"));
        vars.set("stage", Val::str("dev"));
        assert_eq!(from_pattern("{tenant}-{stage}", &vars).as_deref(), Some("plat-dev"));
        assert_eq!(from_pattern("{tenant}-{environment}-{stage}", &vars), None);
        assert_eq!(stack_file_name("orgs/a/dev.yaml"), "orgs/a/dev");
        assert_eq!(stack_file_name("orgs/a/dev.yaml.tmpl"), "orgs/a/dev");
    }
}
