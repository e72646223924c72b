//! Reading `paved affected --format json` back, for the CI glue that fans out one job per
//! component (GitHub's matrix, GitLab's child pipeline).
//!
//! The reader takes Atmos's field names and ignores fields it does not use, so it reads
//! Atmos's own `describe affected` output as well as paved's. It accepts a top-level array of
//! items, or an object holding that array under `components`, `items` or `affected` (so paved
//! may add catalog changes beside the components without breaking CI).

use serde::Deserialize;
use serde_json::{Value, json};

/// One affected component instance, as the CI glue needs it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AffectedItem {
    pub component: String,
    pub stack: String,
    #[serde(default)]
    pub component_type: Option<String>,
    #[serde(default)]
    pub component_path: Option<String>,
    #[serde(default)]
    pub stack_slug: Option<String>,
    /// The first reason.
    #[serde(default)]
    pub affected: Option<String>,
    #[serde(default)]
    pub affected_all: Vec<String>,
    /// In the base revision and gone from the head: nothing to plan.
    #[serde(default)]
    pub deleted: bool,
}

impl AffectedItem {
    /// Atmos's slug: `<stack>-<component>` with `/` in the component replaced by `-`.
    pub fn slug(&self) -> String {
        match &self.stack_slug {
            Some(s) if !s.is_empty() => s.clone(),
            _ => format!("{}-{}", self.stack, self.component.replace('/', "-")),
        }
    }

    /// `terraform` unless the item says otherwise.
    pub fn component_type(&self) -> &str {
        self.component_type.as_deref().filter(|t| !t.is_empty()).unwrap_or("terraform")
    }
}

/// A catalog entity added, modified or deleted between the revisions (paved's `catalog` key).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CatalogChange {
    #[serde(rename = "ref")]
    pub entity_ref: String,
    /// `added`, `modified` or `deleted`.
    pub change: String,
    #[serde(default)]
    pub file: String,
    /// Stack components the entity owns (`settings.catalog.owner`).
    #[serde(default)]
    pub components: Vec<LinkedComponent>,
}

/// A stack component linked to a catalog entity.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LinkedComponent {
    pub stack: String,
    pub component: String,
}

/// Why affected output could not be read.
#[derive(Debug, thiserror::Error)]
pub enum AffectedError {
    #[error("affected output is not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("affected output is neither an array of items nor an object with a `components` array")]
    Shape,
    #[error("affected item {index}: {source}")]
    Item { index: usize, source: serde_json::Error },
    #[error("affected item {index} has an empty `{field}`")]
    Empty { index: usize, field: &'static str },
}

/// Parses affected output, sorted by slug (Atmos does not sort; CI wants stable job lists).
pub fn parse(bytes: &[u8]) -> Result<Vec<AffectedItem>, AffectedError> {
    items(&serde_json::from_slice(bytes)?)
}

/// Parses affected output with paved's catalog changes (none in Atmos's output). Entries of
/// `catalog` that do not have the expected shape are skipped: they only feed the summary.
pub fn parse_with_catalog(bytes: &[u8]) -> Result<(Vec<AffectedItem>, Vec<CatalogChange>), AffectedError> {
    let v: Value = serde_json::from_slice(bytes)?;
    let catalog = v
        .get("catalog")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|c| CatalogChange::deserialize(c).ok()).collect())
        .unwrap_or_default();
    Ok((items(&v)?, catalog))
}

fn items(v: &Value) -> Result<Vec<AffectedItem>, AffectedError> {
    let items = match v {
        Value::Array(a) => a,
        Value::Object(o) => ["components", "items", "affected"]
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_array))
            .ok_or(AffectedError::Shape)?,
        _ => return Err(AffectedError::Shape),
    };
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let it = AffectedItem::deserialize(item).map_err(|source| AffectedError::Item { index, source })?;
        for (field, value) in [("component", &it.component), ("stack", &it.stack)] {
            if value.trim().is_empty() {
                return Err(AffectedError::Empty { index, field });
            }
        }
        out.push(it);
    }
    out.sort_by_key(AffectedItem::slug);
    out.dedup_by(|a, b| a.slug() == b.slug());
    Ok(out)
}

/// The items a plan job makes sense for: deleted components have no configuration at the head.
pub fn plannable(items: &[AffectedItem]) -> impl Iterator<Item = &AffectedItem> {
    items.iter().filter(|i| !i.deleted)
}

/// GitHub Actions matrix: `{"include":[{stack, component, component_path, component_type}]}`,
/// deleted components left out. One line, ready for `$GITHUB_OUTPUT`.
pub fn github_matrix(items: &[AffectedItem]) -> String {
    let include: Vec<Value> = plannable(items)
        .map(|i| {
            json!({
                "stack": i.stack,
                "component": i.component,
                "component_path": i.component_path.clone().unwrap_or_default(),
                "component_type": i.component_type(),
            })
        })
        .collect();
    json!({ "include": include }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_arrays_and_wrapped_arrays_sorted_by_slug() {
        let arr =
            br#"[{"component":"vpc","stack":"b","extra":1},{"component":"eks/cluster","stack":"a","deleted":true}]"#;
        let items = parse(arr).unwrap();
        assert_eq!(items.iter().map(AffectedItem::slug).collect::<Vec<_>>(), ["a-eks-cluster", "b-vpc"]);
        assert!(items[0].deleted);
        let wrapped = br#"{"components":[{"component":"vpc","stack":"b"}],"catalog":[]}"#;
        assert_eq!(parse(wrapped).unwrap().len(), 1);
        let paved = br#"{"affected":[{"component":"vpc","stack":"b"}],"catalog":[{"ref":"group:default/a","change":"modified","file":"c.yaml","components":[{"stack":"b","component":"vpc","stack_slug":"b-vpc"}]},{"bogus":1}]}"#;
        let (items, catalog) = parse_with_catalog(paved).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(catalog.len(), 1);
        assert_eq!(catalog[0].components[0].component, "vpc");
    }

    #[test]
    fn refuses_what_it_cannot_plan() {
        assert!(matches!(parse(b"{}"), Err(AffectedError::Shape)));
        assert!(matches!(parse(b"3"), Err(AffectedError::Shape)));
        assert!(matches!(parse(br#"[{"stack":"a"}]"#), Err(AffectedError::Item { index: 0, .. })));
        assert!(matches!(
            parse(br#"[{"stack":" ","component":"x"}]"#),
            Err(AffectedError::Empty { field: "stack", .. })
        ));
        assert!(matches!(parse(b"[1"), Err(AffectedError::Json(_))));
    }

    #[test]
    fn matrix_leaves_deleted_components_out() {
        let items = parse(
            br#"[{"component":"vpc","stack":"dev","component_path":"components/terraform/vpc"},{"component":"old","stack":"dev","deleted":true}]"#,
        )
        .unwrap();
        assert_eq!(
            github_matrix(&items),
            r#"{"include":[{"stack":"dev","component":"vpc","component_path":"components/terraform/vpc","component_type":"terraform"}]}"#
        );
    }
}
