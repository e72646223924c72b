//! Drift: `paved drift` and the drift schedule. The engine against fakes (both store backends
//! for the schedule's lease), and the CLI end to end on a real git repository with the atmos
//! stand-in and a wiremock GitHub or GitLab speaking the Issues API.

#[path = "store/support.rs"]
#[allow(dead_code)]
mod support;

#[path = "drift/harness.rs"]
mod harness;
#[path = "support/repo.rs"]
mod repo_support;

#[path = "drift/engine.rs"]
mod engine;
#[path = "drift/schedule.rs"]
mod schedule;

#[path = "drift/cli.rs"]
mod cli;
#[path = "drift/forges.rs"]
mod forges;
#[path = "drift/serve.rs"]
mod serve;
