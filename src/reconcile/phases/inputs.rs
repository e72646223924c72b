//! Config, validate, affected: what the run works on.

use super::{Next, PhaseFuture};
use crate::config::{self, Config};
use crate::reconcile::Context;
use crate::reconcile::conditions::{AFFECTED_FAILED, CONFIG_INVALID, FETCH_FAILED, ReconcileError, VALIDATION_FAILED};
use crate::reconcile::state::{RunState, TargetRun};
use crate::report::Report;
use crate::source::{RelPath, SourceError};

/// paved.yaml is read from the BASE revision: a pull request never loosens its own rules.
pub(super) fn config<'a>(ctx: &'a Context, st: &'a mut RunState) -> PhaseFuture<'a> {
    Box::pin(async move {
        if let Some(cfg) = &ctx.settings.config_override {
            st.config = cfg.clone();
            st.config_source = "--config".into();
            return Ok(Next::Continue);
        }
        // No base (a first reconcile): the head's own file is all there is.
        let (rev, which) = match (&st.base, &st.head) {
            (Some(b), _) => (b, "base"),
            (None, Some(h)) => (h, "head"),
            (None, None) => return Err(ReconcileError::stalled(FETCH_FAILED, "nothing was fetched")),
        };
        st.config_source = format!("{which} {}", short(&rev.sha));
        let path = RelPath::new(config::FILE_NAME).expect("literal");
        let text = match rev.files.read(&path, 1 << 20) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(SourceError::NotFound(_)) => {
                st.config = Config::default();
                return Ok(Next::Continue);
            }
            Err(e) => return Err(ReconcileError::stalled(CONFIG_INVALID, format!("{e}"))),
        };
        match Config::parse(config::FILE_NAME, &text) {
            Ok(cfg) => {
                st.config = cfg;
                Ok(Next::Continue)
            }
            Err(diags) => {
                let n = diags.len();
                st.report.extend(Report { diagnostics: diags, ..Report::default() });
                st.report.finish(&Default::default());
                Err(ReconcileError::stalled(
                    CONFIG_INVALID,
                    format!("paved.yaml at the {which} ({}) has {n} problem(s)", short(&rev.sha)),
                ))
            }
        }
    })
}

/// Catalog, stacks and policies at the head, checked with the base's rules.
pub(super) fn validate<'a>(ctx: &'a Context, st: &'a mut RunState) -> PhaseFuture<'a> {
    Box::pin(async move {
        let Some(head) = &st.head else { return Err(ReconcileError::stalled(FETCH_FAILED, "nothing was fetched")) };
        let mut report = ctx.validator.validate(head.files.as_ref(), &st.config);
        report.finish(&st.config.rules);
        st.report.extend(report);
        st.report.finish(&Default::default());
        if st.report.has_errors() {
            let s = &st.report.summary;
            return Err(ReconcileError::stalled(
                VALIDATION_FAILED,
                format!("validation found {} error(s) and {} warning(s)", s.errors, s.warnings),
            ));
        }
        Ok(Next::Continue)
    })
}

/// The components that differ between base and head.
pub(super) fn affected<'a>(ctx: &'a Context, st: &'a mut RunState) -> PhaseFuture<'a> {
    Box::pin(async move {
        let Some(head) = st.head.clone() else {
            return Err(ReconcileError::stalled(FETCH_FAILED, "nothing was fetched"));
        };
        if let Some(base) = &st.base
            && st.changed.is_empty()
        {
            return Ok(Next::Stop(format!("nothing changed since {}", short(&base.sha))));
        }
        let base_files = st.base.as_ref().map(|b| b.files.as_ref());
        let found = ctx.affected.affected(base_files, head.files.as_ref(), &st.changed, &st.config);
        match found {
            Ok(targets) => {
                st.targets =
                    targets.into_iter().filter(|t| st.request.selection.admits(t)).map(TargetRun::new).collect();
                if st.targets.is_empty() {
                    return Ok(Next::Stop("no component is affected".into()));
                }
                Ok(Next::Continue)
            }
            Err(diags) => {
                let n = diags.len();
                st.report.extend(Report { diagnostics: diags, ..Report::default() });
                st.report.finish(&Default::default());
                Err(ReconcileError::stalled(
                    AFFECTED_FAILED,
                    format!("the stacks could not be compared ({n} problem(s))"),
                ))
            }
        }
    })
}

pub(crate) fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}
