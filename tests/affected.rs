//! `paved affected` end to end: real git repositories in temporary directories, the binary
//! run with assert_cmd.

#[path = "git/support.rs"]
mod support;

#[path = "affected/catalog.rs"]
mod catalog;
#[path = "affected/conformance.rs"]
mod conformance;
#[path = "affected/input.rs"]
mod input;
#[path = "support/repo.rs"]
mod repo_support;
#[path = "affected/stacks.rs"]
mod stacks;
