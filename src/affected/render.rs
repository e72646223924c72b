//! Output formats: JSON, a GitHub Actions matrix, a GitLab `parallel:matrix`, and a Markdown
//! summary for a pull request comment.

use std::fmt::Write as _;

use serde::Serialize;

use super::item::{Affected, EntityChangeKind, Item};

/// GitLab refuses a `parallel:matrix` with more jobs than this.
pub const GITLAB_MATRIX_LIMIT: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `{"affected": [...], "catalog": [...]}`; `.affected` is Atmos's list.
    Json,
    /// `{"include": [{stack, component, component_path, component_type}]}` for GitHub Actions.
    Matrix,
    /// YAML for GitLab CI `parallel:matrix`.
    GitlabMatrix,
    /// Tables for a pull request comment.
    Markdown,
}

#[derive(Serialize)]
struct Entry<'a> {
    stack: &'a str,
    component: &'a str,
    component_path: &'a str,
    component_type: &'a str,
}

/// Items a plan job can run for: deleted instances have no stack to plan in.
fn plannable(a: &Affected) -> impl Iterator<Item = &Item> {
    a.affected.iter().filter(|i| !i.deleted)
}

pub fn render(a: &Affected, format: Format) -> String {
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(a).unwrap_or_else(|_| "{}".into());
            s.push('\n');
            s
        }
        Format::Matrix => {
            let include: Vec<Entry<'_>> = plannable(a)
                .map(|i| Entry {
                    stack: &i.stack,
                    component: &i.component,
                    component_path: &i.component_path,
                    component_type: &i.component_type,
                })
                .collect();
            let mut s = serde_json::json!({ "include": include }).to_string();
            s.push('\n');
            s
        }
        Format::GitlabMatrix => gitlab_matrix(a),
        Format::Markdown => markdown(a),
    }
}

/// JSON strings are valid YAML double-quoted scalars, so values need no YAML escaper.
fn q(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn gitlab_matrix(a: &Affected) -> String {
    let mut s = String::from("parallel:\n  matrix:");
    let mut any = false;
    for i in plannable(a) {
        any = true;
        let _ = write!(
            s,
            "\n    - STACK: {}\n      COMPONENT: {}\n      COMPONENT_PATH: {}\n      COMPONENT_TYPE: {}",
            q(&i.stack),
            q(&i.component),
            q(&i.component_path),
            q(&i.component_type)
        );
    }
    if !any {
        s.push_str(" []");
    }
    s.push('\n');
    s
}

/// A table cell: pipes and newlines would break the table.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn markdown(a: &Affected) -> String {
    let mut s = String::new();
    if a.affected.is_empty() {
        s.push_str("No stack components affected.\n");
    } else {
        let _ = writeln!(s, "### Affected stack components ({})\n", a.affected.len());
        s.push_str("| Stack | Component | Reason | All reasons | Dependents |\n|---|---|---|---|---|\n");
        for i in &a.affected {
            let deps = i.dependents.as_ref().map_or_else(
                || "".to_string(),
                |d| d.iter().map(|x| format!("`{}`", cell(&x.stack_slug))).collect::<Vec<_>>().join(", "),
            );
            let _ = writeln!(
                s,
                "| `{}` | `{}` | {}{} | {} | {} |",
                cell(&i.stack),
                cell(&i.component),
                cell(&i.affected),
                i.file.as_deref().or(i.folder.as_deref()).map(|p| format!(" (`{}`)", cell(p))).unwrap_or_default(),
                cell(&i.affected_all.join(", ")),
                deps
            );
        }
    }
    if !a.catalog.is_empty() {
        let _ = writeln!(s, "\n### Catalog changes ({})\n", a.catalog.len());
        s.push_str("| Entity | Change | File | Owned stack components |\n|---|---|---|---|\n");
        for c in &a.catalog {
            let change = match c.change {
                EntityChangeKind::Added => "added".to_string(),
                EntityChangeKind::Deleted => "deleted".to_string(),
                EntityChangeKind::Modified if c.fields.is_empty() => "modified".to_string(),
                EntityChangeKind::Modified => format!("modified ({})", c.fields.join(", ")),
            };
            let linked =
                c.components.iter().map(|l| format!("`{}`", cell(&l.stack_slug))).collect::<Vec<_>>().join(", ");
            let _ = writeln!(s, "| `{}` | {} | `{}` | {} |", cell(&c.entity_ref), cell(&change), cell(&c.file), linked);
        }
    }
    s
}
