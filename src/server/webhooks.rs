//! `/webhooks/github` and `/webhooks/gitlab`: deliveries in, reconcile requests out.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use async_trait::async_trait;

use crate::forge::webhook::{DeliveryLog, DeliveryLogError, Event, Received};
use crate::forge::{ForgeKind, Permission};
use crate::reconcile::worker::{KeptBecause, unlock_pull_request};
use crate::store::{Enqueued, ReconcileRequest};

use super::Server;
use super::chatops::{ChatCommand, help_text};
use super::intake::{Intake, intake_for};

/// The receiver's delivery log while a [`Server`] runs: it records nothing, because the server
/// records each delivery with the work it queues (one transaction), so a delivery whose enqueue
/// failed is not refused as a replay when the forge sends it again.
pub(super) struct RecordedWithWork;

#[async_trait]
impl DeliveryLog for RecordedWithWork {
    async fn record(&self, _: ForgeKind, _: &str) -> Result<bool, DeliveryLogError> {
        Ok(true)
    }
}

/// The id the store keeps for a delivery (`github:<id>`; a digest when longer than it takes).
fn delivery_key(forge: ForgeKind, id: &str) -> String {
    let key = format!("{forge}:{id}");
    if key.len() <= 200 {
        return key;
    }
    use sha2::{Digest, Sha256};
    format!("{forge}:sha256:{}", hex::encode(Sha256::digest(id.as_bytes())))
}

pub(super) async fn github(State(s): State<Arc<Server>>, headers: HeaderMap, body: Body) -> Response {
    deliver(&s, ForgeKind::GitHub, &headers, body).await
}

pub(super) async fn gitlab(State(s): State<Arc<Server>>, headers: HeaderMap, body: Body) -> Response {
    deliver(&s, ForgeKind::GitLab, &headers, body).await
}

async fn deliver(s: &Server, forge: ForgeKind, headers: &HeaderMap, body: Body) -> Response {
    let start = Instant::now();
    let limit = s.receiver.max_payload;
    // Read at most `limit` bytes: an oversized body is refused without being buffered whole.
    let (outcome, response) = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => answer(s, forge, headers, &bytes).await,
        Err(_) => {
            let message = format!("payload is over the limit of {limit} bytes");
            ("refused", reply(StatusCode::PAYLOAD_TOO_LARGE, json!({ "error": message })))
        }
    };
    s.metrics.webhook(forge.as_str(), outcome, start.elapsed());
    response
}

