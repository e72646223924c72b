//! Policies as code: Rego over the catalog and the stacks, evaluated with `regorus` (no OPA
//! binary).
//!
//! The flow is pure: policy texts come in as [`PolicyFile`]s, are compiled once into a
//! [`PolicySet`], bound to the run's shared data document ([`PolicySet::bind`]) and evaluated
//! against many [`Subject`]s in parallel. Every message a policy returns becomes a
//! [`Diagnostic`](crate::report::Diagnostic) placed at the YAML node its `path` names, then
//! [`waivers`] turn waived violations into notes.
//!
//! Which inputs a package sees follows its name (conftest style, `deny`/`warn`/`violation`):
//!
//! | package            | `input`                                  |
//! |--------------------|------------------------------------------|
//! | `paved.catalog[.x]`| one catalog entity                       |
//! | `paved.stacks[.x]` | one component instance (describe output)|
//! | `paved.tenants[.x]`| one tenant: `{tenant, components: [...]}` |
//! | `paved.repo[.x]`   | `{}` once per run (aggregate rules)       |
//!
//! Atmos-style policies (`settings.validation` entries with `schema_type: opa`) are in
//! [`atmos`].

pub mod atmos;
mod compat;
mod compile;
mod data;
mod entities;
mod eval;
mod files;
mod inputs;
mod message;
mod pointer;
mod run;
pub mod starter;
mod subject;
pub mod testing;
pub mod waivers;

pub use compile::{Entry, PolicySet, RuleKind, Scope};
pub use data::{CatalogData, EntityInput, InputSet, InstanceInput, StacksData, inputs};
pub use entities::{entities_from_text, entity_ref_and_relations, resolve_ref};
pub use eval::{Bound, EvalOptions, Evaluated, evaluate};
pub use files::{PolicyFile, collect, collect_configured, collect_data};
pub use inputs::{ProvenanceLocator, check_stacks, load_stacks, opa_base};
pub use message::Message;
pub use pointer::to_pointer;
pub use run::{Prepared, counts, validate, validate_repo, validate_with_stacks};
pub use subject::{Locate, NodeLocator, Origin, Subject};

/// Rule ids of paved's own findings about policies (the policies' findings are
/// `policy/<package>/<rule>` or the id a policy returns).
pub mod rules {
    /// A policy file does not parse or compile.
    pub const SYNTAX: &str = "policy/syntax";
    /// An evaluation failed (a runtime error in the policy, such as a conflict).
    pub const EVAL_ERROR: &str = "policy/eval-error";
    /// An evaluation took longer than the timeout.
    pub const TIMEOUT: &str = "policy/timeout";
    /// A policy returned something that is not a message.
    pub const BAD_MESSAGE: &str = "policy/bad-message";
    /// More messages than `policy.max_messages` from one evaluation.
    pub const TOO_MANY: &str = "policy/too-many-messages";
    /// A policy path from paved.yaml does not exist, or a file cannot be read.
    pub const MISSING: &str = "policy/missing";
    /// A policy data file (`data.yaml`, `data.json`) is malformed.
    pub const DATA_INVALID: &str = "policy/data-invalid";
    /// The waiver file is malformed.
    pub const WAIVER_INVALID: &str = "policy/waiver-invalid";
    /// A waiver is past its expiry date.
    pub const WAIVER_EXPIRED: &str = "policy/waiver-expired";
    /// A waiver matches no violation.
    pub const WAIVER_UNUSED: &str = "policy/waiver-unused";
}

/// paved's own rules about policies, for `paved rules` and SARIF. (What the policies report is
/// described by the policies themselves; see docs/policy.md.)
pub fn rule_infos() -> Vec<crate::report::RuleInfo> {
    use crate::report::{RuleInfo, Severity};
    let r = |id, severity, summary, why, example| RuleInfo { id, severity, summary, why, example };
    vec![
        r(
            rules::SYNTAX,
            Severity::Error,
            "A policy file does not parse or compile.",
            "A broken policy checks nothing; the other policies still run.",
            "deny contains msg if {\n",
        ),
        r(
            rules::EVAL_ERROR,
            Severity::Error,
            "A policy failed while evaluating an input.",
            "A runtime error (a conflict, a failing built-in) hides the policy's verdict.",
            "x := 1 / 0",
        ),
        r(
            rules::TIMEOUT,
            Severity::Error,
            "One evaluation took longer than `policy.timeout`.",
            "A slow policy would hold every pull request; it is stopped and reported.",
            "count([x | some a in numbers.range(1, 1e9); x := a]) > 0",
        ),
        r(
            rules::BAD_MESSAGE,
            Severity::Error,
            "A policy returned something that is not a message.",
            "Messages are strings or objects with `msg`; anything else cannot be shown.",
            "deny contains 42 if true",
        ),
        r(
            rules::TOO_MANY,
            Severity::Warning,
            "A policy returned more than `policy.max_messages` messages for one input.",
            "Huge outputs drown the useful findings.",
            "",
        ),
        r(
            rules::MISSING,
            Severity::Error,
            "A policy path does not exist or a file cannot be read.",
            "A typo in `policy.paths` would silently disable policies.",
            "policy:\n  paths: [polices]",
        ),
        r(
            rules::DATA_INVALID,
            Severity::Error,
            "A policy data file is malformed.",
            "Policies would read the wrong settings.",
            "config: [unclosed",
        ),
        r(
            rules::WAIVER_INVALID,
            Severity::Error,
            "A waiver entry is malformed (unknown keys, bad date, missing fields).",
            "A waiver must say what, where, why, until when and who approved it.",
            "- rule: policy/x\n  expires: 31/12/2026",
        ),
        r(
            rules::WAIVER_EXPIRED,
            Severity::Error,
            "A waiver is past its expiry date.",
            "Exceptions are temporary by design; an expired one waives nothing.",
            "expires: 2020-01-01",
        ),
        r(
            rules::WAIVER_UNUSED,
            Severity::Warning,
            "A waiver matches no violation.",
            "Stale waivers would silently cover future violations.",
            "",
        ),
    ]
}
