//! `/api/v1/runs` and `/api/v1/locks` (see docs/openapi.yaml).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::store::{LockKey, RunFilter, RunKind, RunStatus};

use super::Server;

const MAX_LIMIT: u32 = 500;

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

fn store_error(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "store error in the API");
    error(StatusCode::SERVICE_UNAVAILABLE, "the store is unavailable")
}

#[derive(Debug, Deserialize)]
pub(super) struct RunsQuery {
    repo: Option<String>,
    #[serde(rename = "ref")]
    git_ref: Option<String>,
    pull_request: Option<u64>,
    kind: Option<String>,
    status: Option<String>,
    before: Option<i64>,
    limit: Option<u32>,
}

pub(super) async fn list_runs(State(s): State<Arc<Server>>, Query(q): Query<RunsQuery>) -> Response {
    let kind = match q.kind.as_deref().map(|k| RunKind::parse(k).ok_or(k)) {
        Some(Err(k)) => return error(StatusCode::BAD_REQUEST, format!("unknown kind `{}`", clip(k))),
        other => other.and_then(Result::ok),
    };
    let status = match q.status.as_deref().map(|k| RunStatus::parse(k).ok_or(k)) {
        Some(Err(k)) => return error(StatusCode::BAD_REQUEST, format!("unknown status `{}`", clip(k))),
        other => other.and_then(Result::ok),
    };
    let filter = RunFilter {
        repo: q.repo,
        git_ref: q.git_ref,
        pull_request: q.pull_request,
        kind,
        status,
        before_id: q.before,
        limit: q.limit.unwrap_or(50).clamp(1, MAX_LIMIT),
    };
    match s.store.list_runs(&filter).await {
        Ok(runs) => Json(json!({ "runs": runs })).into_response(),
        Err(e) => store_error(e),
    }
}

pub(super) async fn get_run(State(s): State<Arc<Server>>, Path(id): Path<i64>) -> Response {
    let run = match s.store.get_run(id).await {
        Ok(Some(run)) => run,
        Ok(None) => return error(StatusCode::NOT_FOUND, format!("no run {id}")),
        Err(e) => return store_error(e),
    };
    let steps = match s.store.steps(id).await {
        Ok(steps) => steps,
        Err(e) => return store_error(e),
    };
    let mut out = Vec::with_capacity(steps.len());
    for step in steps {
        let log = match s.store.step_log(step.id).await {
            Ok(log) => log,
            Err(e) => return store_error(e),
        };
        let mut value = serde_json::to_value(&step).unwrap_or_default();
        value["log"] = json!(log);
        out.push(value);
    }
    let plans = s.store.plans_for_run(id).await.unwrap_or_default();
    Json(json!({ "run": run, "steps": out, "plans": plans })).into_response()
}

pub(super) async fn list_locks(State(s): State<Arc<Server>>) -> Response {
    match s.store.list_locks().await {
        Ok(locks) => {
            let locks: Vec<_> = locks
                .into_iter()
                .map(|l| {
                    let pinned = l.is_pinned();
                    let mut v = serde_json::to_value(&l).unwrap_or_default();
                    v["pinned"] = json!(pinned);
                    v
                })
                .collect();
            Json(json!({ "locks": locks })).into_response()
        }
        Err(e) => store_error(e),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct LockQuery {
    stack: String,
    component: String,
}

/// The admin unlock: removes a lock whoever holds it, pinned or not.
pub(super) async fn delete_lock(
    State(s): State<Arc<Server>>,
    headers: HeaderMap,
    Query(q): Query<LockQuery>,
) -> Response {
    let Some(expected) = &s.admin_token else {
        return error(StatusCode::FORBIDDEN, "admin endpoints are disabled: no admin token is configured");
    };
    let given = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    // Constant time, so the token cannot be guessed byte by byte from response times.
    if given.is_empty() || !bool::from(given.as_bytes().ct_eq(expected.expose().as_bytes())) {
        return error(StatusCode::UNAUTHORIZED, "a valid admin bearer token is required");
    }
    let key = LockKey::new(q.stack, q.component);
    match s.store.force_unlock(&key).await {
        Ok(Some(lock)) => {
            tracing::info!(stack = %key.stack, component = %key.component, "admin unlock");
            let payload = json!({"stack": key.stack, "component": key.component, "run_id": lock.run_id});
            let _ = s.store.publish_event("lock.released", &payload).await;
            Json(json!({ "released": lock })).into_response()
        }
        Ok(None) => error(StatusCode::NOT_FOUND, "no such lock"),
        Err(e) => store_error(e),
    }
}

fn clip(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(40).collect()
}