fn reply(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

/// (metrics outcome, HTTP response).
async fn answer(s: &Server, forge: ForgeKind, headers: &HeaderMap, body: &[u8]) -> (&'static str, Response) {
    if s.is_draining() {
        // 503 makes the forge retry; another replica (or this one after restart) takes it.
        return ("draining", reply(StatusCode::SERVICE_UNAVAILABLE, json!({"error": "shutting down"})));
    }
    let received = match forge {
        ForgeKind::GitHub => s.receiver.github(headers, body).await,
        ForgeKind::GitLab => s.receiver.gitlab(headers, body).await,
    };
    let event = match received {
        Err(e) => {
            // The error text never holds the secret or the signature (forge::webhook).
            tracing::warn!(%forge, error = %e, "refused a webhook delivery");
            let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
            return ("refused", reply(status, json!({"error": e.to_string()})));
        }
        Ok(Received::Duplicate { delivery_id }) => {
            let body = json!({"status": "duplicate", "delivery": delivery_id});
            return ("duplicate", reply(StatusCode::CONFLICT, body));
        }
        Ok(Received::Ignored { event, .. }) => {
            return ("ignored", reply(StatusCode::OK, json!({"status": "ignored", "event": event})));
        }
        Ok(Received::Event(event)) => event,
    };
    let Some(local) = s.local_repo(event.repo.as_str()) else {
        let body = json!({"status": "ignored", "reason": "the repository is not configured in paved.yaml"});
        return ("ignored", reply(StatusCode::OK, body));
    };
    match intake_for(&event) {
        Intake::Nothing(why) => ("ignored", reply(StatusCode::OK, json!({"status": "ignored", "reason": why}))),
        Intake::Reconcile(mut req) => {
            req.repo = local;
            queue_delivery(s, &req, &event).await
        }
        Intake::Command { .. } if !first_delivery(s, &event).await => duplicate(&event),
        Intake::Command { number, sender, command } => match command {
            Err(e) => {
                let text = format!("@{sender} {e}\n\n{}", help_text());
                answer_comment(s, &event, number, &text).await;
                ("invalid_command", reply(StatusCode::OK, json!({"status": "invalid_command", "error": e.0})))
            }
            Ok(cmd) => run_command(s, &event, &local, number, &sender, cmd).await,
        },
    }
}

fn duplicate(event: &Event) -> (&'static str, Response) {
    tracing::info!(forge = %event.forge, delivery = %event.delivery_id, "dropping a repeated webhook delivery");
    ("duplicate", reply(StatusCode::CONFLICT, json!({"status": "duplicate", "delivery": event.delivery_id})))
}

/// Records a delivery that queues nothing (a command). False for a replay; a store error lets it
/// through rather than dropping a command the forge will not send again.
async fn first_delivery(s: &Server, event: &Event) -> bool {
    match s.store.record_delivery(&delivery_key(event.forge, &event.delivery_id)).await {
        Ok(new) => new,
        Err(e) => {
            tracing::warn!(error = %e, "could not record a webhook delivery");
            true
        }
    }
}

/// Queues the request and records the delivery in one transaction.
async fn queue_delivery(s: &Server, req: &ReconcileRequest, event: &Event) -> (&'static str, Response) {
    match s.store.enqueue_delivery(req, &delivery_key(event.forge, &event.delivery_id)).await {
        Ok(Some(done)) => queued(s, done),
        Ok(None) => duplicate(event),
        Err(e) => enqueue_failed(req, e),
    }
}

fn queued(s: &Server, done: Enqueued) -> (&'static str, Response) {
    let collapsed = matches!(done, Enqueued::Collapsed(_));
    // One new request needs one worker; waking them all made every idle worker race for it,
    // each claim a transaction. A collapsed request was announced when it was queued.
    if !collapsed {
        s.queued.notify_one();
    }
    let body = json!({"status": "queued", "request": done.id(), "collapsed": collapsed});
    ("queued", reply(StatusCode::ACCEPTED, body))
}

fn enqueue_failed(req: &ReconcileRequest, e: crate::store::StoreError) -> (&'static str, Response) {
    tracing::error!(error = %e, repo = %req.repo, "could not queue a reconcile request");
    ("error", reply(StatusCode::SERVICE_UNAVAILABLE, json!({"error": "could not queue the request"})))
}

async fn queue(s: &Server, req: &ReconcileRequest) -> (&'static str, Response) {
    match s.store.enqueue(req).await {
        Ok(done) => queued(s, done),
        Err(e) => enqueue_failed(req, e),
    }
}

async fn run_command(
    s: &Server,
    ev: &Event,
    repo: &str,
    number: u64,
    sender: &str,
    cmd: ChatCommand,
) -> (&'static str, Response) {
    let name = command_name(&cmd);
    if cmd == ChatCommand::Help {
        answer_comment(s, ev, number, help_text()).await;
        s.metrics.chatops(name, "answered");
        return ("command", reply(StatusCode::OK, json!({"status": "answered", "command": name})));
    }
    let Some(forge) = s.forges.get(&ev.forge) else {
        tracing::warn!(forge = %ev.forge, "a ChatOps command arrived but no forge credentials are configured");
        return ("ignored", reply(StatusCode::OK, json!({"status": "ignored", "reason": "no forge configured"})));
    };
    // Permission first: a stranger's command queues nothing.
    let permission = match forge.permission(&ev.repo, sender).await {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "could not look up a commenter's permission");
            return ("error", reply(StatusCode::BAD_GATEWAY, json!({"error": "permission lookup failed"})));
        }
    };
    if cmd.needs_write() && permission < Permission::Write {
        let text = format!("@{sender} `{cmd}` needs write access to {}; you have {}.", ev.repo, permission.as_str());
        answer_comment(s, ev, number, &text).await;
        s.metrics.chatops(name, "refused");
        return ("command", reply(StatusCode::FORBIDDEN, json!({"status": "refused", "command": name})));
    }
    let result = match &cmd {
        ChatCommand::Plan(_) | ChatCommand::Apply(_) => match forge.pull_request(&ev.repo, number).await {
            Ok(pr) => {
                let req = ReconcileRequest {
                    repo: repo.to_string(),
                    git_ref: pr.head_ref,
                    pull_request: Some(number),
                    reason: cmd.reason(),
                };
                let (outcome, response) = queue(s, &req).await;
                let text = format!("@{sender} `{cmd}`: queued.");
                answer_comment(s, ev, number, &text).await;
                s.metrics.chatops(name, outcome);
                return ("command", response);
            }
            Err(e) => Err(format!("could not read the pull request: {e}")),
        },
        ChatCommand::Unlock => unlock(s, repo, number).await,
        ChatCommand::Cancel => cancel(s, repo, number).await,
        ChatCommand::Help => Ok(String::new()),
    };
    let (status, text, outcome) = match result {
        Ok(text) => (StatusCode::OK, format!("@{sender} {text}"), "done"),
        Err(e) => (StatusCode::BAD_GATEWAY, format!("@{sender} `{cmd}` failed: {e}"), "failed"),
    };
    answer_comment(s, ev, number, &text).await;
    s.metrics.chatops(name, outcome);
    ("command", reply(status, json!({"status": outcome, "command": name})))
}

