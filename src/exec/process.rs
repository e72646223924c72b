//! [`ProcessExecutor`]: runs the real `atmos`.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::output::{Collected, Pump};
use super::{AtmosCommand, ExecError, ExecOutcome, Executor, RunContext, Stream};
use crate::config::AtmosConfig;

/// How long the pipe readers may take after the process ended: what is left is at most a pipe
/// buffer, unless a stray grandchild keeps the pipe open.
const DRAIN: Duration = Duration::from_secs(5);

/// Spawns `atmos` without a shell, in a process group of its own, so a stop reaches Terraform
/// and its providers too.
#[derive(Debug, Clone)]
pub struct ProcessExecutor {
    program: PathBuf,
    env: BTreeMap<String, String>,
}

impl ProcessExecutor {
    /// Finds the executable: a bare name on `PATH`, or a path.
    pub fn locate(program: &str) -> Result<ProcessExecutor, ExecError> {
        Self::locate_in(program, std::env::var_os("PATH").as_deref().unwrap_or_default())
    }

    /// [`ProcessExecutor::locate`] with an explicit `PATH`.
    pub fn locate_in(program: &str, path_var: &OsStr) -> Result<ProcessExecutor, ExecError> {
        let program = if program.contains('/') {
            let p = PathBuf::from(program);
            if !is_executable(&p) {
                return Err(ExecError::NotAt { path: program.into() });
            }
            p
        } else {
            std::env::split_paths(path_var)
                .map(|dir| dir.join(program))
                .find(|p| is_executable(p))
                .ok_or_else(|| ExecError::NotOnPath { program: program.into() })?
        };
        Ok(ProcessExecutor { program, env: default_env() })
    }

    /// From paved.yaml's `atmos:` section (path and environment).
    pub fn from_config(config: &AtmosConfig) -> Result<ProcessExecutor, ExecError> {
        Ok(Self::locate(&config.path)?.with_env(config.env.clone()))
    }

    /// Environment for every command, on top of paved's own (commands may add more).
    pub fn with_env(mut self, env: BTreeMap<String, String>) -> ProcessExecutor {
        self.env.extend(env);
        self
    }

    pub fn program(&self) -> &Path {
        &self.program
    }

    fn name(&self) -> String {
        self.program.display().to_string()
    }
}

/// Terraform's documented settings for running in automation (no prompts, no hints to run
/// commands by hand). paved.yaml or the command can override them.
fn default_env() -> BTreeMap<String, String> {
    BTreeMap::from([("TF_IN_AUTOMATION".into(), "true".into()), ("TF_INPUT".into(), "false".into())])
}

fn is_executable(path: &Path) -> bool {
    path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Why the wait ended.
enum Stop {
    Exited(ExitStatus),
    Cancelled,
    TimedOut,
}

#[async_trait]
impl Executor for ProcessExecutor {
    async fn run(&self, cmd: &AtmosCommand, ctx: &RunContext) -> Result<ExecOutcome, ExecError> {
        if let Some(dir) = cmd.working_dir().filter(|d| !d.is_dir()) {
            return Err(ExecError::NoWorkDir { path: dir.display().to_string() });
        }
        let mut command = tokio::process::Command::new(&self.program);
        command
            .args(&cmd.argv()[1..])
            .envs(&self.env)
            .envs(cmd.env_vars())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        if let Some(dir) = cmd.working_dir() {
            command.current_dir(dir);
        }

        let started = Instant::now();
        let mut child = command.spawn().map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => ExecError::NotAt { path: self.name() },
            _ => ExecError::Spawn { program: self.name(), source },
        })?;
        // Declared after `child`, so dropped first: if this future is dropped mid-run, the whole
        // group is killed, not only the atmos process that kill_on_drop reaches.
        let mut group = ProcessGroup::of(&child);

        let pump = Pump { masker: ctx.masker.clone(), sink: ctx.sink.clone(), collected: Arc::default() };
        let readers = [
            child.stdout.take().map(|out| tokio::spawn(pump.clone().run(out, Stream::Stdout))),
            child.stderr.take().map(|err| tokio::spawn(pump.clone().run(err, Stream::Stderr))),
        ];

        let timeout = async {
            match ctx.timeout {
                Some(t) => tokio::time::sleep(t).await,
                None => std::future::pending().await,
            }
        };
        let lost = |source| ExecError::Wait { program: self.name(), source };
        let stop = tokio::select! {
            status = child.wait() => Stop::Exited(status.map_err(lost)?),
            _ = ctx.cancel.cancelled() => Stop::Cancelled,
            _ = timeout => Stop::TimedOut,
        };
        let (status, killed) = match stop {
            Stop::Exited(status) => (status, false),
            Stop::Cancelled | Stop::TimedOut => {
                // The child is not reaped yet, so its group id cannot have been reused.
                group.signal(libc::SIGTERM);
                match tokio::time::timeout(ctx.kill_grace, child.wait()).await {
                    Ok(status) => (status.map_err(lost)?, false),
                    Err(_) => {
                        group.signal(libc::SIGKILL);
                        (child.wait().await.map_err(lost)?, true)
                    }
                }
            }
        };

        group.armed = false;
        for reader in readers.into_iter().flatten() {
            let abort = reader.abort_handle();
            if tokio::time::timeout(DRAIN, reader).await.is_err() {
                // A grandchild still holds the pipe: the group has members, so its id is still
                // ours to signal.
                group.signal(libc::SIGKILL);
                abort.abort();
            }
        }
        let collected = std::mem::take(&mut *pump.collected.lock().unwrap_or_else(|e| e.into_inner()));
        Ok(outcome(status, collected, started.elapsed(), &stop, killed))
    }
}

fn outcome(status: ExitStatus, c: Collected, duration: Duration, stop: &Stop, killed: bool) -> ExecOutcome {
    ExecOutcome {
        exit_code: status.code(),
        signal: status.signal(),
        stdout: c.stdout,
        stdout_truncated: c.stdout_truncated,
        tail: c.tail.into(),
        duration,
        cancelled: matches!(stop, Stop::Cancelled),
        timed_out: matches!(stop, Stop::TimedOut),
        killed,
    }
}

/// The child's process group (it leads it: `process_group(0)`). While `armed`, dropping it
/// kills the group.
struct ProcessGroup {
    pgid: Option<libc::pid_t>,
    armed: bool,
}

impl ProcessGroup {
    fn of(child: &tokio::process::Child) -> ProcessGroup {
        ProcessGroup { pgid: child.id().and_then(|id| libc::pid_t::try_from(id).ok()), armed: true }
    }

    fn signal(&self, signal: libc::c_int) {
        if let Some(pgid) = self.pgid {
            // SAFETY: killpg only sends a signal; a group that is already gone yields ESRCH,
            // which needs no handling.
            unsafe {
                libc::killpg(pgid, signal);
            }
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        if self.armed {
            self.signal(libc::SIGKILL);
        }
    }
}
