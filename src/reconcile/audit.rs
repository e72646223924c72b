//! The audit trail: a note per apply on the merged commit under `refs/notes/paved` (one JSON
//! object per line, so several runs on one commit append), and the report `paved audit` builds
//! from the notes and the store.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::store::Run;

/// The notes ref paved writes.
pub const NOTES_REF: &str = "refs/notes/paved";

/// One apply, as written in the note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditNote {
    /// Format version.
    pub paved: u32,
    pub run: i64,
    pub repo: String,
    pub sha: String,
    pub pull_request: Option<u64>,
    pub author: Option<String>,
    pub merged_by: Option<String>,
    pub approved_by: Vec<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    /// The run's outcome: `succeeded` or `failed`.
    pub status: String,
    pub components: Vec<AuditComponent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditComponent {
    pub stack: String,
    pub component: String,
    /// `applied`, `apply_failed`, `no_changes`, `plan_changed`, `skipped`, …
    pub result: String,
    /// Digest of the plan that was applied (the re-plan at the merge commit).
    pub plan_digest: Option<String>,
    /// Digest of the plan reviewed on the pull request.
    pub reviewed_digest: Option<String>,
    pub commands: Vec<String>,
}

/// Reads the runs in a note's text (lines that are not paved JSON are ignored).
pub fn parse_note(text: &str) -> Vec<AuditNote> {
    text.lines().filter_map(|l| serde_json::from_str::<AuditNote>(l.trim()).ok()).collect()
}

/// One line of the audit report: a component of an apply.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRow {
    pub finished_at: DateTime<Utc>,
    pub repo: String,
    pub sha: String,
    pub run: i64,
    pub pull_request: Option<u64>,
    pub merged_by: Option<String>,
    pub approved_by: String,
    pub stack: String,
    pub component: String,
    pub result: String,
    pub plan_digest: Option<String>,
    /// `ok`: the store's run agrees with the note; otherwise what differs.
    pub check: String,
}

/// Builds the report: every component of every note since `since`, checked against the store's
/// runs; applies the store knows that have no note are listed too.
pub fn report(notes: &[(String, String)], runs: &[Run], since: Option<DateTime<Utc>>) -> Vec<AuditRow> {
    let by_id: BTreeMap<i64, &Run> = runs.iter().map(|r| (r.id, r)).collect();
    let mut rows = Vec::new();
    let mut noted = std::collections::BTreeSet::new();
    for (sha, text) in notes {
        for note in parse_note(text) {
            noted.insert(note.run);
            if since.is_some_and(|s| note.finished_at < s) {
                continue;
            }
            let check = match by_id.get(&note.run) {
                None => "no such run in the store".to_string(),
                Some(r) if r.sha != *sha || note.sha != *sha => format!("the store's run is for {}", r.sha),
                Some(r) if r.status.as_str() != note.status => format!("the store says {}", r.status),
                Some(_) => "ok".to_string(),
            };
            for c in &note.components {
                rows.push(AuditRow {
                    finished_at: note.finished_at,
                    repo: note.repo.clone(),
                    sha: sha.clone(),
                    run: note.run,
                    pull_request: note.pull_request,
                    merged_by: note.merged_by.clone(),
                    approved_by: note.approved_by.join(" "),
                    stack: c.stack.clone(),
                    component: c.component.clone(),
                    result: c.result.clone(),
                    plan_digest: c.plan_digest.clone(),
                    check: check.clone(),
                });
            }
        }
    }
    for r in runs.iter().filter(|r| r.kind == crate::store::RunKind::Apply && !noted.contains(&r.id)) {
        let at = r.finished_at.unwrap_or(r.created_at);
        if since.is_some_and(|s| at < s) || !r.status.is_terminal() {
            continue;
        }
        rows.push(AuditRow {
            finished_at: at,
            repo: r.repo.clone(),
            sha: r.sha.clone(),
            run: r.id,
            pull_request: r.pull_request,
            merged_by: r.actor.clone(),
            approved_by: String::new(),
            stack: String::new(),
            component: String::new(),
            result: r.status.as_str().to_string(),
            plan_digest: None,
            check: "no audit note on the commit".into(),
        });
    }
    rows.sort_by(|a, b| {
        (a.finished_at, a.run, &a.stack, &a.component).cmp(&(b.finished_at, b.run, &b.stack, &b.component))
    });
    rows
}

const HEADER: [&str; 12] = [
    "finished_at",
    "repo",
    "sha",
    "run",
    "pull_request",
    "merged_by",
    "approved_by",
    "stack",
    "component",
    "result",
    "plan_digest",
    "check",
];

