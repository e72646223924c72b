//! `publish:github:pull-request` and `publish:gitlab:merge-request`: the pull/merge request a
//! render is proposed in, as a value. The CLI hands it to a [`crate::forge::Forge`]; nothing
//! here talks to a forge.

use serde_json::Value as Json;

use super::filters::parse_repo_url;
use crate::changeset::{ChangeRequest, ChangeSet, valid_branch_name};
use crate::source::RelPath;

/// Which forge a publish step targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForgeFlavor {
    GitHub,
    GitLab,
}

/// One request to open or update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishRequest {
    pub forge: ForgeFlavor,
    pub host: String,
    /// `owner/name` (GitHub) or `group/subgroup/project` (GitLab).
    pub repo: String,
    pub request: ChangeRequest,
    /// The rendered folder to publish (`sourcePath`), relative to the output root.
    pub source_path: RelPath,
    /// Where it goes in the repository (`targetPath`).
    pub target_path: RelPath,
}

impl PublishRequest {
    /// Reads Backstage's inputs: `repoUrl`, `branchName`, `title`, `description`,
    /// `targetBranchName`, `sourcePath`, `targetPath`, `draft`, `reviewers`, `teamReviewers`,
    /// `commitMessage`, `labels`.
    pub fn from_json(forge: ForgeFlavor, input: &Json) -> Result<PublishRequest, String> {
        let text = |k: &str| input.get(k).and_then(Json::as_str).map(str::to_string);
        let list = |k: &str| -> Vec<String> {
            input
                .get(k)
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect()
        };
        let url = text("repoUrl").ok_or("`repoUrl` must be a string")?;
        let parsed = parse_repo_url(&url).map_err(|e| e.0)?;
        let part = |k: &str| parsed.get(k).and_then(Json::as_str).unwrap_or_default().to_string();
        let branch = text("branchName").ok_or("`branchName` must be a string")?;
        if !valid_branch_name(&branch) {
            return Err(format!("`{branch}` is not a valid branch name"));
        }
        let base = text("targetBranchName").unwrap_or_else(|| "main".into());
        if !valid_branch_name(&base) {
            return Err(format!("`{base}` is not a valid branch name"));
        }
        let title = text("title").filter(|t| !t.trim().is_empty()).ok_or("`title` must be a non-empty string")?;
        let mut request = ChangeRequest::new(branch, base, title);
        request.body = text("description").unwrap_or_default();
        if let Some(m) = text("commitMessage") {
            request.commit_message = m;
        }
        request.draft = input.get("draft").and_then(Json::as_bool).unwrap_or(false);
        request.reviewers = list("reviewers");
        request.team_reviewers = list("teamReviewers");
        request.labels = list("labels");
        let path = |k: &str| RelPath::new(&text(k).unwrap_or_default()).map_err(|e| format!("`{k}`: {e}"));
        Ok(PublishRequest {
            forge,
            host: part("host"),
            repo: format!("{}/{}", part("owner"), part("repo")),
            request,
            source_path: path("sourcePath")?,
            target_path: path("targetPath")?,
        })
    }

    /// The files of `rendered` under `source_path`, moved under `target_path`.
    pub fn changes(&self, rendered: &ChangeSet) -> ChangeSet {
        let mut out = ChangeSet::new();
        for (p, change) in &rendered.files {
            let rest = if self.source_path.is_root() { Some(p.as_str()) } else { p.strip_prefix(&self.source_path) };
            let Some(dest) = rest.filter(|r| !r.is_empty()).and_then(|r| self.target_path.join(r).ok()) else {
                continue;
            };
            out.files.insert(dest, change.clone());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changeset::FileMode;
    use serde_json::json;

    #[test]
    fn reads_backstage_inputs() {
        let r = PublishRequest::from_json(
            ForgeFlavor::GitLab,
            &json!({"repoUrl": "gitlab.example.com?owner=platform%2Finfra&repo=live", "branchName": "paved/new-x",
                    "title": "Add x", "description": "body", "draft": true, "reviewers": ["ann"], "targetPath": "svc"}),
        )
        .unwrap();
        assert_eq!((r.host.as_str(), r.repo.as_str()), ("gitlab.example.com", "platform/infra/live"));
        assert_eq!(r.request.base, "main");
        assert_eq!(r.request.commit_message, "Add x");
        assert!(r.request.draft);
        let mut cs = ChangeSet::new();
        cs.write(RelPath::new("a/b.txt").unwrap(), "x", FileMode::Regular).unwrap();
        assert_eq!(r.changes(&cs).files.keys().next().unwrap().as_str(), "svc/a/b.txt");
        for bad in [
            json!({"repoUrl": "x", "branchName": "b", "title": "t"}),
            json!({"repoUrl": "github.com?owner=a&repo=b", "branchName": "a..b", "title": "t"}),
            json!({"repoUrl": "github.com?owner=a&repo=b", "branchName": "b", "title": " "}),
            json!({"repoUrl": "github.com?owner=a&repo=b", "branchName": "b", "title": "t", "targetPath": "../x"}),
        ] {
            assert!(PublishRequest::from_json(ForgeFlavor::GitHub, &bad).is_err(), "{bad}");
        }
    }
}
