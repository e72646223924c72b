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
mod compile;
mod data;
mod entities;
mod eval;
mod files;
mod message;
mod pointer;
mod subject;
pub mod testing;
pub mod waivers;

pub use compile::{Entry, PolicySet, RuleKind, Scope};
pub use data::{
    CatalogData, EntityInput, InstanceInput, StacksData, catalog_subjects, document, repo_subject, stack_subjects,
};
pub use entities::{entities_from_text, entity_ref_and_relations, resolve_ref};
pub use eval::{Bound, EvalOptions, Evaluated, evaluate};
pub use files::{PolicyFile, collect, collect_configured};
pub use message::Message;
pub use pointer::to_pointer;
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
    /// The waiver file is malformed.
    pub const WAIVER_INVALID: &str = "policy/waiver-invalid";
    /// A waiver is past its expiry date.
    pub const WAIVER_EXPIRED: &str = "policy/waiver-expired";
    /// A waiver matches no violation.
    pub const WAIVER_UNUSED: &str = "policy/waiver-unused";
}