fn cells(r: &AuditRow) -> [String; 12] {
    [
        r.finished_at.to_rfc3339(),
        r.repo.clone(),
        r.sha.clone(),
        r.run.to_string(),
        r.pull_request.map(|n| n.to_string()).unwrap_or_default(),
        r.merged_by.clone().unwrap_or_default(),
        r.approved_by.clone(),
        r.stack.clone(),
        r.component.clone(),
        r.result.clone(),
        r.plan_digest.clone().unwrap_or_default(),
        r.check.clone(),
    ]
}

/// RFC 4180 CSV.
pub fn to_csv(rows: &[AuditRow]) -> String {
    let quote = |s: &str| {
        // A leading formula character is neutralised for spreadsheets.
        let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
        if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
    };
    let mut out = HEADER.join(",");
    out.push('\n');
    for r in rows {
        out.push_str(&cells(r).iter().map(|c| quote(c)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

pub fn to_markdown(rows: &[AuditRow]) -> String {
    let mut out = format!("| {} |\n|{}\n", HEADER.join(" | "), "---|".repeat(HEADER.len()));
    for r in rows {
        let c = cells(r).map(|c| c.replace('|', "\\|").replace('\n', " "));
        out.push_str(&format!("| {} |\n", c.join(" | ")));
    }
    out
}

pub fn to_json(rows: &[AuditRow]) -> String {
    serde_json::to_string_pretty(rows).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{RunKind, RunStatus};

    fn note(run: i64, sha: &str, status: &str) -> String {
        let n = AuditNote {
            paved: 1,
            run,
            repo: "acme/infra".into(),
            sha: sha.into(),
            pull_request: Some(7),
            author: Some("alice".into()),
            merged_by: Some("bob".into()),
            approved_by: vec!["bob".into(), "carol".into()],
            started_at: DateTime::from_timestamp(100, 0).unwrap(),
            finished_at: DateTime::from_timestamp(200 + run, 0).unwrap(),
            status: status.into(),
            components: vec![AuditComponent {
                stack: "dev".into(),
                component: "vpc".into(),
                result: "applied".into(),
                plan_digest: Some("abc".into()),
                reviewed_digest: Some("abc".into()),
                commands: vec![],
            }],
        };
        serde_json::to_string(&n).unwrap()
    }

    fn run(id: i64, sha: &str, status: RunStatus) -> Run {
        Run {
            id,
            repo: "acme/infra".into(),
            git_ref: "main".into(),
            sha: sha.into(),
            pull_request: Some(7),
            kind: RunKind::Apply,
            status,
            conclusion: None,
            actor: Some("bob".into()),
            replica: None,
            summary: serde_json::json!({}),
            created_at: DateTime::from_timestamp(100, 0).unwrap(),
            started_at: None,
            finished_at: DateTime::from_timestamp(300 + id, 0),
        }
    }

    #[test]
    fn notes_are_checked_against_the_store() {
        let notes = vec![
            ("s1".to_string(), format!("{}\nnot json\n{}", note(1, "s1", "succeeded"), note(2, "s1", "succeeded"))),
            ("s2".to_string(), note(3, "s2", "succeeded")),
        ];
        let runs =
            vec![run(1, "s1", RunStatus::Succeeded), run(2, "s1", RunStatus::Failed), run(4, "s9", RunStatus::Failed)];
        let rows = report(&notes, &runs, None);
        let checks: Vec<(i64, &str)> = rows.iter().map(|r| (r.run, r.check.as_str())).collect();
        assert_eq!(
            checks,
            [
                (1, "ok"),
                (2, "the store says failed"),
                (3, "no such run in the store"),
                (4, "no audit note on the commit")
            ]
        );
        let since = DateTime::from_timestamp(202, 0);
        assert_eq!(report(&notes, &runs, since).len(), 3);
        let csv = to_csv(&rows);
        assert!(csv.starts_with("finished_at,repo,sha,run,"));
        assert!(csv.lines().nth(1).unwrap().contains(",bob carol,dev,vpc,applied,abc,ok"), "{csv}");
        assert!(to_markdown(&rows).lines().count() == 6);
        let json: serde_json::Value = serde_json::from_str(&to_json(&rows)).unwrap();
        assert_eq!(json[0]["approved_by"], "bob carol");
    }

    #[test]
    fn csv_cells_are_quoted_and_formulas_neutralised() {
        let mut r = report(&[("s".into(), note(1, "s", "succeeded"))], &[], None).remove(0);
        r.merged_by = Some("=cmd|' /C calc'!A0".into());
        r.component = "a,\"b\"".into();
        let csv = to_csv(&[r]);
        assert!(csv.contains(",'=cmd|' /C calc'!A0,"), "{csv}");
        assert!(csv.contains(",\"a,\"\"b\"\"\","), "{csv}");
    }
}
