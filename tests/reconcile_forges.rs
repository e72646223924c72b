//! The reconciler end to end against a wiremock forge (GitHub, GitLab) with the real git,
//! capabilities, atmos stand-in process and SQLite file store.

#[path = "reconcile_forges/fake_github.rs"]
mod fake_github;
#[path = "reconcile_forges/fake_gitlab.rs"]
mod fake_gitlab;
#[path = "reconcile_forges/github.rs"]
mod github;
#[path = "reconcile_forges/gitlab.rs"]
mod gitlab;
#[path = "support/repo.rs"]
mod repo_support;
#[path = "reconcile_forges/world.rs"]
mod world;
