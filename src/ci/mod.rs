//! Recognising the CI system paved runs in, from its environment variables.
//!
//! Pure: the caller passes the environment (and, on GitHub Actions, the event payload it read
//! from `GITHUB_EVENT_PATH`). The result says which provider this is, which output format suits
//! its log viewer, and what to compare against: the pull request's fork point, or the commit
//! before a push.
//!
//! Beside detection sit the pieces of CI glue that the GitHub Action and the GitLab template
//! call through `paved ci`: reading affected output and fanning it out (a GitHub matrix, a
//! GitLab child pipeline), job summaries, and re-rendering a saved JSON report. All pure except
//! [`from_process_env`] and [`detected_format`], which read the process environment.

pub mod affected;
mod env;
pub mod gitlab_pipeline;
mod report_file;
pub mod summary;

pub use env::{detected_format, from_process_env, json as context_json, shell as context_shell};
pub use report_file::read_report;

use std::collections::BTreeMap;

use serde_json::Value;

/// The CI system, when paved recognises one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    GithubActions,
    GitlabCi,
}

/// What to diff against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseRef {
    /// A pull request: the merge base of HEAD and this ref (the target branch), i.e. the fork
    /// point, never the target's tip.
    MergeBaseWith(String),
    /// An exact commit (GitLab's `CI_MERGE_REQUEST_DIFF_BASE_SHA`, or a push's `before`).
    Commit(String),
}

/// What paved learned from the CI environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiContext {
    pub provider: Provider,
    /// `owner/name` (GitHub) or `group/project` (GitLab).
    pub repository: Option<String>,
    pub sha: Option<String>,
    pub pull_request: Option<u64>,
    pub base: Option<BaseRef>,
    /// The branch being built (the PR's source branch on a pull request).
    pub branch: Option<String>,
    pub default_branch: Option<String>,
}

impl CiContext {
    /// The diagnostics format that reads best in this CI's logs.
    pub fn default_format(&self) -> &'static str {
        match self.provider {
            // Workflow commands become annotations on the PR's diff.
            Provider::GithubActions => "github",
            // GitLab shows findings from a Code Quality artifact, not from the log: keep the log
            // readable; the CI template writes the artifact with `--format gitlab`.
            Provider::GitlabCi => "human",
        }
    }
}

/// A push to a new branch reports this all-zero "before" commit.
fn is_null_sha(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b == b'0')
}

fn non_empty(env: &BTreeMap<String, String>, key: &str) -> Option<String> {
    env.get(key).filter(|v| !v.is_empty()).cloned()
}

/// Recognises GitHub Actions or GitLab CI. `github_event` is the JSON at `GITHUB_EVENT_PATH`.
pub fn detect(env: &BTreeMap<String, String>, github_event: Option<&Value>) -> Option<CiContext> {
    if env.get("GITHUB_ACTIONS").is_some_and(|v| v == "true") {
        return Some(github(env, github_event));
    }
    if env.get("GITLAB_CI").is_some_and(|v| v == "true") {
        return Some(gitlab(env));
    }
    None
}

fn github(env: &BTreeMap<String, String>, event: Option<&Value>) -> CiContext {
    let event_name = env.get("GITHUB_EVENT_NAME").map(String::as_str).unwrap_or("");
    let is_pr = matches!(event_name, "pull_request" | "pull_request_target");
    let pull_request =
        event.and_then(|e| e.pointer("/pull_request/number")).and_then(Value::as_u64).filter(|_| is_pr).or_else(|| {
            // refs/pull/123/merge
            let r = env.get("GITHUB_REF")?;
            r.strip_prefix("refs/pull/")?.split('/').next()?.parse().ok()
        });
    let base = if is_pr {
        non_empty(env, "GITHUB_BASE_REF").map(|b| BaseRef::MergeBaseWith(format!("origin/{b}")))
    } else if event_name == "merge_group" {
        event
            .and_then(|e| e.pointer("/merge_group/base_sha"))
            .and_then(Value::as_str)
            .map(|s| BaseRef::Commit(s.into()))
    } else {
        event
            .and_then(|e| e.get("before"))
            .and_then(Value::as_str)
            .filter(|s| !is_null_sha(s))
            .map(|s| BaseRef::Commit(s.to_string()))
    };
    let branch = if is_pr {
        non_empty(env, "GITHUB_HEAD_REF")
    } else {
        non_empty(env, "GITHUB_REF_NAME")
            .or_else(|| env.get("GITHUB_REF").and_then(|r| r.strip_prefix("refs/heads/")).map(str::to_string))
    };
    CiContext {
        provider: Provider::GithubActions,
        repository: non_empty(env, "GITHUB_REPOSITORY"),
        sha: event
            .and_then(|e| e.pointer("/pull_request/head/sha"))
            .and_then(Value::as_str)
            .filter(|_| is_pr)
            .map(str::to_string)
            .or_else(|| non_empty(env, "GITHUB_SHA")),
        pull_request,
        base,
        branch,
        default_branch: event
            .and_then(|e| e.pointer("/repository/default_branch"))
            .and_then(Value::as_str)
            .map(str::to_string),
    }
}

fn gitlab(env: &BTreeMap<String, String>) -> CiContext {
    let mr = non_empty(env, "CI_MERGE_REQUEST_IID").and_then(|v| v.parse().ok());
    let base = if mr.is_some() {
        non_empty(env, "CI_MERGE_REQUEST_DIFF_BASE_SHA").map(BaseRef::Commit).or_else(|| {
            non_empty(env, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME").map(|b| BaseRef::MergeBaseWith(format!("origin/{b}")))
        })
    } else {
        non_empty(env, "CI_COMMIT_BEFORE_SHA").filter(|s| !is_null_sha(s)).map(BaseRef::Commit)
    };
    CiContext {
        provider: Provider::GitlabCi,
        repository: non_empty(env, "CI_PROJECT_PATH"),
        sha: non_empty(env, "CI_COMMIT_SHA"),
        pull_request: mr,
        base,
        branch: non_empty(env, "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME").or_else(|| non_empty(env, "CI_COMMIT_BRANCH")),
        default_branch: non_empty(env, "CI_DEFAULT_BRANCH"),
    }
}

#[cfg(test)]
mod tests;
