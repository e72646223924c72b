//! Check limits: text cut to what the APIs accept, with a note saying so. Pure.

use super::{Check, CheckConclusion, CheckStatus};

/// GitHub's cap on a check run's `output.summary` and `output.text`.
pub const OUTPUT_LIMIT: usize = 65_535;
/// GitHub accepts at most this many annotations per check-run request.
pub const ANNOTATIONS_PER_REQUEST: usize = 50;
/// Commit status `description` (GitHub documents no number; 140 is what it accepts).
pub const STATUS_DESCRIPTION_LIMIT: usize = 140;
/// Commit status `context`.
pub const STATUS_CONTEXT_LIMIT: usize = 255;

/// `text` cut to `max` characters, ending with a note of how much was left out. The cut
/// falls on a line break when one is near.
pub fn cut_with_note(text: &str, max: usize) -> String {
    let total = text.chars().count();
    if total <= max {
        return text.to_string();
    }
    let note = |n: usize| format!("\n\n_(cut: {n} more characters did not fit; the full report is on the run page)_");
    let room = max.saturating_sub(note(total).chars().count());
    let byte_end = text.char_indices().nth(room).map_or(text.len(), |(i, _)| i);
    let mut end = byte_end;
    if let Some(nl) = text[..byte_end].rfind('\n')
        && byte_end - nl < 2_000
    {
        end = nl;
    }
    let kept = &text[..end];
    format!("{kept}{}", note(total - kept.chars().count()))
}

/// A single line of at most `max` characters, ending with `…` when cut.
pub fn one_line(text: &str, max: usize) -> String {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    if line.chars().count() <= max {
        return line.to_string();
    }
    let mut out: String = line.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The commit status `description` for a check: its title, else its state.
pub fn status_description(check: &Check) -> String {
    let text = if check.title.trim().is_empty() { describe_status(check.status) } else { check.title.clone() };
    one_line(&text, STATUS_DESCRIPTION_LIMIT)
}

fn describe_status(status: CheckStatus) -> String {
    match status {
        CheckStatus::Queued => "queued".into(),
        CheckStatus::InProgress => "in progress".into(),
        CheckStatus::Completed(c) => c.as_str().replace('_', " "),
    }
}

/// GitHub commit status `state`: `pending`, `success`, `failure` or `error`.
pub fn github_status_state(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Queued | CheckStatus::InProgress => "pending",
        CheckStatus::Completed(CheckConclusion::Success | CheckConclusion::Neutral | CheckConclusion::Skipped) => {
            "success"
        }
        CheckStatus::Completed(CheckConclusion::Failure | CheckConclusion::ActionRequired) => "failure",
        CheckStatus::Completed(CheckConclusion::Cancelled | CheckConclusion::TimedOut) => "error",
    }
}

/// GitLab commit status `state`: `pending`, `running`, `success`, `failed` or `canceled`.
pub fn gitlab_status_state(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Queued => "pending",
        CheckStatus::InProgress => "running",
        CheckStatus::Completed(CheckConclusion::Success | CheckConclusion::Neutral | CheckConclusion::Skipped) => {
            "success"
        }
        CheckStatus::Completed(
            CheckConclusion::Failure | CheckConclusion::ActionRequired | CheckConclusion::TimedOut,
        ) => "failed",
        CheckStatus::Completed(CheckConclusion::Cancelled) => "canceled",
    }
}

/// The Markdown posted as a GitLab merge request note (GitLab has no check output).
pub fn note_body(check: &Check) -> String {
    let mut out = format!("### {} — {}\n\n", check.name, describe_status(check.status));
    if !check.title.is_empty() {
        out.push_str(&format!("**{}**\n\n", check.title.trim()));
    }
    if !check.summary.is_empty() {
        out.push_str(check.summary.trim_end());
        out.push_str("\n\n");
    }
    if let Some(text) = &check.text {
        out.push_str(text.trim_end());
        out.push_str("\n\n");
    }
    if !check.annotations.is_empty() {
        out.push_str(&format!("<details>\n<summary>{} findings</summary>\n\n", check.annotations.len()));
        for a in &check.annotations {
            let lines = if a.end_line > a.start_line {
                format!("{}-{}", a.start_line, a.end_line)
            } else {
                a.start_line.to_string()
            };
            let title = a.title.as_deref().map(|t| format!(" `{t}`")).unwrap_or_default();
            out.push_str(&format!(
                "- **{}** `{}:{}`{}: {}\n",
                a.level.as_str(),
                a.path,
                lines,
                title,
                one_line(&a.message, 500)
            ));
        }
        out.push_str("\n</details>\n");
    }
    if let Some(url) = &check.details_url {
        out.push_str(&format!("\n[Run details]({url})\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forge::{Annotation, AnnotationLevel};

    #[test]
    fn cuts_long_text_with_a_note() {
        assert_eq!(cut_with_note("short", 10), "short");
        let long = "line of text\n".repeat(10_000);
        let cut = cut_with_note(&long, OUTPUT_LIMIT);
        assert!(cut.chars().count() <= OUTPUT_LIMIT);
        assert!(cut.contains("more characters did not fit"));
        assert!(cut.starts_with("line of text\nline of text\n"));
        let wide = "é".repeat(70_000);
        let cut = cut_with_note(&wide, OUTPUT_LIMIT);
        assert!(cut.chars().count() <= OUTPUT_LIMIT && cut.len() > OUTPUT_LIMIT);
    }

    #[test]
    fn status_descriptions_fit() {
        let mut c = Check::new("paved/plan", "abc", CheckStatus::Completed(CheckConclusion::TimedOut));
        assert_eq!(status_description(&c), "timed out");
        c.title = "x".repeat(300);
        let d = status_description(&c);
        assert_eq!(d.chars().count(), STATUS_DESCRIPTION_LIMIT);
        assert!(d.ends_with('…'));
        assert_eq!(github_status_state(c.status), "error");
        assert_eq!(gitlab_status_state(c.status), "failed");
        assert_eq!(gitlab_status_state(CheckStatus::InProgress), "running");
        assert_eq!(github_status_state(CheckStatus::InProgress), "pending");
    }

    #[test]
    fn note_lists_annotations() {
        let mut c = Check::new("paved/plan", "abc", CheckStatus::Completed(CheckConclusion::Failure));
        c.title = "1 error".into();
        c.annotations.push(Annotation {
            path: "stacks/dev.yaml".into(),
            start_line: 3,
            end_line: 5,
            level: AnnotationLevel::Failure,
            title: Some("stacks/unknown".into()),
            message: "bad".into(),
        });
        let n = note_body(&c);
        assert!(n.contains("- **failure** `stacks/dev.yaml:3-5` `stacks/unknown`: bad"), "{n}");
        assert!(super::super::comment::is_balanced(&n));
    }
}
