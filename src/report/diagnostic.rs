//! The diagnostic model.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// How bad a finding is. `Error` fails a run; `Warning` and `Note` do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A per-rule severity from configuration: a new severity, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeverityOverride {
    Error,
    Warning,
    Note,
    Off,
}

/// What a rule is, for `paved rules`, SARIF's rule table and the docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    /// Stable id, e.g. `backstage/metadata-name`.
    pub id: &'static str,
    pub severity: Severity,
    /// One line: what the rule checks.
    pub summary: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// A YAML fragment that breaks the rule.
    pub example: &'static str,
}

/// One finding, pointing at a place in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    /// Path relative to the repository root, `/`-separated. Empty when the finding is not about
    /// one file.
    pub file: String,
    /// 1-based; 0 when unknown.
    pub line: u32,
    /// 1-based, in characters; 0 when unknown.
    pub column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
    /// 0-based YAML document index within the file.
    pub document: Option<usize>,
    /// Lower-cased `kind:namespace/name` (catalog) or `stack/component` (stacks) when known.
    pub entity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(rule: impl Into<String>, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            rule: rule.into(),
            severity,
            message: message.into(),
            file: String::new(),
            line: 0,
            column: 0,
            end_line: None,
            end_column: None,
            document: None,
            entity: None,
            help: None,
        }
    }

    pub fn error(rule: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(rule, Severity::Error, message)
    }

    pub fn warning(rule: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(rule, Severity::Warning, message)
    }

    pub fn note(rule: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(rule, Severity::Note, message)
    }

    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = file.into();
        self
    }

    pub fn at(mut self, line: u32, column: u32) -> Self {
        self.line = line;
        self.column = column;
        self
    }

    /// Places the diagnostic on a YAML span.
    pub fn at_span(mut self, span: crate::yaml::Span) -> Self {
        self.line = span.start.line;
        self.column = span.start.column;
        if span.end != span.start && span.end.line > 0 {
            self.end_line = Some(span.end.line);
            self.end_column = Some(span.end.column);
        }
        self
    }

    pub fn in_document(mut self, index: usize) -> Self {
        self.document = Some(index);
        self
    }

    pub fn for_entity(mut self, entity: impl Into<String>) -> Self {
        self.entity = Some(entity.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// A fingerprint that survives unrelated edits: the rule, the file, the entity and the
    /// message, but not the line (which moves when lines are added above it).
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for part in [&self.rule, &self.file, self.entity.as_deref().unwrap_or(""), &self.message] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        h.update(self.document.unwrap_or(0).to_le_bytes());
        hex::encode(&h.finalize()[..16])
    }

    fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (&self.file, self.line, self.column, &self.rule, &self.message)
    }
}

/// Counts for the summary line and the JSON `summary` object.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub files: usize,
    pub documents: usize,
    pub entities: usize,
    pub errors: usize,
    pub warnings: usize,
}

/// Everything a run found, ready to render.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Summary,
    /// Rules that may appear, for renderers that describe them (SARIF).
    pub rules: Vec<RuleInfo>,
}

impl Report {
    /// Applies per-rule overrides (a rule id, or a prefix ending in `/*` such as `catalog/*`),
    /// drops the rules turned off, sorts, and recounts errors and warnings.
    pub fn finish(&mut self, overrides: &BTreeMap<String, SeverityOverride>) {
        if !overrides.is_empty() {
            self.diagnostics.retain_mut(|d| match lookup_override(overrides, &d.rule) {
                Some(SeverityOverride::Off) => false,
                Some(SeverityOverride::Error) => {
                    d.severity = Severity::Error;
                    true
                }
                Some(SeverityOverride::Warning) => {
                    d.severity = Severity::Warning;
                    true
                }
                Some(SeverityOverride::Note) => {
                    d.severity = Severity::Note;
                    true
                }
                None => true,
            });
        }
        self.diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.diagnostics.dedup();
        self.summary.errors = self.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        self.summary.warnings = self.diagnostics.iter().filter(|d| d.severity == Severity::Warning).count();
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn extend(&mut self, other: Report) {
        self.diagnostics.extend(other.diagnostics);
        self.summary.files += other.summary.files;
        self.summary.documents += other.summary.documents;
        self.summary.entities += other.summary.entities;
        for r in other.rules {
            if !self.rules.iter().any(|x| x.id == r.id) {
                self.rules.push(r);
            }
        }
    }
}

/// The most specific override: an exact id, then the longest `prefix/*`.
fn lookup_override(overrides: &BTreeMap<String, SeverityOverride>, rule: &str) -> Option<SeverityOverride> {
    if let Some(o) = overrides.get(rule) {
        return Some(*o);
    }
    let mut best: Option<(usize, SeverityOverride)> = None;
    for (k, o) in overrides {
        if let Some(prefix) = k.strip_suffix('*')
            && rule.starts_with(prefix)
            && best.is_none_or(|(len, _)| prefix.len() > len)
        {
            best = Some((prefix.len(), *o));
        }
    }
    best.map(|(_, o)| o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_change_severity_and_turn_rules_off() {
        let mut r = Report {
            diagnostics: vec![
                Diagnostic::error("catalog/ref-unresolved", "a").in_file("b.yaml"),
                Diagnostic::warning("catalog/orphan", "b").in_file("a.yaml"),
                Diagnostic::error("backstage/tags", "c").in_file("a.yaml"),
            ],
            ..Default::default()
        };
        let mut o = BTreeMap::new();
        o.insert("catalog/ref-unresolved".to_string(), SeverityOverride::Warning);
        o.insert("catalog/*".to_string(), SeverityOverride::Off);
        r.finish(&o);
        assert_eq!(r.diagnostics.len(), 2);
        assert_eq!(r.diagnostics[0].file, "a.yaml");
        assert_eq!(r.summary.errors, 1);
        assert_eq!(r.summary.warnings, 1);
    }

    #[test]
    fn fingerprint_ignores_line() {
        let a = Diagnostic::error("r", "m").in_file("f").at(1, 1);
        let b = Diagnostic::error("r", "m").in_file("f").at(9, 3);
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), Diagnostic::error("r", "other").in_file("f").fingerprint());
    }
}
