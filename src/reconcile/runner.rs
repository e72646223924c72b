//! Running one atmos command as a step of the run: the step row, its log, progress.

use std::sync::Arc;

use super::Context;
use super::conditions::ReconcileError;
use super::observer::Progress;
use crate::config::AtmosConfig;
use crate::exec::{AtmosCommand, ExecOutcome, Masker, MemorySink, RunContext, Stream};
use crate::store::StepStatus;

/// How a step ended, as far as the run is concerned.
pub(crate) struct Ran {
    pub outcome: ExecOutcome,
    pub line: String,
}

/// Runs `cmd` (in `cwd`, with paved.yaml's atmos settings) as step `name` of `run_id`.
/// `Err` when atmos could not be run at all (not installed, a refused name).
pub(crate) async fn run(
    ctx: &Context,
    run_id: i64,
    name: &str,
    cmd: AtmosCommand,
    atmos: &AtmosConfig,
    condition: &'static str,
) -> Result<Ran, ReconcileError> {
    let mut cmd = cmd;
    for (k, v) in &atmos.env {
        cmd = cmd.env(k, v);
    }
    let line = cmd.to_string();
    ctx.observer.progress(&Progress::CommandStarted(&line));
    // A failing store must not stop an apply half-way: the step row is best effort.
    let step = ctx.store.start_step(run_id, name).await.ok();
    let sink = Arc::new(MemorySink::default());
    let masker = Masker::new(atmos.env.values().filter(|v| v.len() >= 8).cloned());
    let rc = RunContext::from_config(atmos, sink.clone()).with_masker(masker).with_cancel(ctx.cancels.token(run_id));
    let result = ctx.executor.run(&cmd, &rc).await;
    let mut log = format!("$ {line}\n");
    for l in sink.lines() {
        if l.stream == Stream::Stderr {
            log.push_str("! ");
        }
        log.push_str(&l.text);
        log.push('\n');
    }
    let status = match &result {
        Ok(o) if o.cancelled => StepStatus::Cancelled,
        // A plan's exit 2 means "changes", not failure.
        Ok(o) if o.success() || (cmd.verb() == "plan" && o.exit_code == Some(2) && !o.timed_out) => {
            StepStatus::Succeeded
        }
        _ => StepStatus::Failed,
    };
    if let Err(e) = &result {
        log.push_str(&format!("paved: {e}\n"));
    }
    if let Some(step) = step {
        let _ = ctx.store.append_log(step.id, &log).await;
        let _ = ctx.store.finish_step(step.id, status).await;
    }
    ctx.observer.progress(&Progress::CommandFinished { line: &line, ok: status == StepStatus::Succeeded });
    match result {
        Ok(outcome) => Ok(Ran { outcome, line }),
        Err(e) => Err(ReconcileError::stalled(condition, format!("cannot run `{line}`: {e}"))),
    }
}
