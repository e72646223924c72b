//! The reconciler's engine against fakes of its ports: in-memory commits, the MemoryForge, the
//! scripted executor and a real store — every test runs as `<name>::sqlite` and
//! `<name>::postgres` (PostgreSQL from DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test,
//! in a schema of its own).

// The store tests' fresh databases (a SQLite file in a temp folder, a PostgreSQL schema).
#[allow(dead_code)]
#[path = "store/support.rs"]
mod db;

#[path = "reconcile/support.rs"]
mod support;

#[path = "reconcile/apply_flow.rs"]
mod apply_flow;
#[path = "reconcile/plan_flow.rs"]
mod plan_flow;
#[path = "reconcile/unlock.rs"]
mod unlock;
