//! The drift issue of one stack-component: its key (the hidden marker that finds it again),
//! title, Markdown body, and the comment that closes it. Pure.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use regex::Regex;

use crate::exec::plan::{PlanSummary, normalise_plan};
use crate::forge::IssueSpec;
use crate::store::{DriftState, LockKey};

/// The label every drift issue carries (it also narrows the forge's issue search).
pub const LABEL: &str = "paved-drift";

/// Most plan lines quoted in an issue; the rest is in the run's log.
const EXCERPT_LINES: usize = 300;
/// Most characters quoted (the forge's body limit is 65,536).
const EXCERPT_CHARS: usize = 40_000;

/// `drift:STACK/COMPONENT`, made safe for an HTML comment: `%`, spaces and the second dash of
/// `--` are percent-encoded (component names may hold spaces; stacks may hold `--`).
pub fn issue_key(key: &LockKey) -> String {
    let mut out = String::from("drift:");
    for c in format!("{}/{}", key.stack, key.component).chars() {
        match c {
            '%' => out.push_str("%25"),
            ' ' => out.push_str("%20"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '-' if out.ends_with('-') => out.push_str("%2D"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// What an issue shows besides the state.
#[derive(Debug, Clone)]
pub struct IssueFacts<'a> {
    pub repo: &'a str,
    pub summary: PlanSummary,
    /// The plan output (masked by the executor); cut and masked again here.
    pub plan: &'a str,
}

/// "1 to add, 2 to change, 0 to destroy" (Terraform's words).
pub fn summary_line(s: &PlanSummary) -> String {
    let mut line = format!("{} to add, {} to change, {} to destroy", s.add, s.change, s.destroy);
    if s.import > 0 {
        line.push_str(&format!(", {} to import", s.import));
    }
    if s.add + s.change + s.destroy + s.import == 0 {
        line.push_str(" (outputs only)");
    }
    line
}

/// The issue for a drifted component.
pub fn drift_issue(state: &DriftState, facts: &IssueFacts<'_>) -> IssueSpec {
    let LockKey { stack, component } = &state.key;
    let when = |t: Option<DateTime<Utc>>| t.map_or("-".to_string(), |t| t.format("%Y-%m-%d %H:%M UTC").to_string());
    let sha = state.sha.get(..12).unwrap_or(&state.sha);
    let excerpt = excerpt(facts.plan);
    let fence = fence_for(&excerpt);
    let body = format!(
        "## Drift: `{component}` in `{stack}`\n\n\
         A drift check planned this component on the default branch and Terraform found changes \
         that are not in the code (`-detailed-exitcode` exited 2).\n\n\
         | | |\n|---|---|\n\
         | Repository | `{repo}` |\n| Stack | `{stack}` |\n| Component | `{component}` |\n\
         | Plan | {plan} |\n| First seen | {first} |\n| Last seen | {last} |\n| Commit | `{sha}` |\n\n\
         <details><summary>Plan</summary>\n\n{fence}text\n{excerpt}\n{fence}\n\n</details>\n\n\
         Reproduce with `atmos terraform plan {component_arg} -s {stack}`. Either apply the code \
         again or change the code to match; paved closes this issue when a check finds the \
         component in sync.\n",
        repo = facts.repo,
        plan = summary_line(&facts.summary),
        first = when(state.first_seen),
        last = when(state.last_seen),
        component_arg = shell_word(component),
    );
    IssueSpec {
        key: issue_key(&state.key),
        title: format!("Drift: {component} in {stack}"),
        body,
        labels: vec![LABEL.to_string()],
    }
}

/// The comment posted when a component is in sync again.
pub fn recovered_comment(state: &DriftState, since: Option<DateTime<Utc>>) -> String {
    let sha = state.sha.get(..12).unwrap_or(&state.sha);
    let since = since.map(|t| format!(" (drifting since {})", t.format("%Y-%m-%d %H:%M UTC"))).unwrap_or_default();
    format!(
        "A drift check at `{sha}` on {} found `{}` in `{}` in sync again{since}: closing.",
        state.checked_at.format("%Y-%m-%d %H:%M UTC"),
        state.key.component,
        state.key.stack
    )
}

static SECRET_ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)^(\s*[~+\-]?\s*"?[a-z0-9_.\-]*(?:password|passwd|secret|token|private_key|access_key|api_key|credentials?)[a-z0-9_.\-]*"?\s*[=:]\s*)(.+)$"#,
    )
    .expect("valid")
});

