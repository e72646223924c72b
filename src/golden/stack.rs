//! `paved:stack-component`: adds or updates an Atmos component instance in a stack manifest,
//! editing the file's text so its comments and key order survive.
//!
//! Inputs: `stack` (the manifest path from the repository root), `component`, `type`
//! (`terraform` by default), the sections to set (`vars`, `settings`, `env`, `metadata`,
//! `backend`, `backend_type`, `providers`, `hooks`, `dependencies`, `command`) and `imports`
//! to make sure the manifest imports. A mapping section is merged key by key; a missing
//! manifest is created.

use serde_json::Value as Json;

use super::edit;
use crate::source::RelPath;

/// The sections of a component instance the action sets.
pub const SECTIONS: &[&str] = &[
    "metadata",
    "vars",
    "settings",
    "env",
    "backend",
    "backend_type",
    "providers",
    "hooks",
    "dependencies",
    "command",
];

/// The checked inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct StackInput {
    pub stack: RelPath,
    pub component: String,
    pub kind: String,
    pub sections: Vec<(String, Json)>,
    pub imports: Vec<String>,
}

impl StackInput {
    pub fn from_json(input: &Json) -> Result<StackInput, String> {
        let text = |k: &str| input.get(k).and_then(Json::as_str).filter(|s| !s.is_empty());
        let stack = text("stack").ok_or("`stack` must be a path")?;
        let stack = RelPath::new(stack).map_err(|e| format!("`stack`: {e}"))?;
        if stack.is_root() || !(stack.as_str().ends_with(".yaml") || stack.as_str().ends_with(".yml")) {
            return Err(format!("`stack` must name a .yaml file, not `{stack}`"));
        }
        let component = text("component").ok_or("`component` must be a non-empty string")?.to_string();
        if !component.chars().all(|c| c.is_ascii_alphanumeric() || "/-_{}. ".contains(c)) {
            return Err(format!("`{component}` is not an Atmos component name"));
        }
        let kind = text("type").unwrap_or("terraform").to_string();
        if !matches!(kind.as_str(), "terraform" | "helmfile" | "packer") {
            return Err(format!("`type` must be terraform, helmfile or packer, not `{kind}`"));
        }
        let sections = SECTIONS.iter().filter_map(|s| input.get(*s).map(|v| (s.to_string(), v.clone()))).collect();
        let imports = match input.get("imports") {
            None | Some(Json::Null) => Vec::new(),
            Some(Json::Array(a)) => a
                .iter()
                .map(|v| v.as_str().map(str::to_string).ok_or("`imports` must be strings"))
                .collect::<Result<_, _>>()?,
            Some(_) => return Err("`imports` must be a list".into()),
        };
        Ok(StackInput { stack, component, kind, sections, imports })
    }

    /// The manifest's new text, given its current text (empty when it does not exist).
    pub fn apply(&self, text: &str) -> Result<String, edit::EditError> {
        let mut out = text.to_string();
        let base = ["components", self.kind.as_str(), self.component.as_str()];
        for imp in &self.imports {
            let present = crate::yaml::parse_one(&out, &Default::default())
                .ok()
                .and_then(|n| n.get("import").and_then(|i| i.as_seq().map(<[_]>::to_vec)))
                .is_some_and(|items| {
                    items.iter().any(|i| i.as_str() == Some(imp) || i.get("path").and_then(|p| p.as_str()) == Some(imp))
                });
            if !present {
                out = edit::append(&out, 0, &["import"], &Json::String(imp.clone()))?;
            }
        }
        let mut wrote = false;
        for (section, value) in &self.sections {
            match value {
                Json::Object(m) if !m.is_empty() => {
                    for (k, v) in m {
                        let path = [base[0], base[1], base[2], section.as_str(), k.as_str()];
                        out = edit::set(&out, 0, &path, v)?;
                    }
                }
                v => out = edit::set(&out, 0, &[base[0], base[1], base[2], section.as_str()], v)?,
            }
            wrote = true;
        }
        if !wrote {
            let exists = crate::yaml::parse_one(&out, &Default::default()).ok().is_some_and(|n| {
                n.pointer(&format!(
                    "/components/{}/{}",
                    self.kind,
                    self.component.replace('~', "~0").replace('/', "~1")
                ))
                .is_some()
            });
            if !exists {
                out = edit::set(&out, 0, &base, &Json::Object(Default::default()))?;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn adds_and_updates_an_instance() {
        let input = StackInput::from_json(&json!({
            "stack": "stacks/orgs/acme/dev.yaml", "component": "payments-db",
            "vars": {"name": "payments", "size": 2}, "metadata": {"component": "rds"},
            "imports": ["catalog/rds"]
        }))
        .unwrap();
        let before = "import:\n  - mixins/dev # stage\nvars:\n  stage: dev\ncomponents:\n  terraform:\n    vpc:\n      vars: {}\n";
        let after = input.apply(before).unwrap();
        assert_eq!(
            after,
            "import:\n  - mixins/dev # stage\n  - catalog/rds\nvars:\n  stage: dev\ncomponents:\n  terraform:\n    vpc:\n      vars: {}\n    payments-db:\n      metadata:\n        component: rds\n      vars:\n        name: payments\n        size: 2\n"
        );
        // Applying again changes nothing; a new value changes only its line.
        assert_eq!(input.apply(&after).unwrap(), after);
        let mut bigger = input.clone();
        bigger.sections[1].1 = json!({"size": 3});
        assert_eq!(bigger.apply(&after).unwrap(), after.replace("size: 2", "size: 3"));
        // A new manifest.
        let fresh = input.apply("").unwrap();
        assert!(
            fresh.starts_with("import:\n  - catalog/rds\ncomponents:\n  terraform:\n    payments-db:\n"),
            "{fresh}"
        );
    }

    #[test]
    fn bad_inputs() {
        for bad in [
            json!({"stack": "../x.yaml", "component": "a"}),
            json!({"stack": "x.txt", "component": "a"}),
            json!({"stack": "x.yaml", "component": "a;b"}),
            json!({"stack": "x.yaml", "component": "a", "type": "cdk"}),
            json!({"stack": "x.yaml", "component": "a", "imports": "x"}),
        ] {
            assert!(StackInput::from_json(&bad).is_err(), "{bad}");
        }
    }
}
