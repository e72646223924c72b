//! Golden paths: Backstage Template entities rendered into ready-to-merge change sets.
//!
//! A golden path is a folder with a `template.yaml` ([`template::Template`]) and skeleton
//! folders. Rendering ([`run::render`]) is pure: it takes the template's files
//! ([`tree::TemplateDir`]), the parameter values and the repository it renders into (a
//! [`crate::source::FileSource`]) and returns a [`crate::changeset::ChangeSet`] plus the pull
//! requests to open. The CLI writes the change set or hands it to a forge.

pub mod answers;
pub mod append;
pub mod check;
pub mod disk;
pub mod edit;
pub mod emit;
pub mod expr;
pub mod fetch;
mod filters;
pub mod merge3;
pub mod overlay;
pub mod params;
pub mod publish;
pub mod register;
pub mod run;
pub mod stack;
pub mod template;
pub mod tree;
pub mod upgrade;

pub use answers::{ANNOTATION, ANSWERS_FILE, Answers};
pub use params::{Param, Parameters};
pub use publish::{ForgeFlavor, PublishRequest};
pub use run::{RenderRequest, Rendered, render};
pub use template::{Action, Step, TEMPLATE_FILE, Template};
pub use tree::{LoadError, TemplateDir, TemplateFile};
