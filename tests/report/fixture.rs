//! The report every renderer is snapshotted on: errors, warnings and notes; findings with and
//! without a file, a line or a column; one- and multi-line spans; tabs, wide characters,
//! emoji, control characters; help, entities and document indices; duplicate findings;
//! hostile file names and messages; a file the lookup cannot read; a stale line; a long line.

use std::collections::BTreeMap;
use std::sync::Arc;

use paved::report::{Diagnostic, Report, RuleInfo, Severity, Summary};

pub const PAYMENTS: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: My Payments
  title: Zahlungsdienst für Käufer 🚀
  description: 支払いサービス
  tags: [java, java]
spec:
  type: service
  lifecycle: production
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: payments-api
spec:
  type: openapi
  lifecycle: production
  owner: group:default/payments
  definition: |
    openapi: 3.0.0
    info:
      title: Payments
      version: 1.0.0
    servers:
      - url: https://payments.example.com
    paths: {}

# the next document is empty
---
";

/// Tabs as YAML allows them (after a key), a control character and a bidi override.
pub const TABS: &str = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: platform\n  description:\tUses\ttabs\nspec:\n  type: team\n  profile: {displayName: \"Plat\u{202e}form\x1b[2J\"}\n";

/// A one-line JSON descriptor (YAML accepts JSON), longer than a terminal.
pub fn long_line() -> String {
    let mut tags = String::new();
    for i in 0..40 {
        tags.push_str(&format!("\"tag-{i:02}\", "));
    }
    format!(
        "{{\"apiVersion\": \"backstage.io/v1alpha1\", \"kind\": \"Resource\", \"metadata\": {{\"name\": \"db\", \"tags\": [{tags}\"Bad Tag\"]}}, \"spec\": {{\"type\": \"database\", \"owner\": \"platform\"}}}}\n"
    )
}

/// The text of the files the lookup can read. `catalog/gone.yaml` and the hostile file name
/// are deliberately absent.
pub fn source(file: &str) -> Option<Arc<str>> {
    match file {
        "catalog/payments.yaml" => Some(Arc::from(PAYMENTS)),
        "catalog/tabs.yaml" => Some(Arc::from(TABS)),
        "catalog/long.json" => Some(Arc::from(long_line())),
        _ => None,
    }
}

/// Places `d` on the first `needle` in line `line` of `text`, in 1-based character columns
/// with an exclusive end, as spans from the YAML parser are.
fn on(d: Diagnostic, text: &str, line: u32, needle: &str) -> Diagnostic {
    let l = text.lines().nth(line as usize - 1).expect("fixture line");
    let byte = l.find(needle).unwrap_or_else(|| panic!("{needle:?} on line {line}"));
    let col = l[..byte].chars().count() as u32 + 1;
    let mut d = d.at(line, col);
    d.end_line = Some(line);
    d.end_column = Some(col + needle.chars().count() as u32);
    d
}

fn span(d: Diagnostic, start: (u32, u32), end: (u32, u32)) -> Diagnostic {
    let mut d = d.at(start.0, start.1);
    d.end_line = Some(end.0);
    d.end_column = Some(end.1);
    d
}

pub fn rules() -> Vec<RuleInfo> {
    vec![
        RuleInfo {
            id: "backstage/metadata-name",
            severity: Severity::Error,
            summary: "metadata.name is a valid Backstage name",
            why: "Backstage rejects the entity: names are 1-63 characters of [a-zA-Z0-9], separated by -, _ or .",
            example: "metadata:\n  name: My Payments\n",
        },
        RuleInfo {
            id: "backstage/tags",
            severity: Severity::Error,
            summary: "metadata.tags are unique, lower-case tags",
            why: "Backstage rejects tags that are not `[a-z0-9:+#]` words joined by `-`.",
            example: "metadata:\n  tags: [Java, \"```\"]\n",
        },
        RuleInfo {
            id: "catalog/orphan",
            severity: Severity::Warning,
            summary: "every entity is reachable from a root Location",
            why: "Backstage never ingests an entity that no Location reaches.",
            example: "",
        },
        RuleInfo {
            id: "backstage/spec-required",
            severity: Severity::Error,
            summary: "spec has the fields its kind requires",
            why: "",
            example: "kind: Component\nspec:\n  type: service\n",
        },
        // Described but never raised: SARIF lists it all the same.
        RuleInfo {
            id: "catalog/ref-unresolved",
            severity: Severity::Error,
            summary: "every reference resolves to an entity",
            why: "A dangling owner or system breaks the catalog graph.",
            example: "spec:\n  owner: group:default/nobody\n",
        },
    ]
}

pub fn report() -> Report {
    let p = PAYMENTS;
    let long = long_line();
    let long_col = long.find("\"Bad Tag\"").unwrap() as u32 + 1;
    let diagnostics = vec![
        on(
            Diagnostic::error("backstage/metadata-name", "metadata.name \"My Payments\" is not a valid name"),
            p,
            4,
            "My Payments",
        )
        .in_file("catalog/payments.yaml")
        .in_document(0)
        .for_entity("component:default/my payments")
        .with_help("use letters, digits and -, _ or . (for example `my-payments`)"),
        on(Diagnostic::warning("catalog/title-style", "title ends with an emoji"), p, 5, "für Käufer 🚀")
            .in_file("catalog/payments.yaml")
            .in_document(0),
        on(Diagnostic::note("catalog/description-language", "description is not in English"), p, 6, "支払いサービス")
            .in_file("catalog/payments.yaml")
            .in_document(0),
        span(Diagnostic::error("backstage/tags", "tag \"java\" appears more than once"), (7, 10), (7, 14))
            .in_file("catalog/payments.yaml")
            .in_document(0),
        span(Diagnostic::error("backstage/tags", "tag \"java\" appears more than once"), (7, 16), (7, 20))
            .in_file("catalog/payments.yaml")
            .in_document(0),
        // The `spec` mapping, from its first key to the start of the next document.
        span(
            Diagnostic::error("backstage/spec-required", "spec.owner is required for kind Component"),
            (9, 3),
            (11, 1),
        )
        .in_file("catalog/payments.yaml")
        .in_document(0)
        .for_entity("component:default/my payments")
        .with_help("add `owner: group:default/<team>`"),
        // A block scalar starting mid-line, running on over a blank line and a comment.
        span(Diagnostic::warning("catalog/api-definition", "definition declares no paths"), (20, 15), (30, 1))
            .in_file("catalog/payments.yaml")
            .in_document(1)
            .for_entity("api:default/payments-api"),
        // A missing field: the parser points just past the end of the line.
        Diagnostic::error("backstage/spec-required", "spec.system is required for kind API")
            .at(13, 10)
            .in_file("catalog/payments.yaml")
            .in_document(1),
        // A line the file no longer has.
        Diagnostic::error("backstage/yaml", "line from another version of the file")
            .at(99, 1)
            .in_file("catalog/payments.yaml"),
        on(
            Diagnostic::error("backstage/metadata-description", "description must be a single line"),
            TABS,
            5,
            "Uses\ttabs",
        )
        .in_file("catalog/tabs.yaml")
        .in_document(0),
        Diagnostic::error("backstage/yaml", "found unprintable character \\x1b")
            .at(8, 36)
            .in_file("catalog/tabs.yaml")
            .in_document(0),
        // Known line, unknown column.
        Diagnostic::warning("catalog/group-type", "group type `team` is not in catalog.groupTypes")
            .at(7, 0)
            .in_file("catalog/tabs.yaml"),
        span(
            Diagnostic::error("backstage/tags", "tag \"Bad Tag\" is not a valid tag"),
            (1, long_col),
            (1, long_col + 9),
        )
        .in_file("catalog/long.json")
        .in_document(0)
        .for_entity("resource:default/db"),
        Diagnostic::warning("catalog/orphan", "not reachable from any root Location")
            .in_file("catalog/orphan.yaml")
            .in_document(1)
            .for_entity("component:default/orphan"),
        Diagnostic::error("backstage/kind", "kind \"Servce\" is not a known kind")
            .at(3, 7)
            .in_file("catalog/gone.yaml")
            .with_help("did you mean `Service`?"),
        Diagnostic::error(
            "backstage/metadata-annotations",
            "annotation \"a::b\" is invalid\n::error::injected, 100% fake\r\n::warning file=x,line=1::y",
        )
        .at(2, 1)
        .in_file("catalog/weird, name:1.yaml")
        .with_help("line one\nline two: 50%"),
        Diagnostic::note(
            "catalog/no-root",
            "no catalog-info.yaml at the repository root; using the globs from paved.yaml",
        ),
    ];
    let mut report = Report {
        diagnostics,
        summary: Summary { files: 6, documents: 7, entities: 6, errors: 0, warnings: 0 },
        rules: rules(),
    };
    report.finish(&BTreeMap::new());
    report
}
