//! A native Atmos stacks engine: reads an Atmos repository (atmos.yaml, stack manifests,
//! imports, inheritance) and computes every component instance the way Atmos does, without
//! the atmos binary, so stacks can be described, listed, validated and diffed anywhere.
//!
//! ```no_run
//! use paved::source::{RelPath, WorkTree};
//! use paved::stacks::{AtmosConfig, LoadOptions, StackSet};
//!
//! let tree = WorkTree::new("examples").unwrap();
//! let opts = LoadOptions::default();
//! let cfg = AtmosConfig::load(&tree, &RelPath::root(), &opts.env, &RelPath::root(), opts.max_file_size).unwrap();
//! let set = StackSet::load(&tree, cfg, opts);
//! for inst in set.instances() {
//!     println!("{} {} {}:{}", inst.stack, inst.component, inst.file, inst.line);
//! }
//! let vpc = set.describe("vpc", "plat-ue2-dev").unwrap();
//! println!("{}", vpc.value["vars"]);
//! ```
//!
//! Pure: files come through [`crate::source::FileSource`]; nothing here runs a command or
//! reads the process environment ([`LoadOptions::env`] is what `!env` and templates see).
//! Each file is parsed once per template context however often it is imported.

mod component;
mod config;
mod describe;
mod files;
pub mod hcl;
mod imports;
mod load;
pub mod merge;
mod naming;
pub mod rules;
pub mod tfconfig;
mod tfvars;
pub mod validate;
pub mod value;

use std::collections::BTreeMap;
use std::sync::Arc;

pub use component::{ComponentError, MAX_INHERITANCE_DEPTH};
pub use config::{ATMOS_YAML, AtmosConfig};
pub use describe::{DescribeError, DescribeOptions, Description, ProvenanceEntry};
pub use files::{FileTable, NodeCache};
pub use imports::MAX_GLOB_MATCHES;
pub use load::{find_manifests, merge_manifest, valid_component_name};
pub use naming::NameSource;

use crate::report::Diagnostic;
use crate::source::RelPath;
use crate::yaml::Limits;
use value::Val;

/// How stacks are loaded.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// The environment `!env`, `{{ env "X" }}` and `ATMOS_*` overrides see. Never the
    /// process environment unless the caller passes it.
    pub env: BTreeMap<String, String>,
    pub max_file_size: u64,
    pub yaml_limits: Limits,
    /// Render the Go templates left in component sections after the merge (Atmos's
    /// `--process-templates`). `.tmpl` files and imports with `context` are always rendered.
    pub process_templates: bool,
    /// Evaluate `!env` (Atmos's `--process-functions`); other YAML functions are always kept
    /// as opaque values.
    pub process_functions: bool,
    /// Parsed files shared across loads, by content id (see [`NodeCache`]).
    pub node_cache: Option<Arc<NodeCache>>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            env: BTreeMap::new(),
            max_file_size: 10 << 20,
            yaml_limits: Limits::default(),
            process_templates: true,
            process_functions: true,
            node_cache: None,
        }
    }
}

/// One component in one stack.
#[derive(Debug, Clone)]
pub struct Instance {
    /// The stack name (`plat-ue2-dev`).
    pub stack: String,
    /// The Atmos component name (`vpc`, `eks/cluster`).
    pub component: String,
    /// `terraform` or `helmfile`.
    pub component_type: String,
    /// The top-level manifest the instance comes from.
    pub manifest: RelPath,
    /// The manifest relative to the stacks folder, without extension (`atmos_stack_file`).
    pub stack_file: String,
    /// Where the component is defined: the file and line of its first definition.
    pub file: RelPath,
    pub line: u32,
    pub column: u32,
    /// The Terraform folder (`metadata.component`, else the name).
    pub terraform_component: String,
    pub is_abstract: bool,
    pub enabled: bool,
    pub locked: bool,
    /// Bases, most recent first.
    pub inheritance: Vec<String>,
    /// The Terraform workspace.
    pub workspace: String,
    /// Why this instance cannot be described (a conflicting definition), if so.
    pub conflict: Option<String>,
    /// `backend_type` names a backend no `backend` section configures.
    pub backend_missing: bool,
    /// The final `backend_type` (empty when none).
    pub backend_type: String,
    /// Whether the section has `settings.validation` entries.
    pub has_validation: bool,
    /// The component as the merged manifest defines it (before inheritance and globals).
    definition: Val,
    /// Whether the top-level manifest itself (not an import) defines the component.
    inline: bool,
    processed: Arc<imports::Processed>,
}

/// A top-level stack manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub path: RelPath,
    /// `atmos_stack_file`.
    pub stack_file: String,
    /// The stack names its components resolve to.
    pub stacks: Vec<String>,
}

/// Every stack of a repository, computed.
#[derive(Debug)]
pub struct StackSet {
    pub config: AtmosConfig,
    pub options: LoadOptions,
    files: FileTable,
    manifests: Vec<Manifest>,
    instances: Vec<Instance>,
    by_stack: BTreeMap<String, Vec<usize>>,
    /// Problems found while loading (invalid YAML, missing imports, cycles ...).
    pub diagnostics: Vec<Diagnostic>,
    /// How many files were read from the source (each file once).
    pub files_read: usize,
    parsed: Vec<Arc<files::Parsed>>,
}

impl StackSet {
    /// The stack names, sorted.
    pub fn stack_names(&self) -> impl Iterator<Item = &str> {
        self.by_stack.keys().map(String::as_str)
    }

    /// Every component instance, in stack then component order.
    pub fn instances(&self) -> &[Instance] {
        &self.instances
    }

    /// The instances of one stack.
    pub fn stack(&self, name: &str) -> impl Iterator<Item = &Instance> {
        self.by_stack.get(name).into_iter().flatten().map(|i| &self.instances[*i])
    }

    /// One instance by stack and component name.
    pub fn instance(&self, component: &str, stack: &str) -> Option<&Instance> {
        self.stack(stack).find(|i| i.component == component)
    }

    pub fn manifests(&self) -> &[Manifest] {
        &self.manifests
    }

    /// The merged component section of an instance (vars, settings, env, backend, metadata
    /// ...) before templates and YAML functions, with origins. Recomputed on each call: the
    /// set keeps only what naming and listing need, so 10,000 instances stay small.
    pub fn section(&self, inst: &Instance) -> Val {
        component::compute(&inst.processed.merged, &inst.component_type, &inst.component, &self.config)
            .map(|c| c.section)
            .unwrap_or_default()
    }

    /// [`StackSet::section`] as JSON.
    pub fn section_json(&self, inst: &Instance) -> serde_json::Value {
        self.section(inst).to_json()
    }

    /// The files read, by id (for provenance).
    pub fn files(&self) -> &FileTable {
        &self.files
    }
}
