//! SARIF 2.1.0, as GitHub code scanning ingests it.
//!
//! One run whose driver is paved, with a rule table (every rule the report describes, then any
//! rule id that appears without a description), and one result per finding in a file with its
//! level, a physical location relative to `%SRCROOT%` and a partial fingerprint that survives
//! edits elsewhere in the file. Columns are Unicode code points (`columnKind`), as paved counts
//! them. Findings about no file become notifications of the run's invocation: GitHub rejects a
//! whole log if any result lacks a physical location.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::location::{End, Region};
use super::{Diagnostic, Report, RuleInfo, Severity};

/// The `$schema` written into the log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Key of paved's fingerprint in `partialFingerprints`; the version changes if the way it is
/// computed ever does, so that GitHub does not match old alerts against new fingerprints.
pub const FINGERPRINT_KEY: &str = "pavedFingerprint/v1";

/// Renders `report` as a SARIF log.
pub(super) fn render(report: &Report) -> String {
    let (rules, index) = rules(report);
    let fingerprints = report.fingerprints();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for (d, fp) in report.diagnostics.iter().zip(fingerprints) {
        let rule_index = index[d.rule.as_str()];
        // GitHub rejects the whole upload when one result lacks a physical location, so a
        // finding about no file in particular is reported as a notification of the run.
        if d.file.is_empty() {
            notifications.push(notification(d, rule_index, fp));
        } else {
            results.push(result(d, rule_index, fp));
        }
    }
    let mut driver = json!({
        "name": "paved",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
    });
    if let Some(uri) = information_uri() {
        driver["informationUri"] = uri.into();
    }
    driver["rules"] = rules.into();
    let mut run = json!({
        "tool": { "driver": driver },
        "columnKind": "unicodeCodePoints",
        "results": results,
    });
    if !notifications.is_empty() {
        run["invocations"] = json!([{ "executionSuccessful": true, "toolExecutionNotifications": notifications }]);
    }
    let log = json!({ "$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run] });
    let mut s = serde_json::to_string_pretty(&log).expect("JSON values serialise");
    s.push('\n');
    s
}

/// The project's home page from Cargo metadata, when the package declares one.
fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")].into_iter().find(|u| !u.is_empty())
}

/// The rule table and each rule id's index in it.
fn rules(report: &Report) -> (Vec<Value>, HashMap<&str, usize>) {
    let mut table = Vec::new();
    let mut index = HashMap::new();
    for r in &report.rules {
        if !index.contains_key(r.id) {
            index.insert(r.id, table.len());
            table.push(described(r));
        }
    }
    for d in &report.diagnostics {
        if !index.contains_key(d.rule.as_str()) {
            index.insert(d.rule.as_str(), table.len());
            table.push(undescribed(d));
        }
    }
    (table, index)
}

fn described(r: &RuleInfo) -> Value {
    let mut rule = json!({
        "id": r.id,
        "name": friendly_name(r.id),
        "shortDescription": { "text": r.summary },
    });
    // GitHub requires a full description on every rule.
    let full = if r.why.trim().is_empty() { r.summary } else { r.why };
    rule["fullDescription"] = json!({ "text": full });
    let prose: Vec<&str> = [r.summary, r.why].into_iter().filter(|s| !s.trim().is_empty()).collect();
    let mut text = prose.join("\n\n");
    let mut markdown = text.clone();
    if !r.example.trim().is_empty() {
        let example = r.example.trim_end();
        text.push_str(&format!("\n\nExample that breaks the rule:\n\n{example}"));
        let fence = fence(example);
        markdown.push_str(&format!("\n\n**Example** that breaks the rule:\n\n{fence}yaml\n{example}\n{fence}"));
    }
    rule["help"] = json!({ "text": text, "markdown": markdown });
    rule["defaultConfiguration"] = json!({ "level": level(r.severity) });
    rule["properties"] = json!({ "tags": tags(r.id) });
    rule
}

/// A rule that reached the report without a description (a rule family that forgot to
/// register it): `ruleIndex` needs an entry, and GitHub a description and help on it.
fn undescribed(d: &Diagnostic) -> Value {
    let help = format!("Run `paved rules` to read what {} checks.", d.rule);
    json!({
        "id": d.rule,
        "name": friendly_name(&d.rule),
        "shortDescription": { "text": d.rule },
        "fullDescription": { "text": format!("paved rule {}", d.rule) },
        "help": { "text": help, "markdown": help },
        "defaultConfiguration": { "level": level(d.severity) },
        "properties": { "tags": tags(&d.rule) },
    })
}

/// SARIF's "friendly name": the id in Pascal case (`backstage/metadata-name` becomes
/// `BackstageMetadataName`).
fn friendly_name(id: &str) -> String {
    id.split(|c: char| !c.is_alphanumeric())
        .flat_map(|word| {
            let mut chars = word.chars();
            chars.next().map(|first| first.to_uppercase().chain(chars))
        })
        .flatten()
        .collect()
}

/// The rule family (`backstage`, `catalog`...) as a tag GitHub can filter by.
fn tags(id: &str) -> Vec<&str> {
    id.split_once('/').map(|(family, _)| vec![family]).unwrap_or_default()
}

/// A code fence longer than any backtick run in `text`, so an example cannot close it.
fn fence(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// The message, with the help text after it (SARIF results have no help of their own).
fn text(d: &Diagnostic) -> String {
    match &d.help {
        Some(help) => format!("{}\n\nhelp: {help}", d.message),
        None => d.message.clone(),
    }
}

/// Where paved's own fields that SARIF has no place for go: the document index and, on
/// notifications, the entity and the fingerprint.
fn properties(d: &Diagnostic) -> Map<String, Value> {
    let mut p = Map::new();
    if let Some(doc) = d.document {
        p.insert("document".into(), doc.into());
    }
    p
}

fn result(d: &Diagnostic, rule_index: usize, fingerprint: String) -> Value {
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri_reference(&d.file), "uriBaseId": "%SRCROOT%" },
            "region": region(d),
        },
    });
    if let Some(entity) = &d.entity {
        location["logicalLocations"] = json!([{ "fullyQualifiedName": entity }]);
    }
    let mut result = json!({
        "ruleId": d.rule,
        "ruleIndex": rule_index,
        "level": level(d.severity),
        "message": { "text": text(d) },
        "locations": [location],
        "partialFingerprints": { FINGERPRINT_KEY: fingerprint },
    });
    let properties = properties(d);
    if !properties.is_empty() {
        result["properties"] = properties.into();
    }
    result
}

