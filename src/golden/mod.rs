//! Golden paths: Backstage Template entities rendered into ready-to-merge change sets.
//!
//! A golden path is a folder with a `template.yaml` ([`template::Template`]) and skeleton
//! folders. Rendering is pure: it takes the template's files ([`tree::TemplateDir`]), the
//! parameter values and the repository it renders into (a [`crate::source::FileSource`]) and
//! returns a [`crate::changeset::ChangeSet`] plus the pull requests to open. The CLI writes the
//! change set or hands it to a forge.

pub mod emit;
pub mod expr;
pub mod fetch;
mod filters;
pub mod params;
pub mod template;
pub mod tree;

pub use params::{Param, Parameters};
pub use template::{Action, Step, TEMPLATE_FILE, Template};
pub use tree::{LoadError, TemplateDir, TemplateFile};
