//! [`ScriptedExecutor`]: a fake executor with scripted outcomes, for tests of the reconciler.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::{AtmosCommand, ExecError, ExecOutcome, Executor, LogLine, RunContext, Stream, TAIL_LINES, transcript};

/// What a scripted command prints and how it ends.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scripted {
    pub exit_code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Takes this long (a cancel or a timeout still ends it early).
    pub delay: Duration,
    /// Never ends on its own: only a cancel or a timeout stops it.
    pub hang: bool,
}

impl Scripted {
    pub fn exit(code: i32) -> Scripted {
        Scripted { exit_code: code, ..Scripted::default() }
    }

    /// A plan with these counts, in Terraform's words; exits 2 with changes, 0 without
    /// (`-detailed-exitcode`).
    pub fn plan(add: u32, change: u32, destroy: u32) -> Scripted {
        let exit_code = if add + change + destroy > 0 { 2 } else { 0 };
        Scripted { exit_code, stdout: transcript::plan_output(add, change, destroy, None), ..Scripted::default() }
    }

    /// An apply (or deploy) that made these changes.
    pub fn apply(add: u32, change: u32, destroy: u32) -> Scripted {
        Scripted { stdout: transcript::apply_output(add, change, destroy), ..Scripted::default() }
    }

    /// Exit 1 with Terraform's error box on stderr.
    pub fn failed(message: &str) -> Scripted {
        Scripted { exit_code: 1, stderr: transcript::error_output(message), ..Scripted::default() }
    }

    /// Runs until cancelled or timed out.
    pub fn hang() -> Scripted {
        Scripted { hang: true, ..Scripted::default() }
    }

    pub fn with_delay(mut self, delay: Duration) -> Scripted {
        self.delay = delay;
        self
    }
}

#[derive(Debug)]
struct Rule {
    verb: String,
    component: String,
    stack: String,
    once: bool,
    used: bool,
    outcome: Scripted,
}

impl Rule {
    fn matches(&self, cmd: &AtmosCommand) -> bool {
        let m = |pattern: &str, value: &str| pattern == "*" || pattern == value;
        !(self.once && self.used)
            && m(&self.verb, cmd.verb())
            && m(&self.component, cmd.component())
            && m(&self.stack, cmd.stack())
    }
}

/// Answers each command with the first rule that matches its verb, component and stack (`*`
/// matches anything); without one, a plan has no changes and anything else succeeds quietly.
/// A plan with `-out=FILE` writes FILE (the plan text), so planfile digests can be compared.
#[derive(Debug, Default)]
pub struct ScriptedExecutor {
    rules: Mutex<Vec<Rule>>,
    calls: Mutex<Vec<AtmosCommand>>,
}

impl ScriptedExecutor {
    pub fn new() -> ScriptedExecutor {
        ScriptedExecutor::default()
    }

    /// Answers every matching command with `outcome`.
    pub fn on(self, verb: &str, component: &str, stack: &str, outcome: Scripted) -> ScriptedExecutor {
        self.rule(verb, component, stack, false, outcome)
    }

    /// Answers the next matching command only (e.g. a re-plan that differs from the first plan).
    pub fn once(self, verb: &str, component: &str, stack: &str, outcome: Scripted) -> ScriptedExecutor {
        self.rule(verb, component, stack, true, outcome)
    }

    fn rule(self, verb: &str, component: &str, stack: &str, once: bool, outcome: Scripted) -> ScriptedExecutor {
        let rule =
            Rule { verb: verb.into(), component: component.into(), stack: stack.into(), once, used: false, outcome };
        self.rules.lock().unwrap_or_else(|e| e.into_inner()).push(rule);
        self
    }

    /// Every command run so far, in order.
    pub fn calls(&self) -> Vec<AtmosCommand> {
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn answer(&self, cmd: &AtmosCommand) -> Scripted {
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        match rules.iter_mut().find(|r| r.matches(cmd)) {
            Some(rule) => {
                rule.used = true;
                rule.outcome.clone()
            }
            None if cmd.verb() == "plan" => Scripted::plan(0, 0, 0),
            None => Scripted::exit(0),
        }
    }
}

#[async_trait]
impl Executor for ScriptedExecutor {
    async fn run(&self, cmd: &AtmosCommand, ctx: &RunContext) -> Result<ExecOutcome, ExecError> {
        let started = Instant::now();
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).push(cmd.clone());
        let answer = self.answer(cmd);

