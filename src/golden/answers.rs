//! Provenance: `.paved/answers.yaml` in every rendered project and the
//! `paved.dev/template: NAME@VERSION` annotation on its catalog entities.

use serde_json::{Map as JsonMap, Value as Json, json};

use super::edit;
use super::emit;
use crate::source::RelPath;
use crate::yaml::{ParseOptions, parse_documents, parse_one};

/// Where the answers live, inside the project folder.
pub const ANSWERS_FILE: &str = ".paved/answers.yaml";
/// The catalog annotation naming the template and version an entity came from.
pub const ANNOTATION: &str = "paved.dev/template";

/// What `paved upgrade` needs to render a project again.
#[derive(Debug, Clone, PartialEq)]
pub struct Answers {
    /// The template's `metadata.name`.
    pub template: String,
    /// A git tag or commit of the template (or a content digest outside git).
    pub version: String,
    /// The template folder's path inside its repository.
    pub source: String,
    /// The project folder relative to the output root (where this file's `.paved` sits).
    pub project: RelPath,
    pub parameters: JsonMap<String, Json>,
}

impl Answers {
    pub fn annotation(&self) -> String {
        format!("{}@{}", self.template, self.version)
    }

    pub fn to_yaml(&self) -> String {
        let doc = json!({
            "template": self.template,
            "version": self.version,
            "source": self.source,
            "project": if self.project.is_root() { "." } else { self.project.as_str() },
            "parameters": self.parameters,
        });
        format!("# Written by `paved new`; `paved upgrade` reads it.\n{}", emit::block(&doc, 0))
    }

    pub fn parse(text: &str) -> Result<Answers, String> {
        let root = parse_one(text, &ParseOptions::default()).map_err(|e| e.to_string())?.to_json();
        let s =
            |k: &str| root.get(k).and_then(Json::as_str).map(str::to_string).ok_or_else(|| format!("`{k}` is missing"));
        Ok(Answers {
            template: s("template")?,
            version: s("version")?,
            source: s("source")?,
            project: RelPath::new(&s("project")?).map_err(|e| e.to_string())?,
            parameters: root.get("parameters").and_then(Json::as_object).cloned().unwrap_or_default(),
        })
    }
}

/// Adds the annotation to every catalog entity (not Locations) in a descriptor's text.
pub fn annotate(text: &str, value: &str) -> Result<String, edit::EditError> {
    let (docs, err) = parse_documents(text, &ParseOptions::default());
    if err.is_some() {
        return Ok(text.to_string()); // the validators report it
    }
    let mut out = text.to_string();
    for d in &docs {
        let api = d.root.get("apiVersion").and_then(|n| n.as_str()).unwrap_or_default();
        let kind = d.root.get("kind").and_then(|n| n.as_str()).unwrap_or_default();
        if api.starts_with("backstage.io/")
            && kind != "Location"
            && d.root.get("metadata").is_some_and(|m| m.as_map().is_some())
        {
            out = edit::set(&out, d.index, &["metadata", "annotations", ANNOTATION], &Json::String(value.into()))?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_round_trip_and_annotations() {
        let a = Answers {
            template: "svc".into(),
            version: "v1.2.0".into(),
            source: "golden-paths/svc".into(),
            project: RelPath::new("services/pay").unwrap(),
            parameters: [("name".to_string(), json!("pay")), ("port".to_string(), json!(8080))].into_iter().collect(),
        };
        assert_eq!(Answers::parse(&a.to_yaml()).unwrap(), a);
        let text = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: pay # the name\n---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: pay-api\n  annotations:\n    a: b\n";
        let out = annotate(text, &a.annotation()).unwrap();
        assert_eq!(
            out,
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: pay # the name\n  annotations:\n    paved.dev/template: svc@v1.2.0\n---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: pay-api\n  annotations:\n    a: b\n    paved.dev/template: svc@v1.2.0\n"
        );
        assert_eq!(annotate(&out, "svc@v2").unwrap(), out.replace("svc@v1.2.0", "svc@v2"));
    }
}
