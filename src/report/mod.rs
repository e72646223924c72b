//! Diagnostics: one model for every finding, and renderers for people and machines.
//!
//! This module knows nothing of catalogs or stacks: the domain modules turn their findings into
//! [`Diagnostic`]s and describe their rules with [`RuleInfo`]. Renderers take a [`Report`] and
//! return text; they do no IO.

mod diagnostic;

pub use diagnostic::{Diagnostic, Report, RuleInfo, Severity, SeverityOverride, Summary};
mod json;
mod render;

pub use render::{Format, HumanOptions, SourceLookup, render};
