//! A fake GitHub for `webhook-load`: answers the calls a plan run makes (the pull request, its
//! reviews, check runs, the sticky comment) and records when each check run was posted.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::extract::{Json, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Router, serve};
use serde_json::{Value, json};

/// A check run as paved posted it.
#[derive(Debug, Clone)]
pub struct PostedCheck {
    pub at: SystemTime,
    pub head_sha: String,
    /// paved's run id (`external_id`).
    pub run: Option<i64>,
    pub status: String,
}

#[derive(Default)]
pub struct FakeState {
    /// Pull request number → head sha.
    pub heads: BTreeMap<u64, String>,
    pub checks: Mutex<Vec<PostedCheck>>,
}

/// Serves on 127.0.0.1 (a free port); returns the base URL.
pub async fn start(state: Arc<FakeState>) -> anyhow::Result<String> {
    let app = Router::new()
        .route("/repos/{owner}/{name}/pulls/{number}", get(pull))
        .route("/repos/{owner}/{name}/pulls/{number}/reviews", get(|| async { Json(json!([])) }))
        .route(
            "/repos/{owner}/{name}/commits/{sha}/check-runs",
            get(|| async { Json(json!({"total_count": 0, "check_runs": []})) }),
        )
        .route("/repos/{owner}/{name}/check-runs", post(check))
        .route("/repos/{owner}/{name}/check-runs/{id}", patch(check))
        .route("/repos/{owner}/{name}/issues/{number}/comments", get(|| async { Json(json!([])) }).post(comment))
        .route("/repos/{owner}/{name}/issues/comments/{id}", patch(comment))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = serve(listener, app).await;
    });
    Ok(url)
}

async fn pull(State(s): State<Arc<FakeState>>, Path((owner, name, number)): Path<(String, String, u64)>) -> Response {
    let Some(head) = s.heads.get(&number) else { return StatusCode::NOT_FOUND.into_response() };
    Json(json!({
        "number": number, "title": "load", "html_url": format!("https://github.com/{owner}/{name}/pull/{number}"),
        "state": "open", "draft": false, "merged": false, "mergeable": true, "user": { "login": "load" },
        "head": { "ref": format!("load/p{number}"), "sha": head },
        "base": { "ref": "main", "sha": head }
    }))
    .into_response()
}

async fn check(State(s): State<Arc<FakeState>>, Json(body): Json<Value>) -> Response {
    let posted = PostedCheck {
        at: SystemTime::now(),
        head_sha: body["head_sha"].as_str().unwrap_or_default().to_string(),
        run: body["external_id"].as_str().and_then(|id| id.parse().ok()),
        status: body["status"].as_str().unwrap_or_default().to_string(),
    };
    let id = {
        let mut checks = s.checks.lock().unwrap_or_else(|e| e.into_inner());
        checks.push(posted);
        checks.len()
    };
    (StatusCode::CREATED, Json(json!({"id": id, "status": "completed", "html_url": "https://github.invalid/check"})))
        .into_response()
}

async fn comment() -> Response {
    (StatusCode::CREATED, Json(json!({"id": 1, "body": ""}))).into_response()
}
