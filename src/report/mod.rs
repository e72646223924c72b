//! Diagnostics: one model for every finding, and renderers for people and machines.
//!
//! This module knows nothing of catalogs or stacks: the domain modules turn their findings into
//! [`Diagnostic`]s and describe their rules with [`RuleInfo`]. Renderers take a [`Report`] and
//! return text; they do no IO. One module per format: `human`, `json`, `sarif`, `github`,
//! `gitlab`, `junit`, all reached through [`render`].

mod diagnostic;
mod fingerprint;
mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod location;
mod render;
mod sarif;

pub use diagnostic::{Diagnostic, Report, RuleInfo, Severity, SeverityOverride, Summary};
pub use render::{Format, HumanOptions, SourceLookup, render};
pub use sarif::{FINGERPRINT_KEY as SARIF_FINGERPRINT_KEY, SCHEMA_URI as SARIF_SCHEMA_URI};
