//! Approvals, project permissions and group membership.

use gitlab::api::projects::members::AllProjectMember;
use gitlab::api::projects::merge_requests::approvals::MergeRequestApprovals;
use http::Method;
use serde::Deserialize;

use super::changes::User;
use super::{GitLab, Rest, build_error};
use crate::forge::names::{self, check_group_path, check_login};
use crate::forge::{Approval, ForgeError, Permission, RepoId};

#[derive(Deserialize)]
struct Approvals {
    #[serde(default)]
    approved_by: Vec<ApprovedBy>,
}

#[derive(Deserialize)]
struct ApprovedBy {
    user: User,
}

#[derive(Deserialize)]
struct Member {
    access_level: u32,
    #[serde(default)]
    state: Option<String>,
}

impl GitLab {
    pub(super) async fn approvals_impl(&self, repo: &RepoId, iid: u64) -> Result<Vec<Approval>, ForgeError> {
        let op = format!("read approvals of !{iid} on {repo}");
        let endpoint = MergeRequestApprovals::builder()
            .project(repo.as_str())
            .merge_request(iid)
            .build()
            .map_err(|e| build_error(&op, e))?;
        let a: Approvals = self.json(&op, &endpoint).await?;
        let mut out: Vec<Approval> = a
            .approved_by
            .into_iter()
            .map(|b| Approval { user: b.user.username, commit_sha: None, submitted_at: None })
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }

    pub(super) async fn permission_impl(&self, repo: &RepoId, user: &str) -> Result<Permission, ForgeError> {
        let op = format!("read {user}'s permission on {repo}");
        check_login(&op, "user", user)?;
        let Some(id) = self.user_id(&op, user).await? else { return Ok(Permission::None) };
        let endpoint =
            AllProjectMember::builder().project(repo.as_str()).user(id).build().map_err(|e| build_error(&op, e))?;
        match self.json::<Member, _>(&op, &endpoint).await {
            Ok(m) if m.state.as_deref().is_none_or(|s| s == "active") => Ok(access_level(m.access_level)),
            Ok(_) => Ok(Permission::None),
            Err(e) if e.is_not_found() => Ok(Permission::None),
            Err(e) => Err(e),
        }
    }

    pub(super) async fn is_member_impl(&self, _repo: &RepoId, group: &str, user: &str) -> Result<bool, ForgeError> {
        let op = format!("check {user}'s membership of {group}");
        check_login(&op, "user", user)?;
        check_group_path(&op, group)?;
        let Some(id) = self.user_id(&op, user).await? else { return Ok(false) };
        // Includes members inherited from parent groups; the crate models direct members only.
        let endpoint = Rest::new(Method::GET, format!("groups/{}/members/all/{id}", names::segment(group)));
        match self.json::<Member, _>(&op, &endpoint).await {
            // Minimal access (5) lets a user see a group exist, not belong to it.
            Ok(m) => Ok(m.access_level >= 10 && m.state.as_deref().is_none_or(|s| s == "active")),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// GitLab access levels onto paved's permission scale.
fn access_level(level: u32) -> Permission {
    match level {
        50.. => Permission::Admin,
        40..=49 => Permission::Maintain,
        30..=39 => Permission::Write,
        20..=29 => Permission::Triage,
        10..=19 => Permission::Read,
        _ => Permission::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_levels() {
        assert_eq!(access_level(50), Permission::Admin);
        assert_eq!(access_level(40), Permission::Maintain);
        assert_eq!(access_level(30), Permission::Write);
        assert_eq!(access_level(20), Permission::Triage);
        assert_eq!(access_level(15), Permission::Read);
        assert_eq!(access_level(5), Permission::None);
    }
}
