//! `catalog:register`: makes the catalog reach a new entity file by adding it as a target of
//! a Location entity (the repository's root descriptor by default), edited in place.

use serde_json::{Value as Json, json};

use super::edit;
use crate::source::{RelPath, compile_globs};
use crate::yaml::{ParseOptions, parse_documents};

/// Where the Location lives when the input does not say.
pub const DEFAULT_LOCATION_FILE: &str = "catalog-info.yaml";

/// The new text of the Location file (`None` when a target already reaches `entity`).
pub fn register(location_file: &RelPath, current: Option<&str>, entity: &RelPath) -> Result<Option<String>, String> {
    let target = relative_target(&location_file.parent(), entity);
    let Some(text) = current else {
        return Ok(Some(new_location(&target)));
    };
    let (docs, err) = parse_documents(text, &ParseOptions::default());
    if let Some(e) = err {
        return Err(format!("{location_file} is not valid YAML: {e}"));
    }
    let location = docs.iter().find(|d| d.root.get("kind").and_then(|k| k.as_str()) == Some("Location"));
    let Some(doc) = location else {
        // A descriptor without a Location (one component's repository): add one.
        let mut out = text.to_string();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str("---\n");
        out.push_str(&new_location(&target));
        return Ok(Some(out));
    };
    let spec = doc.root.get("spec");
    let existing = spec
        .and_then(|s| s.get("target"))
        .into_iter()
        .chain(spec.and_then(|s| s.get("targets")).and_then(|t| t.as_seq()).into_iter().flatten())
        .filter_map(|n| n.as_str());
    for t in existing {
        let Ok(resolved) = location_file.parent().join(t) else { continue };
        let hit = resolved == *entity
            || compile_globs(&[resolved.as_str().to_string()]).is_ok_and(|g| g.is_match(entity.as_str()));
        if hit {
            return Ok(None);
        }
    }
    edit::append(text, doc.index, &["spec", "targets"], &Json::String(target))
        .map(Some)
        .map_err(|e| format!("{location_file}: {e}"))
}

fn relative_target(dir: &RelPath, entity: &RelPath) -> String {
    match entity.strip_prefix(dir) {
        Some(rest) if !rest.is_empty() => format!("./{rest}"),
        _ => {
            let ups = if dir.is_root() { 0 } else { dir.as_str().split('/').count() };
            format!("{}{}", "../".repeat(ups), entity)
        }
    }
}

fn new_location(target: &str) -> String {
    let doc = json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Location",
        "metadata": {"name": "golden-paths", "description": "Entities created from golden paths"},
        "spec": {"targets": [target]},
    });
    super::emit::block(&doc, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> RelPath {
        RelPath::new(s).unwrap()
    }

    #[test]
    fn adds_targets_once() {
        let root = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root # the root\nspec:\n  targets:\n    - ./teams/*/catalog-info.yaml\n";
        let out = register(&p("catalog-info.yaml"), Some(root), &p("services/pay/catalog-info.yaml")).unwrap().unwrap();
        assert_eq!(out, format!("{root}    - ./services/pay/catalog-info.yaml\n"));
        assert_eq!(register(&p("catalog-info.yaml"), Some(&out), &p("services/pay/catalog-info.yaml")).unwrap(), None);
        // A glob target already reaches it.
        assert_eq!(register(&p("catalog-info.yaml"), Some(root), &p("teams/a/catalog-info.yaml")).unwrap(), None);
        let created = register(&p("catalog/all.yaml"), None, &p("services/pay/catalog-info.yaml")).unwrap().unwrap();
        assert!(
            created.contains("kind: Location\n")
                && created.contains("  targets:\n    - ../services/pay/catalog-info.yaml\n"),
            "{created}"
        );
        let component = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\n";
        let out = register(&p("catalog-info.yaml"), Some(component), &p("b/catalog-info.yaml")).unwrap().unwrap();
        assert!(out.starts_with(component) && out.contains("---\napiVersion: backstage.io/v1alpha1\nkind: Location\n"));
    }
}
