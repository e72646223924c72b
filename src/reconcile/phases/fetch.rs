//! Fetch: read the pull request (its state decides the flow), resolve the commit to reconcile
//! and the base it is compared with, and open the run.

use serde_json::json;

use super::{Next, PhaseFuture};
use crate::forge::PullRequestState;
use crate::reconcile::conditions::{FETCH_FAILED, ReconcileError, STORE_FAILED};
use crate::reconcile::ports::PortError;
use crate::reconcile::state::{Flow, RunState};
use crate::reconcile::{Context, RepoHandle};
use crate::store::{NewRun, RunFilter, RunKind, RunStatus};

fn port(e: PortError) -> ReconcileError {
    if e.transient {
        ReconcileError::transient(FETCH_FAILED, e.message)
    } else {
        ReconcileError::stalled(FETCH_FAILED, e.message)
    }
}

fn store(e: crate::store::StoreError) -> ReconcileError {
    ReconcileError::transient(STORE_FAILED, format!("{e}"))
}

pub(super) fn fetch<'a>(ctx: &'a Context, st: &'a mut RunState) -> PhaseFuture<'a> {
    Box::pin(async move {
        let handle = ctx.repos.get(&st.request.repo).ok_or_else(|| {
            ReconcileError::stalled(FETCH_FAILED, format!("no repository named `{}` is configured", st.request.repo))
        })?;
        st.forge_repo = handle.forge_repo.clone();
        let mut git_ref = st.request.git_ref.clone();
        let default_flow = |r: &str| {
            let branch = r.strip_prefix("refs/heads/").unwrap_or(r);
            if branch == handle.default_branch { Flow::Apply } else { Flow::Plan }
        };
        st.flow = st.request.flow.unwrap_or_else(|| default_flow(&git_ref));

        if let Some(number) = st.request.pull_request
            && let (Some(forge), Some(repo)) = (&ctx.forge, &handle.forge_repo)
        {
            let pr = forge.pull_request(repo, number).await.map_err(|e| {
                ReconcileError::transient(FETCH_FAILED, format!("cannot read pull request #{number}: {e}"))
            })?;
            let merged = pr.state == PullRequestState::Merged;
            if pr.state == PullRequestState::Closed {
                st.pr = Some(pr);
                return Ok(Next::Stop(format!("pull request #{number} was closed without merging")));
            }
            st.flow = st.request.flow.unwrap_or(if merged { Flow::Apply } else { Flow::Plan });
            git_ref = match (&pr.merge_sha, merged) {
                (Some(sha), true) => sha.clone(),
                _ => pr.head_sha.clone(),
            };
            st.pr = Some(pr);
        }

        let head = handle.repo.resolve(&git_ref).await.map_err(port)?;
        st.base = if st.request.all { None } else { base(ctx, st, handle, &head.sha).await? };
        if let Some(base) = &st.base {
            st.changed = handle.repo.changed_paths(&base.sha, &head.sha).await.map_err(port)?;
            // Only annotations use it: without it they point at definitions instead.
            st.changed_lines = handle.repo.changed_lines(&base.sha, &head.sha).await.unwrap_or_default();
        }
        st.workdir = Some(handle.repo.workdir(&head.sha).await.map_err(port)?);
        st.head = Some(head);

        let run = ctx
            .store
            .create_run(&NewRun {
                repo: st.request.repo.clone(),
                git_ref: st.request.git_ref.clone(),
                sha: st.head_sha().to_string(),
                pull_request: st.request.pull_request,
                kind: st.flow.run_kind(),
                actor: st.request.actor.clone(),
            })
            .await
            .map_err(store)?;
        ctx.store.start_run(run.id, &ctx.settings.replica).await.map_err(store)?;
        st.run_id = Some(run.id);
        ctx.cancels.register(run.id, &st.request.repo, st.request.pull_request);
        let payload = json!({"run": run.id, "repo": run.repo, "sha": run.sha, "kind": run.kind.as_str(),
            "pull_request": run.pull_request});
        // Events feed live views; a failure to record one does not stop the run.
        let _ = ctx.store.publish_event("run.started", &payload).await;
        Ok(Next::Continue)
    })
}

/// What the head is compared with.
async fn base(
    ctx: &Context,
    st: &RunState,
    handle: &RepoHandle,
    head: &str,
) -> Result<Option<crate::reconcile::Revision>, ReconcileError> {
    if let Some(pr) = &st.pr {
        return handle.repo.base_of(head, &pr.base_ref).await.map_err(port);
    }
    match st.flow {
        Flow::Plan => handle.repo.base_of(head, &handle.default_branch).await.map_err(port),
        Flow::Apply => {
            // Without a pull request: everything since the last successful apply of this repository.
            let filter = RunFilter {
                repo: Some(st.request.repo.clone()),
                kind: Some(RunKind::Apply),
                status: Some(RunStatus::Succeeded),
                limit: 1,
                ..RunFilter::default()
            };
            let last = ctx.store.list_runs(&filter).await.map_err(store)?;
            match last.first() {
                Some(run) => handle.repo.resolve(&run.sha).await.map(Some).map_err(port),
                None => Ok(None),
            }
        }
    }
}
