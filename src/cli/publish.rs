//! Opening the pull/merge requests a render asks for, through the forge port.

use anyhow::Context;
use paved::changeset::ChangeSet;
use paved::config::Config;
use paved::forge::{ChangeRequestRef, Forge, RepoId};
use paved::golden::{ForgeFlavor, PublishRequest};

/// Opens (or updates, by branch) one request with the rendered files it selects.
pub async fn publish(
    forge: &dyn Forge,
    req: &PublishRequest,
    rendered: &ChangeSet,
) -> anyhow::Result<Option<ChangeRequestRef>> {
    let repo = RepoId::parse(&req.repo).with_context(|| format!("`{}` is not a repository", req.repo))?;
    let changes = req.changes(rendered);
    forge
        .open_change_request(&repo, &changes, &req.request)
        .await
        .with_context(|| format!("cannot open the request on {}", req.repo))
}

/// A client for the forge a request targets, from paved.yaml's `forge:` section.
pub async fn connect(flavor: ForgeFlavor, cfg: &Config) -> anyhow::Result<Box<dyn Forge>> {
    paved::forge::install_crypto_provider();
    Ok(match flavor {
        ForgeFlavor::GitHub => {
            let gh = cfg.forge.github.as_ref().context("publishing to GitHub needs `forge.github` in paved.yaml")?;
            Box::new(paved::forge::setup::connect_github(gh, &cfg.forge.http)?)
        }
        ForgeFlavor::GitLab => {
            let gl = cfg.forge.gitlab.as_ref().context("publishing to GitLab needs `forge.gitlab` in paved.yaml")?;
            Box::new(paved::forge::setup::connect_gitlab(gl, &cfg.forge.http).await?)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use paved::changeset::FileMode;
    use paved::forge::ForgeKind;
    use paved::forge::fake::MemoryForge;
    use paved::source::RelPath;
    use serde_json::json;

    #[tokio::test]
    async fn opens_then_updates_one_request_per_branch() {
        let forge = MemoryForge::new(ForgeKind::GitHub);
        let req = PublishRequest::from_json(
            ForgeFlavor::GitHub,
            &json!({"repoUrl": "github.com?owner=acme&repo=platform", "branchName": "paved/new-pay",
                    "title": "Add pay", "targetPath": "services"}),
        )
        .unwrap();
        let mut cs = ChangeSet::new();
        cs.write(RelPath::new("pay/README.md").unwrap(), "# pay\n", FileMode::Regular).unwrap();
        let first = publish(&forge, &req, &cs).await.unwrap().unwrap();
        assert!(first.created);
        cs.write(RelPath::new("pay/Dockerfile").unwrap(), "FROM scratch\n", FileMode::Regular).unwrap();
        let second = publish(&forge, &req, &cs).await.unwrap().unwrap();
        assert_eq!(second.number, first.number);
        assert!(!second.created);
        let stored = forge.change_request(&RepoId::parse("acme/platform").unwrap(), "paved/new-pay").unwrap();
        let paths: Vec<_> = stored.changes.files.keys().map(|p| p.as_str()).collect();
        assert_eq!(paths, ["services/pay/Dockerfile", "services/pay/README.md"]);
        assert_eq!(stored.request.title, "Add pay");
    }
}
