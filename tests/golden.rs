//! The shipped golden paths render and validate clean; `paved new` end to end.

#[path = "golden/paths.rs"]
mod paths;
#[path = "support/repo.rs"]
mod repo_support;

#[path = "golden/cli.rs"]
mod cli;

#[path = "golden/examples.rs"]
mod examples;
