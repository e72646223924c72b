//! ANSI colours for the human renderer, off unless asked for.

use crate::report::Severity;

/// Paints text when colour is on; otherwise returns it unchanged.
#[derive(Debug, Clone, Copy)]
pub(super) struct Paint {
    pub on: bool,
}

/// SGR parameters, in the colours rustc and ruff use.
pub(super) const BOLD: &str = "1";
pub(super) const GUTTER: &str = "1;34";
pub(super) const HELP: &str = "1;36";

pub(super) fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Note => "1;32",
    }
}

impl Paint {
    pub fn paint(self, text: &str, sgr: &str) -> String {
        if self.on && !text.is_empty() { format!("\x1b[{sgr}m{text}\x1b[0m") } else { text.to_string() }
    }
}
