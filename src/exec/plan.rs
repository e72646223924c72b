//! Reading Terraform's (and OpenTofu's) plan and apply output: the counts a PR comment shows,
//! and digests that tell whether a re-plan is the plan that was reviewed.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// What a plan would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct PlanSummary {
    pub add: u32,
    pub change: u32,
    pub destroy: u32,
    /// Resources brought under management by `import` blocks (Terraform 1.5+).
    pub import: u32,
    /// Nothing to do at all (outputs included).
    pub no_changes: bool,
}

/// What an apply or destroy did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ApplySummary {
    pub added: u32,
    pub changed: u32,
    pub destroyed: u32,
    pub imported: u32,
}

static ANSI: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)").expect("valid"));
static COUNT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\d+) (?:to )?([a-z]+)").expect("valid"));
static LOG_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})").expect("valid")
});

/// Removes colours and other terminal escapes.
pub fn strip_ansi(text: &str) -> Cow<'_, str> {
    ANSI.replace_all(text, "")
}

/// Reads the summary of `terraform plan` output (coloured or not). `None` when the output holds
/// no plan (the plan failed, or this is not plan output).
pub fn parse_plan(output: &str) -> Option<PlanSummary> {
    let text = strip_ansi(output);
    let mut summary = None;
    let mut outputs_changed = false;
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("Plan: ") {
            let mut s = PlanSummary::default();
            for c in COUNT.captures_iter(rest) {
                let n = c[1].parse().unwrap_or(u32::MAX);
                match &c[2] {
                    "add" => s.add = n,
                    "change" => s.change = n,
                    "destroy" => s.destroy = n,
                    "import" => s.import = n,
                    _ => {}
                }
            }
            summary = Some(s);
        } else if line.starts_with("No changes.") {
            summary = Some(PlanSummary { no_changes: true, ..PlanSummary::default() });
        } else if line == "Changes to Outputs:" {
            outputs_changed = true;
        }
    }
    match summary {
        Some(mut s) if !s.no_changes => {
            s.no_changes = s.add + s.change + s.destroy + s.import == 0 && !outputs_changed;
            Some(s)
        }
        Some(s) => Some(s),
        // Only outputs change: Terraform prints no `Plan:` line.
        None if outputs_changed => Some(PlanSummary::default()),
        None => None,
    }
}

/// Reads `Apply complete! Resources: …` or `Destroy complete! Resources: N destroyed.`
pub fn parse_apply(output: &str) -> Option<ApplySummary> {
    let text = strip_ansi(output);
    let line = text
        .lines()
        .map(str::trim)
        .rev()
        .find(|l| l.starts_with("Apply complete! Resources:") || l.starts_with("Destroy complete! Resources:"))?;
    let mut s = ApplySummary::default();
    for c in COUNT.captures_iter(line) {
        let n = c[1].parse().unwrap_or(u32::MAX);
        match &c[2] {
            "added" => s.added = n,
            "changed" => s.changed = n,
            "destroyed" => s.destroyed = n,
            "imported" => s.imported = n,
            _ => {}
        }
    }
    Some(s)
}

/// Where the part a reviewer reads begins.
const BODY_STARTS: &[&str] = &[
    "Terraform used the selected providers",
    "OpenTofu used the selected providers",
    "Note: Objects have changed outside of",
    "Terraform will perform the following actions",
    "OpenTofu will perform the following actions",
    "Changes to Outputs:",
    "No changes.",
];

/// Progress lines that differ between two runs of the same plan.
fn is_noise(line: &str) -> bool {
    LOG_LINE.is_match(line)
        || ["Refreshing state...", "Reading...", "Read complete after", "Still reading...", "Still creating..."]
            .iter()
            .any(|n| line.contains(n))
        || line.starts_with("Acquiring state lock")
        || line.starts_with("Releasing state lock")
}

/// The plan as a reviewer reads it: from the first line of the actions to the `Plan:` (or
/// `No changes.`) line, without colours, trailing blanks, progress or log lines. Everything
/// that varies between two runs of the same plan (timings, refresh order, the planfile path in
/// "Saved the plan to") falls outside it.
pub fn normalise_plan(output: &str) -> String {
    let text = strip_ansi(output);
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let start = lines.iter().position(|l| BODY_STARTS.iter().any(|s| l.trim_start().starts_with(s)));
    let end = lines.iter().rposition(|l| {
        let l = l.trim_start();
        l.starts_with("Plan: ") || l.starts_with("No changes.")
    });
    let body = match (start, end) {
        (Some(s), Some(e)) if s <= e => &lines[s..=e],
        (Some(s), _) => &lines[s..],
        _ => &lines[..],
    };
    let kept: Vec<&str> = body.iter().copied().filter(|l| !is_noise(l)).collect();
    let mut out = kept.join("\n");
    out.truncate(out.trim_end().len());
    out
}

/// sha256 (hex) of the normalised plan text.
pub fn plan_text_digest(output: &str) -> String {
    sha256_hex(normalise_plan(output).as_bytes())
}

/// sha256 (hex) of bytes, e.g. a planfile.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// sha256 (hex) of a file's bytes, read in pieces.
pub fn file_digest(path: &std::path::Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests;
