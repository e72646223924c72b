//! One drift pass over the configured repositories, through the reconciler's ports: plan every
//! enabled component at the default branch's head (in dependency order, under the same locks),
//! decide, then open, update or close issues, remember the state and emit events.

use std::sync::Arc;

use futures_util::StreamExt;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::decide::{Action, Decision, Facts, Observation, Observed, decide};
use super::issue::{IssueFacts, drift_issue, issue_key, recovered_comment};
use super::summary::{ComponentReport, DriftSummary, ISSUE_FAILED, Status, report};
use crate::config::{self, AtmosConfig, Config};
use crate::exec::plan::{PlanSummary, parse_plan};
use crate::exec::{AtmosCommand, ExecOutcome, Masker, MemorySink, PlanExit, RunContext, Stream};
use crate::reconcile::order::{Item, Schedule};
use crate::reconcile::{Context, RepoHandle, Revision, Selection, Target};
use crate::source::{RelPath, SourceError};
use crate::store::{DriftState, LockOutcome, LockRequest, NewPlan, NewRun, RunEnd, RunKind, RunStatus, StepStatus};

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct DriftOptions {
    /// Only this repository (a name from `reconcile.repositories`).
    pub repo: Option<String>,
    /// Only these stacks / components.
    pub selection: Selection,
    /// Most drift issues open at once, over every repository (`server.drift.max_open_issues`).
    pub max_open_issues: usize,
    /// Who asked: `schedule`, `cli:USER`.
    pub actor: Option<String>,
    /// Cancelled: components not started yet are skipped (the running plan finishes).
    pub stop: Option<CancellationToken>,
}

/// Runs one drift pass over every configured repository (or `opts.repo`).
pub async fn run_drift(ctx: &Context, opts: &DriftOptions) -> DriftSummary {
    let mut out = DriftSummary { dry_run: ctx.settings.dry_run, ..DriftSummary::default() };
    for (name, handle) in &ctx.repos {
        if opts.repo.as_ref().is_some_and(|r| r != name) {
            continue;
        }
        if let Err(e) = drift_repo(ctx, opts, name, handle, &mut out).await {
            out.errors.push(format!("{name}: {e}"));
        }
    }
    if let Some(r) = &opts.repo
        && !ctx.repos.contains_key(r)
    {
        out.errors.push(format!("no repository named `{r}` is configured"));
    }
    out
}

/// The pieces of one repository's pass.
struct Pass<'a> {
    ctx: &'a Context,
    repo: &'a str,
    run_id: i64,
    head: Revision,
    config: Config,
    forge_repo: Option<crate::forge::RepoId>,
}

