//! The forge layer against wiremock servers that answer like the documented GitHub REST and
//! GitLab v4 APIs, plus webhook intake, comment splitting properties and a secret-leak check.

#[path = "forge/comments.rs"]
mod comments;
#[path = "forge/common.rs"]
mod common;
#[path = "forge/github_changes.rs"]
mod github_changes;
#[path = "forge/github_checks.rs"]
mod github_checks;
#[path = "forge/github_comments.rs"]
mod github_comments;
#[path = "forge/github_misc.rs"]
mod github_misc;
#[path = "forge/gitlab.rs"]
mod gitlab;
#[path = "forge/gitlab_changes.rs"]
mod gitlab_changes;
#[path = "forge/leak.rs"]
mod leak;
#[path = "forge/resilience.rs"]
mod resilience;
#[path = "forge/webhooks.rs"]
mod webhooks;
