//! Checks one descriptor file: bytes → documents → entities, plus the warning that Backstage
//! drops the whole file when one of its documents fails early.

use super::document::{self, ExtraSchema, Outcome};
use super::entity::Entity;
use super::rules::{self, FILE_DROPPED, YAML_DUPLICATE_KEY, YAML_SYNTAX};
use crate::config::Config;
use crate::report::Diagnostic;
use crate::yaml::{Span, parse_documents};

/// What one file holds.
#[derive(Debug, Default)]
pub struct FileCheck {
    pub entities: Vec<Entity>,
    pub diagnostics: Vec<Diagnostic>,
    /// Non-empty documents.
    pub documents: usize,
}

/// Checks the file `file` with contents `bytes`.
pub fn check(file: &str, bytes: &[u8], cfg: &Config, extra: &[ExtraSchema]) -> FileCheck {
    let mut fc = FileCheck::default();
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() as u32;
            fc.diagnostics.push(
                Diagnostic::error(YAML_SYNTAX, format!("not valid UTF-8 (byte {})", e.valid_up_to()))
                    .in_file(file)
                    .at(line, 1)
                    .with_help("YAML files must be UTF-8 text; is this a binary file?"),
            );
            return fc;
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (docs, err) = parse_documents(text, &cfg.limits.catalog_yaml());
    // Where Backstage gives up on the file, if it does.
    let mut file_error: Option<Span> = None;
    if let Some(e) = &err {
        // The YAML layer does not export its error kinds; its duplicate-key message is stable.
        let rule = if e.message.starts_with("duplicate key") { YAML_DUPLICATE_KEY } else { YAML_SYNTAX };
        fc.diagnostics.push(
            Diagnostic::new(rule, rules::severity(rule), e.message.clone())
                .in_file(file)
                .at(e.line, e.column)
                .in_document(e.document),
        );
        file_error = Some(Span::point(e.line, e.column));
    }
    for d in docs {
        match document::check(file, d.index, d.root, cfg, extra, &mut fc.diagnostics) {
            Outcome::Empty => {}
            Outcome::FileLevel(span) => {
                fc.documents += 1;
                file_error.get_or_insert(span);
            }
            Outcome::Entity(e) => {
                fc.documents += 1;
                fc.entities.push(*e);
            }
        }
    }
    if let Some(at) = file_error
        && !fc.entities.is_empty()
    {
        let names: Vec<&str> = fc.entities.iter().take(5).map(|e| e.entity_ref.as_str()).collect();
        let more = if fc.entities.len() > 5 { format!(" and {} more", fc.entities.len() - 5) } else { String::new() };
        fc.diagnostics.push(
            Diagnostic::warning(
                FILE_DROPPED,
                format!(
                    "Backstage drops every entity of this file because of the error at line {}: {}{more}",
                    at.start.line,
                    names.join(", ")
                ),
            )
            .in_file(file)
            .at(at.start.line, at.start.column)
            .with_help("fix that error, or move the other entities to their own file"),
        );
    }
    fc
}
