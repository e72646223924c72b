//! CI integrations: the GitHub Action (action.yml and its scripts), the GitLab template and its
//! child pipelines, the container image's scripts, completions and the man page.

#[path = "ci/action.rs"]
mod action;
#[path = "ci/commands.rs"]
mod commands;
#[path = "ci/docker.rs"]
mod docker;
#[path = "ci/docs.rs"]
mod docs;
#[path = "ci/entrypoint.rs"]
mod entrypoint;
#[path = "ci/gitlab.rs"]
mod gitlab;
#[path = "ci/install.rs"]
mod install;
#[path = "ci/props.rs"]
mod props;
#[path = "ci/support.rs"]
mod support;