        let mut outcome = ExecOutcome::default();
        for (stream, text) in [(Stream::Stdout, &answer.stdout), (Stream::Stderr, &answer.stderr)] {
            for line in text.lines() {
                let line = ctx.masker.mask(line).into_owned();
                if stream == Stream::Stdout {
                    outcome.stdout.push_str(&line);
                    outcome.stdout.push('\n');
                }
                outcome.tail.push(line.clone());
                ctx.sink.line(LogLine { stream, text: line });
            }
        }
        let skip = outcome.tail.len().saturating_sub(TAIL_LINES);
        outcome.tail.drain(..skip);

        let wait = async {
            if answer.hang { std::future::pending::<()>().await } else { tokio::time::sleep(answer.delay).await }
        };
        let timeout = async {
            match ctx.timeout {
                Some(t) => tokio::time::sleep(t).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = wait => outcome.exit_code = Some(answer.exit_code),
            _ = ctx.cancel.cancelled() => outcome.cancelled = true,
            _ = timeout => outcome.timed_out = true,
        }
        if outcome.cancelled || outcome.timed_out {
            outcome.signal = Some(libc::SIGTERM);
        } else if cmd.verb() == "plan"
            && matches!(answer.exit_code, 0 | 2)
            && let Some(planfile) = cmd.planfile()
        {
            std::fs::write(planfile, super::plan::normalise_plan(&answer.stdout))
                .map_err(|source| ExecError::Spawn { program: "scripted atmos".into(), source })?;
        }
        outcome.duration = started.elapsed();
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::exec::{MemorySink, PlanExit};

    #[tokio::test]
    async fn rules_once_fallbacks_and_planfiles() {
        let dir = tempfile::tempdir().unwrap();
        let planfile = dir.path().join("dev-vpc.planfile");
        let fake = ScriptedExecutor::new()
            .once("plan", "vpc", "dev", Scripted::plan(1, 0, 0))
            .on("plan", "vpc", "*", Scripted::plan(2, 0, 0))
            .on("deploy", "*", "*", Scripted::failed("boom"));
        let sink = Arc::new(MemorySink::default());
        let ctx = RunContext::new(sink.clone());
        let plan = AtmosCommand::plan("vpc", "dev", &planfile).unwrap();

        let first = fake.run(&plan, &ctx).await.unwrap();
        assert_eq!(first.plan_exit(), PlanExit::Changes);
        assert!(first.stdout.contains("Plan: 1 to add"));
        let first_file = std::fs::read_to_string(&planfile).unwrap();
        let second = fake.run(&plan, &ctx).await.unwrap();
        assert!(second.stdout.contains("Plan: 2 to add"));
        assert_ne!(std::fs::read_to_string(&planfile).unwrap(), first_file);

        let eks = fake.run(&AtmosCommand::plan("eks", "dev", &planfile).unwrap(), &ctx).await.unwrap();
        assert_eq!(eks.plan_exit(), PlanExit::NoChanges);
        let deploy = fake.run(&AtmosCommand::deploy("vpc", "dev", &planfile).unwrap(), &ctx).await.unwrap();
        assert_eq!(deploy.exit_code, Some(1));
        assert!(sink.text(Stream::Stderr).contains("Error: boom"));
        assert_eq!(fake.calls().iter().map(|c| c.verb()).collect::<Vec<_>>(), ["plan", "plan", "plan", "deploy"]);
    }

    #[tokio::test]
    async fn a_hanging_command_ends_on_cancel_or_timeout() {
        let fake = ScriptedExecutor::new().on("*", "*", "*", Scripted::hang());
        let cmd = AtmosCommand::destroy("vpc", "dev").unwrap();
        let ctx = RunContext::new(Arc::new(MemorySink::default())).with_timeout(Duration::from_millis(20));
        let out = fake.run(&cmd, &ctx).await.unwrap();
        assert!(out.timed_out && !out.success() && out.exit_code.is_none());
        let ctx = RunContext::new(Arc::new(MemorySink::default()));
        ctx.cancel.cancel();
        assert!(fake.run(&cmd, &ctx).await.unwrap().cancelled);
    }
}
