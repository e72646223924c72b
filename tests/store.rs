//! The store on both databases: every test in the `both!` blocks runs as `<name>::sqlite` and
//! `<name>::postgres` (PostgreSQL from DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).

#[path = "store/support.rs"]
mod support;

#[path = "store/concurrency.rs"]
mod concurrency;
#[path = "store/crash.rs"]
mod crash;
#[path = "store/events.rs"]
mod events;
#[path = "store/locks.rs"]
mod locks;
#[path = "store/open.rs"]
mod open;
#[path = "store/queue.rs"]
mod queue;
#[path = "store/runs.rs"]
mod runs;
