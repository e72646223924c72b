//! Progress as it happens, for a terminal's progress bar or a server's event stream. The run's
//! record in the store is written separately, once, at the end.

use super::state::TargetStatus;

/// Something worth showing while a run goes on.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress<'a> {
    /// A phase starts.
    Phase(&'static str),
    /// This many atmos commands are about to run.
    Commands(usize),
    /// An atmos command starts (its shell-quoted line).
    CommandStarted(&'a str),
    /// It ended.
    CommandFinished { line: &'a str, ok: bool },
    /// A target reached its final status.
    Target { stack: &'a str, component: &'a str, status: TargetStatus },
}

/// Receives progress. Must not block.
pub trait Observer: Send + Sync {
    fn progress(&self, event: &Progress<'_>);
}

/// Ignores progress.
#[derive(Debug, Default, Clone, Copy)]
pub struct NullObserver;

impl Observer for NullObserver {
    fn progress(&self, _: &Progress<'_>) {}
}