fn notification(d: &Diagnostic, rule_index: usize, fingerprint: String) -> Value {
    let mut properties = properties(d);
    if let Some(entity) = &d.entity {
        properties.insert("entity".into(), entity.clone().into());
    }
    properties.insert("fingerprint".into(), fingerprint.into());
    json!({
        "associatedRule": { "id": d.rule, "index": rule_index },
        "level": level(d.severity),
        "message": { "text": text(d) },
        "properties": properties,
    })
}

/// The region of a finding in a file. GitHub requires `startLine >= 1`, so a finding about a
/// whole file points at its first line.
fn region(d: &Diagnostic) -> Value {
    let Some(r) = Region::of(d) else {
        return json!({ "startLine": 1 });
    };
    let mut region = json!({ "startLine": r.line });
    if let Some(c) = r.column {
        region["startColumn"] = c.into();
    }
    match r.end {
        Some(End { line, column }) => {
            region["endLine"] = line.into();
            // Without an end column SARIF reads "to the end of the line", which is what a
            // column-less end means here.
            if let Some(c) = column {
                region["endColumn"] = c.into();
            }
        }
        // A point: mark one character rather than SARIF's default of the rest of the line.
        None => {
            if let Some(c) = r.column {
                region["endColumn"] = (c + 1).into();
            }
        }
    }
    region
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// A repository-relative path as a URI reference: unreserved characters and `/` stay, every
/// other byte is percent-encoded, so spaces, `#`, `?` and non-ASCII names stay one path.
fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri_reference("catalog/my service#1.yaml"), "catalog/my%20service%231.yaml");
        assert_eq!(uri_reference("katalog/zahlungsdienst-für.yaml"), "katalog/zahlungsdienst-f%C3%BCr.yaml");
    }

    #[test]
    fn friendly_names_are_pascal_case() {
        assert_eq!(friendly_name("backstage/metadata-name"), "BackstageMetadataName");
        assert_eq!(friendly_name("catalog/ref-unresolved"), "CatalogRefUnresolved");
        assert_eq!(friendly_name("x"), "X");
    }

    #[test]
    fn fences_outgrow_backticks_in_examples() {
        assert_eq!(fence("a: 1"), "```");
        assert_eq!(fence("a: ````x"), "`````");
    }

    #[test]
    fn regions_without_line_point_at_the_first_line() {
        assert_eq!(region(&Diagnostic::warning("r", "m").in_file("f")), json!({ "startLine": 1 }));
        let d = Diagnostic::warning("r", "m").in_file("f").at(4, 2);
        assert_eq!(region(&d), json!({ "startLine": 4, "startColumn": 2, "endColumn": 3 }));
    }
}
