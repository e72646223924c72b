//! Running Atmos: an [`AtmosCommand`] is a value, an [`Executor`] runs it.
//!
//! - [`ProcessExecutor`] spawns the real `atmos` (no shell, its own process group), streams its
//!   output line by line into a [`LogSink`] with secrets masked, enforces a timeout and cancels
//!   with SIGTERM then SIGKILL after a grace period.
//! - [`DryRunExecutor`] records what it would run and succeeds (`--dry-run`, or no atmos).
//! - [`ScriptedExecutor`] answers with scripted outcomes: a fake for tests of the reconciler.
//!
//! [`plan`] reads Terraform's plan and apply output (counts, digests for comparing plans).

mod command;
mod dry_run;
mod mask;
mod output;
pub mod plan;
mod process;
mod scripted;
mod sink;
pub mod transcript;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

pub use command::{AtmosCommand, CommandError, check_component, check_stack};
pub use dry_run::DryRunExecutor;
pub use mask::{MASK, Masker};
pub use process::ProcessExecutor;
pub use scripted::{Scripted, ScriptedExecutor};
pub use sink::{ChannelSink, LogLine, LogSink, MemorySink, NullSink, Stream};

/// Runs atmos commands.
#[async_trait]
pub trait Executor: Send + Sync {
    /// Runs `cmd` to the end, a timeout or a cancel. A non-zero exit is an outcome, not an
    /// error: `Err` means the command could not be run at all.
    async fn run(&self, cmd: &AtmosCommand, ctx: &RunContext) -> Result<ExecOutcome, ExecError>;
}

/// What one run needs besides the command.
#[derive(Clone)]
pub struct RunContext {
    /// Cancelled → SIGTERM to the process group, SIGKILL after `kill_grace`.
    pub cancel: CancellationToken,
    /// Stopped the same way when it runs longer.
    pub timeout: Option<Duration>,
    pub kill_grace: Duration,
    pub sink: Arc<dyn LogSink>,
    pub masker: Arc<Masker>,
}

impl RunContext {
    /// No timeout, a 30 s grace, nothing masked, output to `sink`.
    pub fn new(sink: Arc<dyn LogSink>) -> RunContext {
        RunContext {
            cancel: CancellationToken::new(),
            timeout: None,
            kill_grace: Duration::from_secs(30),
            sink,
            masker: Arc::new(Masker::default()),
        }
    }

    /// The timeout and grace period from paved.yaml's `atmos:` section.
    pub fn from_config(config: &crate::config::AtmosConfig, sink: Arc<dyn LogSink>) -> RunContext {
        RunContext::new(sink).with_timeout(config.timeout).with_kill_grace(config.kill_grace)
    }

    pub fn with_timeout(mut self, timeout: Duration) -> RunContext {
        self.timeout = Some(timeout);
        self
    }

    pub fn with_kill_grace(mut self, grace: Duration) -> RunContext {
        self.kill_grace = grace;
        self
    }

    pub fn with_masker(mut self, masker: Masker) -> RunContext {
        self.masker = Arc::new(masker);
        self
    }

    pub fn with_cancel(mut self, cancel: CancellationToken) -> RunContext {
        self.cancel = cancel;
        self
    }
}

/// How a command ended. All text is masked.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ExecOutcome {
    /// `None` when a signal ended the process.
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    /// Everything printed on stdout (up to [`MAX_STDOUT`] bytes): the plan text lives here.
    pub stdout: String,
    pub stdout_truncated: bool,
    /// The last lines of stdout and stderr together, in arrival order: for error reports.
    pub tail: Vec<String>,
    pub duration: Duration,
    pub cancelled: bool,
    pub timed_out: bool,
    /// SIGTERM was not enough: SIGKILL ended it.
    pub killed: bool,
}

/// The most stdout kept in an [`ExecOutcome`] (the sink still sees everything).
pub const MAX_STDOUT: usize = 32 << 20;
/// Lines kept in [`ExecOutcome::tail`].
pub const TAIL_LINES: usize = 200;

impl ExecOutcome {
    /// Exited 0 on its own.
    pub fn success(&self) -> bool {
        self.exit_code == Some(0) && !self.cancelled && !self.timed_out
    }

    /// Reads the exit code of a plan run with `-detailed-exitcode`.
    pub fn plan_exit(&self) -> PlanExit {
        match (self.cancelled || self.timed_out, self.exit_code) {
            (false, Some(0)) => PlanExit::NoChanges,
            (false, Some(2)) => PlanExit::Changes,
            _ => PlanExit::Failed,
        }
    }
}

/// Terraform's `-detailed-exitcode`: 0 no changes, 2 changes, anything else failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanExit {
    NoChanges,
    Changes,
    Failed,
}

/// A command that could not be run.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("{program} not found on PATH; install Atmos or set atmos.path in paved.yaml, or use --dry-run")]
    NotOnPath { program: String },
    #[error("atmos not found at {path}; install Atmos or set atmos.path in paved.yaml, or use --dry-run")]
    NotAt { path: String },
    #[error("the working directory {path} does not exist")]
    NoWorkDir { path: String },
    #[error("cannot start {program}")]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("lost track of {program} while it ran")]
    Wait {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Command(#[from] CommandError),
}
