//! Check runs, and commit statuses when the credentials cannot write checks.
//!
//! Only GitHub Apps may create check runs; a personal token gets 403 (or 404 on a private
//! repository). paved then remembers to publish commit statuses instead.

use std::sync::atomic::Ordering;

use http::Method;
use octocrab::Octocrab;
use serde::Deserialize;
use serde_json::{Value, json};

use super::GitHub;
use crate::forge::check::{
    ANNOTATIONS_PER_REQUEST, OUTPUT_LIMIT, STATUS_CONTEXT_LIMIT, cut_with_note, github_status_state, one_line,
    status_description,
};
use crate::forge::names::{check_sha, segment};
use crate::forge::types::CheckKind;
use crate::forge::{Annotation, Check, CheckRef, CheckStatus, ForgeError, RepoId};

#[derive(Deserialize)]
struct CheckRun {
    id: u64,
    #[serde(default)]
    status: String,
    #[serde(default)]
    html_url: Option<String>,
}

#[derive(Deserialize)]
struct CheckRuns {
    check_runs: Vec<CheckRun>,
}

#[derive(Deserialize)]
struct Status {
    id: u64,
    #[serde(default)]
    url: Option<String>,
}

impl GitHub {
    pub(super) async fn publish_check_impl(&self, repo: &RepoId, check: &Check) -> Result<CheckRef, ForgeError> {
        let op = format!("publish check {} on {repo}", check.name);
        check_sha(&op, &check.head_sha)?;
        if check.name.trim().is_empty() {
            return Err(ForgeError::invalid(&op, "a check needs a name"));
        }
        let c = self.client(repo).await?;
        if self.checks_unavailable.load(Ordering::Relaxed) {
            return self.commit_status(&c, repo, check).await;
        }
        match self.check_run(&c, repo, check).await {
            Err(e @ ForgeError::Http { status: 403 | 404, .. }) if !self.is_app() => {
                tracing::warn!(repo = %repo, error = %e, "the token cannot write check runs; publishing commit statuses instead");
                self.checks_unavailable.store(true, Ordering::Relaxed);
                self.commit_status(&c, repo, check).await
            }
            other => other,
        }
    }

    /// Updates this check's run on the commit while it is still going; otherwise creates a
    /// new run (GitHub shows the newest, and a fresh run starts with no annotations — they
    /// only ever accumulate on a run).
    async fn check_run(&self, c: &Octocrab, repo: &RepoId, check: &Check) -> Result<CheckRef, ForgeError> {
        let op = format!("list check runs for {} on {repo}", check.head_sha);
        let path = format!(
            "/repos/{repo}/commits/{}/check-runs?check_name={}&filter=latest",
            check.head_sha,
            segment(&check.name)
        );
        let runs: CheckRuns = self.get(c, &op, &path).await?;
        let open = runs.check_runs.into_iter().find(|r| r.status != "completed");

        let batches: Vec<&[Annotation]> = check.annotations.chunks(ANNOTATIONS_PER_REQUEST).collect();
        let mut body = run_body(check);
        body["output"] = output(check, batches.first().copied().unwrap_or(&[]));
        let run: CheckRun = match open {
            Some(run) => {
                let op = format!("update check run {} on {repo}", run.id);
                self.send(c, &op, Method::PATCH, &format!("/repos/{repo}/check-runs/{}", run.id), &body).await?
            }
            None => {
                let op = format!("create check run {} on {repo}", check.name);
                self.send(c, &op, Method::POST, &format!("/repos/{repo}/check-runs"), &body).await?
            }
        };
        // Annotations beyond the first 50 go in further updates; GitHub appends them.
        for batch in batches.iter().skip(1) {
            let op = format!("add annotations to check run {} on {repo}", run.id);
            let more = json!({ "output": output(check, batch) });
            self.call(c, &op, Method::PATCH, &format!("/repos/{repo}/check-runs/{}", run.id), Some(&more)).await?;
        }
        Ok(CheckRef { kind: CheckKind::CheckRun, id: run.id, url: run.html_url, comment: None })
    }

    async fn commit_status(&self, c: &Octocrab, repo: &RepoId, check: &Check) -> Result<CheckRef, ForgeError> {
        let mut body = json!({
            "state": github_status_state(check.status),
            "context": one_line(&check.name, STATUS_CONTEXT_LIMIT),
            "description": status_description(check),
        });
        if let Some(url) = &check.details_url {
            body["target_url"] = json!(url);
        }
        let op = format!("set commit status {} on {repo}", check.name);
        let status: Status =
            self.send(c, &op, Method::POST, &format!("/repos/{repo}/statuses/{}", check.head_sha), &body).await?;
        Ok(CheckRef { kind: CheckKind::CommitStatus, id: status.id, url: status.url, comment: None })
    }
}

fn run_body(check: &Check) -> Value {
    let mut body = json!({ "name": check.name, "head_sha": check.head_sha });
    match check.status {
        CheckStatus::Queued => body["status"] = json!("queued"),
        CheckStatus::InProgress => body["status"] = json!("in_progress"),
        CheckStatus::Completed(conclusion) => {
            body["status"] = json!("completed");
            body["conclusion"] = json!(conclusion.as_str());
        }
    }
    if let Some(url) = &check.details_url {
        body["details_url"] = json!(url);
    }
    if let Some(id) = &check.external_id {
        body["external_id"] = json!(id);
    }
    body
}

/// The `output` object: title and summary are required on every request that has one.
fn output(check: &Check, annotations: &[Annotation]) -> Value {
    let title = if check.title.trim().is_empty() { check.name.clone() } else { check.title.clone() };
    let summary = if check.summary.trim().is_empty() { title.clone() } else { check.summary.clone() };
    let mut out = json!({
        "title": one_line(&title, 255),
        "summary": cut_with_note(&summary, OUTPUT_LIMIT),
    });
    if let Some(text) = &check.text {
        out["text"] = json!(cut_with_note(text, OUTPUT_LIMIT));
    }
    if !annotations.is_empty() {
        out["annotations"] = annotations.iter().map(annotation).collect();
    }
    out
}

fn annotation(a: &Annotation) -> Value {
    let mut v = json!({
        "path": a.path,
        "start_line": a.start_line.max(1),
        "end_line": a.end_line.max(a.start_line.max(1)),
        "annotation_level": a.level.as_str(),
        "message": cut_with_note(&a.message, 64 * 1024 - 1),
    });
    if let Some(t) = &a.title {
        v["title"] = json!(one_line(t, 255));
    }
    v
}
