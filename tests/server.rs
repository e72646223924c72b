//! `paved serve`'s HTTP side over a real socket, a real store (SQLite, and PostgreSQL where the
//! test says so) and the in-memory forge.

#[path = "store/support.rs"]
#[allow(dead_code)]
mod support;

#[path = "server/harness.rs"]
mod harness;

#[path = "server/api.rs"]
mod api;
#[path = "server/chatops.rs"]
mod chatops;
#[path = "server/events.rs"]
mod events;
#[path = "server/openapi.rs"]
mod openapi;
#[path = "server/webhooks.rs"]
mod webhooks;
