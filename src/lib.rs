//! paved: a GitOps reconciler for internal developer platforms.
//!
//! The library is a pure core (YAML trees, diagnostics, configuration, catalog validation,
//! stack processing, policies, rendering) with IO at the edges behind small traits (file
//! sources, git, forges, the Atmos executor, the store). The `paved` binary is a thin CLI over
//! it.

pub mod affected;
pub mod catalog;
pub mod changeset;
pub mod ci;
pub mod config;
pub mod drift;
pub mod exec;
pub mod forge;
pub mod git;
pub mod golden;
pub mod gotemplate;
pub mod policy;
pub mod reconcile;
pub mod report;
pub mod server;
pub mod source;
pub mod stacks;
pub mod store;
pub mod yaml;
