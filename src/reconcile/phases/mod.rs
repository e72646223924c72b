//! The phases, each with one signature, and the two ordered lists the flows run.
//!
//! A phase returns [`Next::Continue`], [`Next::Stop`] (nothing more to do, not a failure) or an
//! error carrying its retry class. After a stop or an error only the phases marked `always`
//! run (publishing the outcome, the audit note).

mod apply;
mod audit;
mod fetch;
mod inputs;
mod lock;
mod plan;
mod publish;

use std::future::Future;
use std::pin::Pin;

use super::Context;
use super::conditions::ReconcileError;
use super::observer::Progress;
use super::state::{Flow, RunState};

/// What a phase says about the rest of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Next {
    Continue,
    /// Nothing more to do (e.g. no component is affected): the run still succeeds.
    Stop(String),
}

pub(crate) type PhaseResult = Result<Next, ReconcileError>;
pub(crate) type PhaseFuture<'a> = Pin<Box<dyn Future<Output = PhaseResult> + Send + 'a>>;

/// One step of a reconcile.
pub(crate) struct Phase {
    pub name: &'static str,
    /// Runs even after an earlier phase stopped or failed.
    pub always: bool,
    pub run: for<'a> fn(&'a Context, &'a mut RunState) -> PhaseFuture<'a>,
}

const FETCH: Phase = Phase { name: "fetch", always: false, run: fetch::fetch };
const CONFIG: Phase = Phase { name: "config", always: false, run: inputs::config };
const VALIDATE: Phase = Phase { name: "validate", always: false, run: inputs::validate };
const AFFECTED: Phase = Phase { name: "affected", always: false, run: inputs::affected };
const PLAN: Phase = Phase { name: "plan", always: false, run: plan::plan };
const REQUIREMENTS: Phase = Phase { name: "requirements", always: false, run: lock::requirements };
const LOCK: Phase = Phase { name: "lock", always: false, run: lock::lock };
const APPLY: Phase = Phase { name: "apply", always: false, run: apply::apply };
const PUBLISH: Phase = Phase { name: "publish", always: true, run: publish::publish };
const AUDIT: Phase = Phase { name: "audit", always: true, run: audit::audit };

/// After fetch has decided the flow.
const PLAN_FLOW: &[Phase] = &[CONFIG, VALIDATE, AFFECTED, PLAN, PUBLISH];
const APPLY_FLOW: &[Phase] = &[CONFIG, VALIDATE, AFFECTED, REQUIREMENTS, LOCK, APPLY, PUBLISH, AUDIT];

fn list(flow: Flow) -> &'static [Phase] {
    match flow {
        Flow::Plan => PLAN_FLOW,
        Flow::Apply => APPLY_FLOW,
    }
}

/// Runs fetch, then the phases of the flow it chose. Returns the error that ended the run
/// early, if any.
pub(crate) async fn run(ctx: &Context, state: &mut RunState) -> Option<ReconcileError> {
    let mut error = None;
    let mut stopped = false;
    step(ctx, state, &FETCH, &mut stopped, &mut error).await;
    if state.run_id.is_some() {
        for phase in list(state.flow) {
            if (stopped || error.is_some()) && !phase.always {
                continue;
            }
            step(ctx, state, phase, &mut stopped, &mut error).await;
        }
    }
    lock::release_unkept(ctx, state).await;
    error
}

async fn step(
    ctx: &Context,
    state: &mut RunState,
    phase: &Phase,
    stopped: &mut bool,
    error: &mut Option<ReconcileError>,
) {
    ctx.observer.progress(&Progress::Phase(phase.name));
    let ended = match (phase.run)(ctx, state).await {
        Ok(Next::Continue) => "ok".to_string(),
        Ok(Next::Stop(why)) => {
            *stopped = true;
            format!("stopped: {why}")
        }
        Err(e) => {
            state.condition(e.condition, e.message.clone());
            let text = format!("failed: {e}");
            if error.is_none() {
                *error = Some(e);
            }
            text
        }
    };
    state.phases.push((phase.name, ended));
}
