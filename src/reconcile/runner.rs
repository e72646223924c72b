//! Running one atmos command as a step of the run: the step row, its log, progress.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::Context;
use super::conditions::ReconcileError;
use super::observer::Progress;
use crate::config::AtmosConfig;
use crate::exec::{AtmosCommand, ChannelSink, ExecOutcome, LogLine, Masker, RunContext, Stream};
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
    let step = ctx.store.start_step(run_id, name).await.ok().map(|s| s.id);
    let (tx, rx) = mpsc::unbounded_channel();
    let masker = Masker::new(atmos.env.values().filter(|v| v.len() >= 8).cloned());
    let rc = RunContext::from_config(atmos, Arc::new(ChannelSink(tx)))
        .with_masker(masker)
        .with_cancel(ctx.cancels.token(run_id));
    let done = CancellationToken::new();
    // Both futures are polled together: the log is in the store while atmos still runs.
    let (result, ()) = tokio::join!(
        async {
            let r = ctx.executor.run(&cmd, &rc).await;
            done.cancel();
            r
        },
        stream_log(ctx, step, format!("$ {line}\n"), rx, &done),
    );
    let status = match &result {
        Ok(o) if o.cancelled => StepStatus::Cancelled,
        // A plan's exit 2 means "changes", not failure.
        Ok(o) if o.success() || (cmd.verb() == "plan" && o.exit_code == Some(2) && !o.timed_out) => {
            StepStatus::Succeeded
        }
        _ => StepStatus::Failed,
    };
    if let Some(step) = step {
        if let Err(e) = &result {
            let _ = ctx.store.append_log(step, &format!("paved: {e}\n")).await;
        }
        let _ = ctx.store.finish_step(step, status).await;
    }
    ctx.observer.progress(&Progress::CommandFinished { line: &line, ok: status == StepStatus::Succeeded });
    match result {
        Ok(outcome) => Ok(Ran { outcome, line }),
        Err(e) => Err(ReconcileError::stalled(condition, format!("cannot run `{line}`: {e}"))),
    }
}

/// Appends the command's output to the step's log as it comes, a batch at a time: whatever
/// arrived while the previous append was being written goes in the next one, so a slow store
/// means fewer, larger writes rather than a backlog. The command line waits for the first
/// output (or the end), which saves a write for a command that answers at once. Ends once the
/// command has returned and every line it produced is written.
async fn stream_log(
    ctx: &Context,
    step: Option<i64>,
    header: String,
    mut rx: mpsc::UnboundedReceiver<LogLine>,
    done: &CancellationToken,
) {
    let append = |batch: String| async move {
        if let (Some(step), false) = (step, batch.is_empty()) {
            let _ = ctx.store.append_log(step, &batch).await;
        }
    };
    let mut batch = header;
    let mut output = false;
    loop {
        while let Ok(l) = rx.try_recv() {
            push_line(&mut batch, &l);
            output = true;
        }
        if output && !batch.is_empty() {
            append(std::mem::take(&mut batch)).await;
        }
        tokio::select! {
            line = rx.recv() => match line {
                Some(l) => {
                    push_line(&mut batch, &l);
                    output = true;
                }
                None => return append(batch).await,
            },
            // The executor has returned: what is still queued is the last of it.
            _ = done.cancelled() => {
                while let Ok(l) = rx.try_recv() {
                    push_line(&mut batch, &l);
                }
                return append(batch).await;
            }
        }
    }
}

fn push_line(batch: &mut String, l: &LogLine) {
    if l.stream == Stream::Stderr {
        batch.push_str("! ");
    }
    batch.push_str(&l.text);
    batch.push('\n');
}