/// `/paved unlock`: the reconciler's one unlock rule (`reconcile::worker::unlock_pull_request`);
/// only the reply is written here.
async fn unlock(s: &Server, repo: &str, number: u64) -> Result<String, String> {
    let done = unlock_pull_request(s.store.as_ref(), repo, number).await.map_err(|e| e.to_string())?;
    let name = |k: &crate::store::LockKey| format!("`{}` in `{}`", k.component, k.stack);
    let mut text = match done.released.len() {
        0 => "this pull request holds no locks it can release.".to_string(),
        n => format!("released {n} lock(s): {}.", done.released.iter().map(name).collect::<Vec<_>>().join(", ")),
    };
    let kept = |why: KeptBecause| done.kept.iter().filter(|(_, w)| *w == why).map(|(k, _)| name(k)).collect::<Vec<_>>();
    let interrupted = kept(KeptBecause::Interrupted);
    if !interrupted.is_empty() {
        text.push_str(&format!(
            " Kept {} (an interrupted apply; a new plan or an admin releases it).",
            interrupted.join(", ")
        ));
    }
    let running = kept(KeptBecause::Running);
    if !running.is_empty() {
        text.push_str(&format!(" Kept {} (an apply is running; `/paved cancel` stops it).", running.join(", ")));
    }
    Ok(text)
}

async fn cancel(s: &Server, repo: &str, number: u64) -> Result<String, String> {
    let here = s.runs.cancel(repo, number);
    // Other replicas watch the event stream for runs they hold.
    let payload = json!({"repo": repo, "pull_request": number});
    s.store.publish_event("run.cancel_requested", &payload).await.map_err(|e| e.to_string())?;
    Ok(match here {
        0 => "cancel requested; any running plan or apply of this pull request stops.".to_string(),
        n => format!("cancelled {n} running run(s)."),
    })
}

/// Replies go into one sticky comment per request, never new comments.
async fn answer_comment(s: &Server, ev: &Event, number: u64, text: &str) {
    let Some(forge) = s.forges.get(&ev.forge) else { return };
    if let Err(e) = forge.upsert_comment(&ev.repo, number, "chatops", text).await {
        tracing::warn!(error = %e, "could not answer a ChatOps command");
    }
}

fn command_name(cmd: &ChatCommand) -> &'static str {
    match cmd {
        ChatCommand::Plan(_) => "plan",
        ChatCommand::Apply(_) => "apply",
        ChatCommand::Unlock => "unlock",
        ChatCommand::Cancel => "cancel",
        ChatCommand::Help => "help",
    }
}
