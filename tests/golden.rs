//! The shipped golden paths render and validate clean; `paved new` end to end.

#[path = "golden/paths.rs"]
mod paths;

#[path = "golden/cli.rs"]
mod cli;

#[path = "golden/examples.rs"]
mod examples;