async fn drift_repo(
    ctx: &Context,
    opts: &DriftOptions,
    name: &str,
    handle: &RepoHandle,
    out: &mut DriftSummary,
) -> Result<(), String> {
    let head = handle.repo.resolve(&handle.default_branch).await.map_err(|e| e.message)?;
    let config = match &ctx.settings.config_override {
        Some(c) => c.clone(),
        None => head_config(&head)?,
    };
    let targets = ctx
        .affected
        .affected(None, head.files.as_ref(), &[], &config)
        .map_err(|d| format!("the stacks do not load ({} problem(s); paved validate shows them)", d.len()))?;
    let targets: Vec<Target> = targets.into_iter().filter(|t| !t.deleted && opts.selection.admits(t)).collect();
    let items: Vec<Item> =
        targets.iter().map(|t| Item { key: t.key(), deleted: false, depends_on: t.depends_on.clone() }).collect();
    let order = Schedule::order(&items).map_err(|c| c.to_string())?;

    let store = |e: crate::store::StoreError| format!("store: {e}");
    let run = ctx
        .store
        .create_run(&NewRun {
            repo: name.to_string(),
            git_ref: handle.default_branch.clone(),
            sha: head.sha.clone(),
            pull_request: None,
            kind: RunKind::Drift,
            actor: opts.actor.clone(),
        })
        .await
        .map_err(store)?;
    ctx.store.start_run(run.id, &ctx.settings.replica).await.map_err(store)?;
    ctx.cancels.register(run.id, name, None);
    out.runs.push(run.id);
    let payload = json!({"run": run.id, "repo": name, "sha": head.sha, "kind": "drift", "pull_request": null});
    // Events feed live views; a failure to record one does not stop the pass.
    let _ = ctx.store.publish_event("run.started", &payload).await;

    let workdir = handle.repo.workdir(&head.sha).await.map_err(|e| e.message);
    let pass = Pass { ctx, repo: name, run_id: run.id, head, config, forge_repo: handle.forge_repo.clone() };
    // Started in dependency order, up to reconcile.parallelism at once (1 on SQLite, and for
    // a dry run so the commands print in order); results come back in that order.
    let limit = if ctx.settings.dry_run { 1 } else { ctx.settings.parallelism(pass.config.reconcile.parallelism) };
    let checks = order.into_iter().map(|i| {
        let (t, pass, workdir) = (&targets[i], &pass, &workdir);
        async move {
            let stopping = opts.stop.as_ref().is_some_and(CancellationToken::is_cancelled);
            let (observed, command, text) = match workdir {
                _ if stopping => {
                    (Observed::Skipped { reason: "shutting down: not planned".into() }, None, String::new())
                }
                // Reported rather than left out, so an issue it had stays visible.
                _ if !t.drift => {
                    (Observed::Skipped { reason: "settings.paved.drift: false".into() }, None, String::new())
                }
                Ok(dir) => pass.check(t, dir).await,
                Err(e) => (Observed::Failed { message: e.clone() }, None, String::new()),
            };
            (Observation { key: t.key(), observed }, (command, text))
        }
    });
    let (observations, plans): (Vec<_>, Vec<_>) =
        futures_util::stream::iter(checks).buffered(limit).collect::<Vec<_>>().await.into_iter().unzip();
    let reports = if ctx.settings.dry_run {
        observations
            .iter()
            .zip(plans)
            .map(|(o, (command, _))| report(name, o, Action::Skipped, None, None, command))
            .collect()
    } else {
        pass.act(opts, &observations, plans).await
    };
    let errors = reports.iter().filter(|r| r.status == Status::Error || r.issue_failed()).count();
    let drifted = reports.iter().filter(|r| r.status == Status::Drifted).count();
    let conclusion = format!(
        "{drifted} drifted, {} in sync, {errors} error(s), {} skipped",
        reports.iter().filter(|r| r.status == Status::InSync).count(),
        reports.iter().filter(|r| r.status == Status::Skipped).count()
    );
    let status = if ctx.cancels.was_cancelled(run.id) {
        RunStatus::Cancelled
    } else if errors > 0 {
        RunStatus::Failed
    } else {
        RunStatus::Succeeded
    };
    ctx.cancels.forget(run.id);
    let summary = json!({"kind": "drift", "components": reports, "max_open_issues": opts.max_open_issues});
    let _ = ctx.store.finish_run(run.id, &RunEnd { status, conclusion: Some(conclusion.clone()), summary }).await;
    let payload = json!({"run": run.id, "repo": name, "sha": pass.head.sha, "status": status.as_str(),
        "conclusion": conclusion, "drifted": drifted});
    let _ = ctx.store.publish_event("drift.finished", &payload).await;
    out.components.extend(reports);
    Ok(())
}

/// paved.yaml at the head (drift checks the default branch, so its own rules apply).
fn head_config(head: &Revision) -> Result<Config, String> {
    let path = RelPath::new(config::FILE_NAME).map_err(|e| e.to_string())?;
    match head.files.read(&path, 1 << 20) {
        Ok(bytes) => Config::parse(config::FILE_NAME, &String::from_utf8_lossy(&bytes))
            .map_err(|d| format!("paved.yaml at the head has {} problem(s)", d.len())),
        Err(SourceError::NotFound(_)) => Ok(Config::default()),
        Err(e) => Err(e.to_string()),
    }
}

