//! `/api/v1/events`: the store's events as server-sent events.
//!
//! Events come from the store, not from memory, so every replica streams the same history and a
//! client that reconnects with `Last-Event-ID` misses nothing.

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use serde::Deserialize;

use super::Server;

const BATCH: u32 = 200;

#[derive(Debug, Deserialize)]
pub(super) struct EventsQuery {
    /// Start after this event id (default: only new events).
    after: Option<i64>,
    /// Comma-separated kinds to keep (default: all).
    kinds: Option<String>,
}

struct Cursor {
    server: Arc<Server>,
    after: i64,
    kinds: BTreeSet<String>,
    pending: std::collections::VecDeque<crate::store::Event>,
}

pub(super) async fn stream(
    State(s): State<Arc<Server>>,
    headers: HeaderMap,
    Query(q): Query<EventsQuery>,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let resume = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    let after = match resume.or(q.after) {
        Some(id) => id,
        None => latest_id(&s).await,
    };
    let kinds =
        q.kinds.unwrap_or_default().split(',').map(str::trim).filter(|k| !k.is_empty()).map(String::from).collect();
    let cursor = Cursor { server: s, after, kinds, pending: Default::default() };
    let events = stream::unfold(cursor, |mut c| async move {
        loop {
            if let Some(ev) = c.pending.pop_front() {
                c.after = ev.id;
                if !c.kinds.is_empty() && !c.kinds.contains(&ev.kind) {
                    continue;
                }
                let sse = SseEvent::default().id(ev.id.to_string()).event(ev.kind.clone()).json_data(&ev);
                let sse = sse.unwrap_or_else(|_| SseEvent::default().comment("unserialisable event"));
                return Some((Ok(sse), c));
            }
            if c.server.is_draining() {
                return None;
            }
            match c.server.store.events_since(c.after, BATCH).await {
                Ok(batch) if !batch.is_empty() => c.pending.extend(batch),
                Ok(_) => tokio::time::sleep(c.server.event_poll).await,
                Err(e) => {
                    tracing::warn!(error = %e, "event stream: store error");
                    tokio::time::sleep(c.server.event_poll * 4).await;
                }
            }
        }
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// The newest event id, so a fresh client starts at "now".
async fn latest_id(s: &Server) -> i64 {
    let mut after = 0;
    // events_since is paged; walk to the end (a fresh server has few events; old ones are pruned).
    while let Ok(batch) = s.store.events_since(after, 10_000).await {
        match batch.last() {
            Some(last) => after = last.id,
            None => break,
        }
        if batch.len() < 10_000 {
            break;
        }
    }
    after
}
