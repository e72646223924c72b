//! The Atmos executor, driven through `tests/support/atmos-standin` (a scripted stand-in for
//! the atmos CLI that records its argv and replays Terraform's output and exit codes).

#[path = "exec/support.rs"]
mod support;

#[path = "exec/argv.rs"]
mod argv;
#[path = "exec/dry_run.rs"]
mod dry_run;
#[path = "exec/outcomes.rs"]
mod outcomes;
#[path = "exec/stopping.rs"]
mod stopping;
#[path = "exec/streaming.rs"]
mod streaming;
