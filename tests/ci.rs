//! CI integrations: the GitHub Action (action.yml and its scripts), the GitLab template and its
//! child pipelines, the container image's scripts, completions and the man page.

#[path = "ci/action.rs"]
mod action;
#[path = "ci/commands.rs"]
mod commands;
#[path = "ci/entrypoint.rs"]
mod entrypoint;
#[path = "ci/support.rs"]
mod support;
