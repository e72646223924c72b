//! The edge of CI detection: reads the process environment and GitHub's event payload, and
//! writes what was learned for shell scripts (`paved ci env`).

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::{Value, json};

use super::{BaseRef, CiContext, Provider, detect};

/// The largest event payload read; GitHub's are far smaller.
const MAX_EVENT_BYTES: u64 = 16 << 20;

/// Detects the CI system from this process's environment. On GitHub Actions the event payload
/// at `GITHUB_EVENT_PATH` is read too; an unreadable payload is treated as absent.
pub fn from_process_env() -> Option<CiContext> {
    let env: BTreeMap<String, String> =
        std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))).collect();
    let event = env.get("GITHUB_EVENT_PATH").and_then(|p| read_event(std::path::Path::new(p)));
    detect(&env, event.as_ref())
}

/// The output format that suits the CI this process runs in, if any: `github` on GitHub
/// Actions (annotations), `human` on GitLab CI. Commands use it when neither `--format` nor
/// `PAVED_FORMAT` is given.
pub fn detected_format() -> Option<crate::report::Format> {
    use clap::ValueEnum;
    let ctx = from_process_env()?;
    crate::report::Format::from_str(ctx.default_format(), true).ok()
}

fn read_event(path: &std::path::Path) -> Option<Value> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path).ok()?.take(MAX_EVENT_BYTES).read_to_end(&mut bytes).ok()?;
    serde_json::from_slice(&bytes).ok()
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::GithubActions => "github-actions",
            Provider::GitlabCi => "gitlab-ci",
        }
    }
}

/// The context as `KEY='value'` lines a POSIX shell can `eval`. Values are single-quoted (a
/// quote inside becomes `'\''`), so a branch name cannot run a command. Outside CI only
/// `PAVED_CI_PROVIDER=''` is written.
pub fn shell(ctx: Option<&CiContext>) -> String {
    let mut out = String::new();
    for (k, v) in pairs(ctx) {
        let _ = writeln!(out, "{k}={}", quote(&v));
    }
    out
}

/// The context as a JSON object with the same keys as [`shell`], lower-cased.
pub fn json(ctx: Option<&CiContext>) -> String {
    let map: serde_json::Map<String, Value> = pairs(ctx)
        .into_iter()
        .map(|(k, v)| (k.trim_start_matches("PAVED_CI_").to_ascii_lowercase(), Value::from(v)))
        .collect();
    let mut s = json!(map).to_string();
    s.push('\n');
    s
}

fn pairs(ctx: Option<&CiContext>) -> Vec<(&'static str, String)> {
    let Some(c) = ctx else {
        return vec![("PAVED_CI_PROVIDER", String::new())];
    };
    let (kind, base) = match &c.base {
        Some(BaseRef::MergeBaseWith(r)) => ("merge-base", r.clone()),
        Some(BaseRef::Commit(s)) => ("commit", s.clone()),
        None => ("", String::new()),
    };
    vec![
        ("PAVED_CI_PROVIDER", c.provider.as_str().into()),
        ("PAVED_CI_FORMAT", c.default_format().into()),
        ("PAVED_CI_BASE_KIND", kind.into()),
        ("PAVED_CI_BASE", base),
        ("PAVED_CI_SHA", c.sha.clone().unwrap_or_default()),
        ("PAVED_CI_PULL_REQUEST", c.pull_request.map(|n| n.to_string()).unwrap_or_default()),
        ("PAVED_CI_BRANCH", c.branch.clone().unwrap_or_default()),
        ("PAVED_CI_DEFAULT_BRANCH", c.default_branch.clone().unwrap_or_default()),
        ("PAVED_CI_REPOSITORY", c.repository.clone().unwrap_or_default()),
    ]
}

/// POSIX single quoting.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_values_are_quoted() {
        let ctx = CiContext {
            provider: Provider::GitlabCi,
            repository: None,
            sha: None,
            pull_request: Some(3),
            base: Some(BaseRef::MergeBaseWith("origin/ma'in".into())),
            branch: Some("x$(touch /tmp/pwned)`id`".into()),
            default_branch: None,
        };
        let out = shell(Some(&ctx));
        assert!(out.contains("PAVED_CI_BASE='origin/ma'\\''in'\n"));
        assert!(out.contains("PAVED_CI_BRANCH='x$(touch /tmp/pwned)`id`'\n"));
        assert!(out.contains("PAVED_CI_BASE_KIND='merge-base'\n"));
        assert!(out.contains("PAVED_CI_PULL_REQUEST='3'\n"));
        assert_eq!(shell(None), "PAVED_CI_PROVIDER=''\n");
        assert_eq!(json(None), "{\"provider\":\"\"}\n");
    }
}