/// The plan as a reviewer reads it, with values of secret-looking attributes masked
/// (Terraform hides only attributes its providers mark sensitive), cut to a readable size.
pub fn excerpt(plan: &str) -> String {
    let text = normalise_plan(plan);
    let total = text.lines().count();
    let mut out = String::new();
    for (kept, line) in text.lines().enumerate() {
        let line = match SECRET_ASSIGN.captures(line) {
            // Already hidden by Terraform, or a nested block opening: leave as is.
            Some(c) if !c[2].contains("(sensitive value)") && !matches!(c[2].trim(), "{" | "[" | "(") => {
                format!("{}\"***\"", &c[1])
            }
            _ => line.to_string(),
        };
        if kept == EXCERPT_LINES || out.len() + line.len() > EXCERPT_CHARS {
            out.push_str(&format!("… ({} more lines in the run's log)\n", total - kept));
            break;
        }
        out.push_str(&line);
        out.push('\n');
    }
    out.truncate(out.trim_end().len());
    out
}

/// A code fence longer than any run of backticks inside the text.
fn fence_for(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat((longest + 1).max(3))
}

fn shell_word(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || "/-_.".contains(c)) { s.to_string() } else { format!("'{s}'") }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::exec::transcript::plan_output;

    fn state() -> DriftState {
        let t = Utc.with_ymd_and_hms(2026, 11, 20, 6, 0, 0).unwrap();
        DriftState {
            repo: "platform".into(),
            key: LockKey::new("plat-ue2-dev", "vpc"),
            drifted: true,
            first_seen: Some(t),
            last_seen: Some(t + chrono::Duration::days(2)),
            checked_at: t + chrono::Duration::days(2),
            sha: "0123456789abcdef0123".into(),
            add: 1,
            change: 2,
            destroy: 0,
            issue: None,
        }
    }

    #[test]
    fn keys_are_marker_safe_and_distinct() {
        assert_eq!(issue_key(&LockKey::new("plat-ue2-dev", "vpc")), "drift:plat-ue2-dev/vpc");
        let odd = issue_key(&LockKey::new("a--b", "my comp<>"));
        assert_eq!(odd, "drift:a-%2Db/my%20comp%3C%3E");
        assert!(!odd.contains("--") && !odd.contains(' ') && !odd.contains('<') && !odd.contains('>'));
        assert_ne!(issue_key(&LockKey::new("a", "b c")), issue_key(&LockKey::new("a", "b%20c")));
    }

    #[test]
    fn the_body_names_everything_a_reader_needs() {
        let plan = plan_output(1, 2, 0, None);
        let s = PlanSummary { add: 1, change: 2, ..PlanSummary::default() };
        let issue = drift_issue(&state(), &IssueFacts { repo: "platform", summary: s, plan: &plan });
        assert_eq!(issue.title, "Drift: vpc in plat-ue2-dev");
        assert_eq!(issue.labels, [LABEL]);
        for want in [
            "| Stack | `plat-ue2-dev` |",
            "| Plan | 1 to add, 2 to change, 0 to destroy |",
            "| First seen | 2026-11-20 06:00 UTC |",
            "| Last seen | 2026-11-22 06:00 UTC |",
            "| Commit | `0123456789ab` |",
            "Plan: 1 to add, 2 to change, 0 to destroy.",
            "atmos terraform plan vpc -s plat-ue2-dev",
        ] {
            assert!(issue.body.contains(want), "{want} not in\n{}", issue.body);
        }
    }

    #[test]
    fn secret_looking_values_are_masked_and_long_plans_cut() {
        let plan = "Terraform will perform the following actions:\n  ~ db_password = \"hunter2\" -> \"s3cr3t\"\n  \
                    + api_token   = (sensitive value)\n  ~ name = \"a\" -> \"b\"\nPlan: 0 to add, 1 to change, 0 to destroy.\n";
        let e = excerpt(plan);
        assert!(!e.contains("hunter2") && !e.contains("s3cr3t"), "{e}");
        assert!(e.contains("~ db_password = \"***\"") && e.contains("(sensitive value)"), "{e}");
        assert!(e.contains("~ name = \"a\" -> \"b\""), "{e}");
        let long: String = (0..1000).map(|i| format!("  + line{i} = {i}\n")).collect();
        let e = excerpt(&format!(
            "Terraform will perform the following actions:\n{long}Plan: 1 to add, 0 to change, 0 to destroy."
        ));
        assert!(e.lines().count() <= EXCERPT_LINES + 1 && e.ends_with("more lines in the run's log)"), "{e}");
    }

    #[test]
    fn fences_outgrow_backticks_in_the_plan() {
        assert_eq!(fence_for("a ``` b"), "````");
        assert_eq!(fence_for("plain"), "```");
    }

    #[test]
    fn the_recovery_comment_says_when() {
        let mut s = state();
        s.drifted = false;
        let c = recovered_comment(&s, Some(Utc.with_ymd_and_hms(2026, 11, 20, 6, 0, 0).unwrap()));
        assert!(c.contains("`vpc` in `plat-ue2-dev` in sync again (drifting since 2026-11-20 06:00 UTC)"), "{c}");
    }
}
