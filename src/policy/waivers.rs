//! Waivers: `policies/waivers.yaml`, a reviewed list of accepted violations.
//!
//! ```yaml
//! - rule: policy/s3-versioning          # a rule id, or a glob such as policy/paved.stacks.*
//!   target: core-ue2-prod/s3-logs       # an entity ref or a stack/component glob
//!   reason: log bucket, versioning costs more than it saves
//!   expires: 2026-12-31
//!   approved_by: group:platform-security
//! ```
//!
//! A waived violation is reported as a note; an expired waiver is an error (and waives
//! nothing); a waiver that matches nothing is a warning. Waivers change only by pull request,
//! so git history is the approval record.

use chrono::NaiveDate;
use globset::{Glob, GlobMatcher};
use serde::Deserialize;

use super::rules;
use crate::report::{Diagnostic, Severity};
use crate::yaml::{Node, ParseOptions, Span, parse_one};

/// One checked waiver.
#[derive(Debug, Clone)]
pub struct Waiver {
    pub rule: String,
    pub target: String,
    pub reason: String,
    pub expires: NaiveDate,
    pub approved_by: String,
    rule_glob: GlobMatcher,
    target_glob: GlobMatcher,
    span: Span,
}

/// The waivers of one file.
#[derive(Debug, Clone, Default)]
pub struct Waivers {
    pub file: String,
    pub waivers: Vec<Waiver>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    rule: String,
    target: String,
    reason: String,
    expires: yaml_serde::Value,
    approved_by: String,
}

impl Waivers {
    /// Parses a waiver file. Every malformed entry is a diagnostic at its line; the good
    /// entries are kept.
    pub fn parse(file: &str, text: &str) -> (Waivers, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut out = Waivers { file: file.to_string(), waivers: Vec::new() };
        if text.trim().is_empty() {
            return (out, diags);
        }
        let err = |msg: String, span: Span| Diagnostic::error(rules::WAIVER_INVALID, msg).in_file(file).at_span(span);
        let tree = match parse_one(text, &ParseOptions::default()) {
            Ok(t) => t,
            Err(e) => {
                diags.push(err(format!("waivers: {}", e.message), Span::point(e.line, e.column)));
                return (out, diags);
            }
        };
        let items: Vec<&Node> = match (&tree.value, tree.get("waivers")) {
            (crate::yaml::Value::Seq(items), _) => items.iter().collect(),
            (_, Some(n)) if n.as_seq().is_some() && tree.as_map().is_some_and(|m| m.len() == 1) => {
                n.as_seq().unwrap_or_default().iter().collect()
            }
            (crate::yaml::Value::Null, _) => Vec::new(),
            _ => {
                diags.push(err("waivers: expected a list of waivers (or `waivers:` holding one)".into(), tree.span));
                return (out, diags);
            }
        };
        for item in items {
            match check(item) {
                Ok(w) => out.waivers.push(w),
                Err((msg, span)) => diags.push(err(msg, span)),
            }
        }
        (out, diags)
    }

    /// Applies the waivers to policy findings (dated `today`): waived findings become notes,
    /// and the waivers themselves yield diagnostics (expired: error, unused: warning).
    pub fn apply(&self, findings: &mut [Diagnostic], today: NaiveDate) -> Vec<Diagnostic> {
        let mut used = vec![false; self.waivers.len()];
        let mut out = Vec::new();
        for d in findings.iter_mut() {
            if d.severity == Severity::Note {
                continue;
            }
            let target = d.entity.clone().unwrap_or_default().to_lowercase();
            for (i, w) in self.waivers.iter().enumerate() {
                if !(w.rule_glob.is_match(&d.rule) && w.target_glob.is_match(&target)) {
                    continue;
                }
                used[i] = true;
                if w.expires >= today {
                    d.severity = Severity::Note;
                    d.message = format!(
                        "{} (waived until {}: {}; approved by {})",
                        d.message, w.expires, w.reason, w.approved_by
                    );
                    break;
                }
            }
        }
        for (i, w) in self.waivers.iter().enumerate() {
            let at = |d: Diagnostic| d.in_file(self.file.clone()).at_span(w.span);
            if w.expires < today {
                out.push(at(Diagnostic::error(
                    rules::WAIVER_EXPIRED,
                    format!("waiver for `{}` on `{}` expired on {}", w.rule, w.target, w.expires),
                )
                .with_help("renew it by pull request with a new `expires`, or fix the violation and delete it")));
            } else if !used[i] {
                out.push(at(Diagnostic::warning(
                    rules::WAIVER_UNUSED,
                    format!("waiver for `{}` on `{}` matches no violation", w.rule, w.target),
                )
                .with_help("delete it: the violation it covered is gone")));
            }
        }
        out
    }
}

fn check(item: &Node) -> Result<Waiver, (String, Span)> {
    let raw: RawWaiver = yaml_serde::from_value(node_to_yaml(item))
        .map_err(|e| (format!("waiver: {}", strip_location(&e.to_string())), item.span))?;
    let field_span = |k: &str| item.get(k).map_or(item.span, |n| n.span);
    let expires_text = match &raw.expires {
        yaml_serde::Value::String(s) => s.clone(),
        other => yaml_serde::to_string(other).unwrap_or_default().trim().to_string(),
    };
    let expires = NaiveDate::parse_from_str(expires_text.trim(), "%Y-%m-%d").map_err(|_| {
        (format!("waiver: `expires` must be a date written YYYY-MM-DD, not `{expires_text}`"), field_span("expires"))
    })?;
    for (k, v) in
        [("rule", &raw.rule), ("target", &raw.target), ("reason", &raw.reason), ("approved_by", &raw.approved_by)]
    {
        if v.trim().is_empty() {
            return Err((format!("waiver: `{k}` must not be empty"), field_span(k)));
        }
    }
    let glob = |k: &str, p: &str| {
        Glob::new(p).map(|g| g.compile_matcher()).map_err(|e| (format!("waiver: `{k}`: {e}"), field_span(k)))
    };
    Ok(Waiver {
        rule_glob: glob("rule", &raw.rule)?,
        target_glob: glob("target", &raw.target.to_lowercase())?,
        rule: raw.rule,
        target: raw.target,
        reason: raw.reason,
        expires,
        approved_by: raw.approved_by,
        span: item.span,
    })
}

fn node_to_yaml(n: &Node) -> yaml_serde::Value {
    yaml_serde::to_value(n.to_json()).unwrap_or(yaml_serde::Value::Null)
}

fn strip_location(msg: &str) -> String {
    msg.split(" at line ").next().unwrap_or(msg).to_string()
}

#[cfg(test)]
mod tests;
