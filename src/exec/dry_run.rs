//! [`DryRunExecutor`]: prints and records what would run, runs nothing.

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;

use super::{AtmosCommand, ExecError, ExecOutcome, Executor, LogLine, RunContext, Stream};

/// Records every command in order and reports success (`--dry-run`, and `reconcile --once`
/// when atmos is not installed).
#[derive(Debug, Default)]
pub struct DryRunExecutor {
    commands: Mutex<Vec<AtmosCommand>>,
}

impl DryRunExecutor {
    pub fn new() -> DryRunExecutor {
        DryRunExecutor::default()
    }

    /// The commands "run" so far, in order.
    pub fn commands(&self) -> Vec<AtmosCommand> {
        self.commands.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[async_trait]
impl Executor for DryRunExecutor {
    async fn run(&self, cmd: &AtmosCommand, ctx: &RunContext) -> Result<ExecOutcome, ExecError> {
        self.commands.lock().unwrap_or_else(|e| e.into_inner()).push(cmd.clone());
        let text = ctx.masker.mask(&format!("[dry-run] {cmd}")).into_owned();
        ctx.sink.line(LogLine { stream: Stream::Stdout, text: text.clone() });
        Ok(ExecOutcome {
            exit_code: Some(0),
            stdout: format!("{text}\n"),
            tail: vec![text],
            duration: Duration::ZERO,
            ..ExecOutcome::default()
        })
    }
}
