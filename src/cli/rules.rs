//! `paved rules`: every rule paved can report, with its default severity and documentation.

use std::io::Write;

use paved::report::RuleInfo;

use super::Outcome;

#[derive(Debug, clap::Args)]
#[command(
    about = "List the rules paved checks, with their default severities",
    after_help = "Examples:\n  paved rules                         # id, severity and summary of every rule\n  paved rules catalog/ref-unresolved  # one rule in full: what, why, an example\n  paved rules --json                  # machine-readable\n\nChange a rule's severity in paved.yaml:\n  rules:\n    catalog/orphan: error\n    catalog/relation-mismatch: off"
)]
pub struct Args {
    /// Show only rules whose id starts with this (e.g. `backstage/`, or one full id).
    filter: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Every rule of every capability.
pub fn all_rules() -> Vec<RuleInfo> {
    paved::catalog::rule_infos().into_iter().chain(paved::policy::rule_infos()).collect()
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let rules: Vec<RuleInfo> =
        all_rules().into_iter().filter(|r| args.filter.as_deref().is_none_or(|f| r.id.starts_with(f))).collect();
    if rules.is_empty() {
        eprintln!("paved: no rule matches `{}`", args.filter.unwrap_or_default());
        return Ok(Outcome::Failure);
    }
    let text = if args.json {
        serde_json::to_string_pretty(&rules)? + "\n"
    } else if rules.len() == 1 {
        let r = &rules[0];
        format!(
            "{} ({})\n\nWhat it does: {}\n\nWhy: {}\n\nExample:\n{}\n",
            r.id,
            r.severity,
            r.summary,
            r.why,
            r.example.lines().map(|l| format!("    {l}\n")).collect::<String>().trim_end()
        )
    } else {
        let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
        rules.iter().map(|r| format!("{:width$}  {:7}  {}\n", r.id, r.severity.as_str(), r.summary)).collect()
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(Outcome::Clean)
}
