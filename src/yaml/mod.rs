//! A YAML tree in which every node knows where it came from.
//!
//! Backstage and Atmos both report problems as JSON paths (`/spec/owner`); paved reports the
//! file, line and column of the node instead. This module turns text into [`Node`] trees with a
//! [`Span`] on every node, enforcing the configured [`Limits`] while it builds them so that alias
//! bombs, absurd nesting and huge documents fail fast with an error instead of eating memory.
//! It does no IO.

mod fast;
mod node;
mod parse;
mod scalar;

pub use node::{Map, Node, Pos, Span, Value};
pub use parse::{Document, Limits, ParseOptions, YamlError, parse_documents, parse_one, parse_plain};

/// The event path alone (every text through `saphyr-parser`), also for tests to hold the fast
/// path to it.
pub use parse::parse_events;
