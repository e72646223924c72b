//! `paved policy ...` and policies in `paved validate`, through the binary.

#[path = "policy/cli.rs"]
mod cli;
#[path = "policy/fixtures.rs"]
mod fixtures;
#[path = "support/repo.rs"]
mod repo_support;
