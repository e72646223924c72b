//! The reconciler's engine against fakes of its ports: in-memory commits, the MemoryForge, the
//! scripted executor and a real (in-memory) SQLite store.

#[path = "reconcile/support.rs"]
mod support;

#[path = "reconcile/apply_flow.rs"]
mod apply_flow;
#[path = "reconcile/plan_flow.rs"]
mod plan_flow;
#[path = "reconcile/unlock.rs"]
mod unlock;
