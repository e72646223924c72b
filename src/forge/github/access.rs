//! Reviews, repository permissions and team membership.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::GitHub;
use super::changes::Login;
use crate::forge::names::{check_group_path, check_login};
use crate::forge::{Approval, ForgeError, Permission, RepoId};

#[derive(Deserialize)]
struct Review {
    user: Option<Login>,
    state: String,
    #[serde(default)]
    commit_id: Option<String>,
    #[serde(default)]
    submitted_at: Option<String>,
}

#[derive(Deserialize)]
struct RepoPermission {
    #[serde(default)]
    permission: String,
    #[serde(default)]
    role_name: Option<String>,
}

#[derive(Deserialize)]
struct Membership {
    state: String,
}

impl GitHub {
    pub(super) async fn approvals_impl(&self, repo: &RepoId, number: u64) -> Result<Vec<Approval>, ForgeError> {
        let c = self.client(repo).await?;
        let op = format!("list reviews on #{number} of {repo}");
        let reviews: Vec<Review> = self.list(&c, &op, &format!("/repos/{repo}/pulls/{number}/reviews")).await?;
        Ok(effective_approvals(reviews))
    }

    pub(super) async fn permission_impl(&self, repo: &RepoId, user: &str) -> Result<Permission, ForgeError> {
        let op = format!("read {user}'s permission on {repo}");
        check_login(&op, "user", user)?;
        let c = self.client(repo).await?;
        match self.get::<RepoPermission>(&c, &op, &format!("/repos/{repo}/collaborators/{user}/permission")).await {
            Ok(p) => Ok(permission(p)),
            // No such user (GitHub answers `none` for a user without access).
            Err(e) if e.is_not_found() => Ok(Permission::None),
            Err(e) => Err(e),
        }
    }

    pub(super) async fn is_member_impl(&self, repo: &RepoId, team: &str, user: &str) -> Result<bool, ForgeError> {
        let op = format!("check {user}'s membership of {team}");
        check_login(&op, "user", user)?;
        check_group_path(&op, team)?;
        let (org, slug) = match team.split_once('/') {
            Some((org, slug)) if !slug.contains('/') => (org, slug),
            Some(_) => return Err(ForgeError::invalid(&op, "a GitHub team is `slug` or `org/slug`")),
            None => (repo.owner(), team),
        };
        let c = self.client(repo).await?;
        match self.get::<Membership>(&c, &op, &format!("/orgs/{org}/teams/{slug}/memberships/{user}")).await {
            // `pending`: invited, not yet a member.
            Ok(m) => Ok(m.state == "active"),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// Each reviewer's latest decisive review, in the order GitHub lists them (oldest first): an
/// approval counts until the same reviewer requests changes or it is dismissed. Comments
/// change nothing.
fn effective_approvals(reviews: Vec<Review>) -> Vec<Approval> {
    let mut latest: BTreeMap<String, Option<Approval>> = BTreeMap::new();
    for r in reviews {
        let Some(user) = r.user else { continue };
        match r.state.as_str() {
            "APPROVED" => {
                let a = Approval { user: user.login.clone(), commit_sha: r.commit_id, submitted_at: r.submitted_at };
                latest.insert(user.login, Some(a));
            }
            "CHANGES_REQUESTED" | "DISMISSED" => {
                latest.insert(user.login, None);
            }
            _ => {}
        }
    }
    latest.into_values().flatten().collect()
}

/// `role_name` carries maintain and triage; custom roles fall back to the base permission.
fn permission(p: RepoPermission) -> Permission {
    let parse = |s: &str| match s {
        "admin" => Some(Permission::Admin),
        "maintain" => Some(Permission::Maintain),
        "write" | "push" => Some(Permission::Write),
        "triage" => Some(Permission::Triage),
        "read" | "pull" => Some(Permission::Read),
        "none" => Some(Permission::None),
        _ => None,
    };
    p.role_name.as_deref().and_then(parse).or_else(|| parse(&p.permission)).unwrap_or(Permission::None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(user: &str, state: &str, sha: &str) -> Review {
        Review {
            user: Some(Login { login: user.into() }),
            state: state.into(),
            commit_id: Some(sha.into()),
            submitted_at: None,
        }
    }

    #[test]
    fn latest_decisive_review_wins() {
        let reviews = vec![
            r("alice", "APPROVED", "a1"),
            r("bob", "APPROVED", "a1"),
            r("bob", "CHANGES_REQUESTED", "a2"),
            r("carol", "CHANGES_REQUESTED", "a1"),
            r("carol", "APPROVED", "a2"),
            r("alice", "COMMENTED", "a2"),
            r("dave", "DISMISSED", "a1"),
            r("erin", "PENDING", "a2"),
        ];
        let got: Vec<(String, Option<String>)> =
            effective_approvals(reviews).into_iter().map(|a| (a.user, a.commit_sha)).collect();
        assert_eq!(got, vec![("alice".into(), Some("a1".into())), ("carol".into(), Some("a2".into()))]);
    }

    #[test]
    fn permissions_from_role_name() {
        let p = |perm: &str, role: Option<&str>| {
            permission(RepoPermission { permission: perm.into(), role_name: role.map(Into::into) })
        };
        assert_eq!(p("write", Some("maintain")), Permission::Maintain);
        assert_eq!(p("read", Some("triage")), Permission::Triage);
        assert_eq!(p("write", Some("custom-deployer")), Permission::Write);
        assert_eq!(p("none", None), Permission::None);
    }
}