impl Pass<'_> {
    /// Plans one component under its lock. Returns what it found, the command line and the
    /// plan output.
    async fn check(&self, t: &Target, workdir: &std::path::Path) -> (Observed, Option<String>, String) {
        let ctx = self.ctx;
        let key = t.key();
        let cmd = match AtmosCommand::new(&["terraform", "plan"], &t.component, &t.stack) {
            Ok(c) => c.arg("-input=false").arg("-detailed-exitcode").cwd(workdir),
            Err(e) => return (Observed::Failed { message: e.to_string() }, None, String::new()),
        };
        if ctx.settings.dry_run {
            let line = cmd.to_string();
            let _ = self.run_step(cmd, &self.config.atmos).await;
            return (Observed::Skipped { reason: "dry run: not planned".into() }, Some(line), String::new());
        }
        let req = LockRequest {
            key: key.clone(),
            owner: ctx.settings.replica.clone(),
            run_id: self.run_id,
            pull_request: None,
            lease: self.config.reconcile.lock_lease,
        };
        match ctx.store.acquire_lock(&req).await {
            Ok(LockOutcome::Acquired { .. }) => {}
            Ok(LockOutcome::HeldBy(h)) => {
                let reason = format!("locked by run {} on {}: not planned", h.run_id, h.owner);
                return (Observed::Skipped { reason }, None, String::new());
            }
            Err(e) => return (Observed::Failed { message: format!("cannot take the lock: {e}") }, None, String::new()),
        }
        // A plan can outlast the lease: keep renewing it so no other replica takes the lock
        // over (which would mark this run interrupted).
        let keep = CancellationToken::new();
        let keeper = {
            let (store, key, owner, lease) = (ctx.store.clone(), key.clone(), req.owner.clone(), req.lease);
            let keep = keep.clone();
            tokio::spawn(async move {
                loop {
                    tokio::select! {
                        _ = keep.cancelled() => return,
                        _ = tokio::time::sleep(lease / 3) => { let _ = store.renew_lock(&key, &owner, lease).await; }
                    }
                }
            })
        };
        let ran = self.run_step(cmd, &self.config.atmos).await;
        keep.cancel();
        let _ = keeper.await;
        let _ = ctx.store.release_lock(&key, &ctx.settings.replica).await;
        let (line, result) = ran;
        let o = match result {
            Ok(o) => o,
            Err(e) => return (Observed::Failed { message: e }, Some(line), String::new()),
        };
        let summary = parse_plan(&o.stdout);
        let exit = o.plan_exit();
        let s = summary.unwrap_or_default();
        let _ = ctx
            .store
            .record_plan(&NewPlan {
                run_id: self.run_id,
                stack: t.stack.clone(),
                component: t.component.clone(),
                planfile: None,
                planfile_digest: None,
                plan_digest: None,
                add: s.add,
                change: s.change,
                destroy: s.destroy,
                no_changes: exit == PlanExit::NoChanges,
                exit_code: o.exit_code.unwrap_or(-1),
            })
            .await;
        let observed = match exit {
            PlanExit::NoChanges => Observed::InSync,
            PlanExit::Changes => Observed::Drifted { summary: s },
            PlanExit::Failed => Observed::Failed { message: failure(&o) },
        };
        // Only a drifted plan's text is kept (for its issue): a pass over thousands of
        // components holds no more output than it needs.
        let text = if matches!(observed, Observed::Drifted { .. }) { o.stdout } else { String::new() };
        (observed, Some(line), text)
    }

    /// Runs `cmd` as a step of the run (step row and log), like the reconciler's commands.
    async fn run_step(&self, cmd: AtmosCommand, atmos: &AtmosConfig) -> (String, Result<ExecOutcome, String>) {
        let ctx = self.ctx;
        let mut cmd = cmd;
        for (k, v) in &atmos.env {
            cmd = cmd.env(k, v);
        }
        let line = cmd.to_string();
        let name = format!("drift plan {}/{}", cmd.stack(), cmd.component());
        let step = ctx.store.start_step(self.run_id, &name).await.ok();
        let sink = Arc::new(MemorySink::default());
        let masker = Masker::new(atmos.env.values().filter(|v| v.len() >= 8).cloned());
        let rc = RunContext::from_config(atmos, sink.clone())
            .with_masker(masker)
            .with_cancel(ctx.cancels.token(self.run_id));
        let result = ctx.executor.run(&cmd, &rc).await;
        let mut log = format!("$ {line}\n");
        for l in sink.lines() {
            log.push_str(if l.stream == Stream::Stderr { "! " } else { "" });
            log.push_str(&l.text);
            log.push('\n');
        }
        let ok = matches!(&result, Ok(o) if o.plan_exit() != PlanExit::Failed);
        if let Err(e) = &result {
            log.push_str(&format!("paved: {e}\n"));
        }
        if let Some(step) = step {
            let _ = ctx.store.append_log(step.id, &log).await;
            let status = if ok { StepStatus::Succeeded } else { StepStatus::Failed };
            let _ = ctx.store.finish_step(step.id, status).await;
        }
        (line.clone(), result.map_err(|e| format!("cannot run `{line}`: {e}")))
    }

    /// Carries out the decisions: issues on the forge, states in the store, events.
    async fn act(
        &self,
        opts: &DriftOptions,
        observations: &[Observation],
        plans: Vec<(Option<String>, String)>,
    ) -> Vec<ComponentReport> {
        let ctx = self.ctx;
        let known = match ctx.store.drift_states(None).await {
            Ok(k) => k,
            Err(e) => {
                // Without the known states the cap and "first seen" would be wrong: report only.
                let why = format!("{ISSUE_FAILED}cannot read drift states: {e}");
                return observations
                    .iter()
                    .zip(plans)
                    .map(|(o, (command, _))| report(self.repo, o, Action::Skipped, None, Some(why.clone()), command))
                    .collect();
            }
        };
        let facts = Facts {
            repo: self.repo,
            sha: &self.head.sha,
            now: ctx.clock.now(),
            known: &known,
            max_open_issues: opts.max_open_issues,
        };
        let decisions = decide(observations, &facts);
        let mut reports = Vec::new();
        for ((o, d), (command, text)) in observations.iter().zip(decisions).zip(plans) {
            let before = known.iter().find(|s| s.repo == self.repo && s.key == d.key);
            let (issue, message, state) = self.carry_out(o, d, before, &text).await;
            if let Some((_, state)) = &state {
                let _ = ctx.store.put_drift_state(state).await;
            }
            let r = report(self.repo, o, state_action(o, &state), issue, message, command);
            if r.status == Status::Drifted {
                let payload = json!({"run": self.run_id, "repo": self.repo, "sha": self.head.sha,
                    "stack": r.stack, "component": r.component, "summary": r.summary,
                    "action": r.action, "issue": r.issue});
                let _ = ctx.store.publish_event("drift.detected", &payload).await;
            }
            reports.push(r);
        }
        reports
    }

    async fn carry_out(
        &self,
        o: &Observation,
        d: Decision,
        before: Option<&DriftState>,
        text: &str,
    ) -> (Option<String>, Option<String>, Option<(Action, DriftState)>) {
        let Decision { key, action, state } = d;
        let Some(mut state) = state else { return (None, None, None) };
        let forge = match (&self.ctx.forge, &self.forge_repo) {
            (Some(f), Some(r)) => Some((f, r)),
            _ => None,
        };
        let mut message = None;
        match (action, forge) {
            (Action::Open | Action::Update, Some((forge, repo))) => {
                let summary = match &o.observed {
                    Observed::Drifted { summary } => *summary,
                    _ => PlanSummary::default(),
                };
                let spec = drift_issue(&state, &IssueFacts { repo: self.repo, summary, plan: text });
                match forge.upsert_issue(repo, &spec).await {
                    Ok(issue) => state.issue = Some((issue.number, issue.url)),
                    Err(e) => message = Some(format!("{ISSUE_FAILED}{e}")),
                }
            }
            (Action::Close, Some((forge, repo))) => {
                let comment = recovered_comment(&state, before.and_then(|b| b.first_seen));
                match forge.close_issue(repo, &issue_key(&key), Some(&comment)).await {
                    Ok(closed) => {
                        state.issue = None;
                        if let Some(c) = closed {
                            let issue = Some(c.url);
                            return (issue, None, Some((action, state)));
                        }
                    }
                    Err(e) => message = Some(format!("{ISSUE_FAILED}{e}")),
                }
            }
            (Action::Open | Action::Update | Action::Close, None) => {
                message = Some(if self.ctx.forge.is_none() {
                    "no forge configured: no issue".to_string()
                } else {
                    format!("repository {} names no forge_repo: no issue", self.repo)
                });
            }
            (Action::Capped, _) => {
                message = Some("max_open_issues reached: no issue opened".into());
            }
            _ => {}
        }
        let issue = state.issue.as_ref().map(|(_, url)| url.clone());
        (issue, message, Some((action, state)))
    }
}

fn state_action(o: &Observation, state: &Option<(Action, DriftState)>) -> Action {
    match (state, &o.observed) {
        (Some((a, _)), _) => *a,
        (None, Observed::Failed { .. }) => Action::Error,
        (None, _) => Action::Skipped,
    }
}

/// The last lines of a failed plan: Terraform's error box is at the end.
fn failure(o: &ExecOutcome) -> String {
    if o.timed_out {
        return "the plan timed out".into();
    }
    if o.cancelled {
        return "the plan was cancelled".into();
    }
    let tail: Vec<&str> = o.tail.iter().rev().filter(|l| !l.trim().is_empty()).take(3).map(String::as_str).collect();
    let code = o.exit_code.map_or("a signal".to_string(), |c| format!("exit {c}"));
    if tail.is_empty() {
        format!("the plan failed ({code})")
    } else {
        format!("the plan failed ({code}): {}", tail.into_iter().rev().collect::<Vec<_>>().join(" / "))
    }
}
